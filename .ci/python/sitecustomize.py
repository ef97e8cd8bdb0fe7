"""Loaded by the Python that runs schemathesis in CI (.ci/schemathesis.sh puts this folder on
PYTHONPATH).

CPython 3.11 keeps the depth counter of its AST conversion in state shared by all threads, so
two threads inside `ast.parse` at once can fail with `SystemError: AST constructor recursion
depth mismatch`. Hypothesis calls `ast.parse` while it describes strategies, and schemathesis
runs `--workers 2` threads: the run then ends with a "Runtime Error" that says nothing about
the server. One lock around `ast.parse` makes the calls take turns.
"""

import ast
import functools
import threading

_parse = ast.parse
_lock = threading.Lock()


@functools.wraps(_parse)
def _parse_one_at_a_time(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time
