#!/usr/bin/env bash
# The documents people print, opened by an office suite: one of each kind the product writes
# (the feedback, the rectification plan, the rectification report, the public notice, the
# clue transfer letter, a follow-up notice as .docx; the ledger as .xlsx; an archive package's
# catalogue and plan, the package checked against its manifest by sha256sum and its feedback's
# PDF, made by the server, read by pdftotext), fetched from the
# API of a demo server as the office, converted to PDF by LibreOffice, and refused when a
# conversion fails or its first page has no text.
#
#   bash .ci/office.sh
#
# Settings: XUNSHI_BIN (a built xunshi binary; otherwise `cargo build -p xunshi` first),
# XUNSHI_OFFICE_OUT (a folder to keep the documents and their PDFs in, to look at).
# Needs soffice (Debian's libreoffice-writer-nogui and libreoffice-calc-nogui) and pdfinfo /
# pdftotext (poppler-utils); .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET="${CARGO_TARGET_DIR:-target}"
BIN="${XUNSHI_BIN:-$TARGET/debug/xunshi}"
[ -n "${XUNSHI_BIN:-}" ] || cargo build --quiet -p xunshi

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$BIN" serve --demo --data-dir "$WORK/data" --listen "127.0.0.1:$port" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "the demo server stopped" >&2; exit 1; }
  sleep 0.5
done

# Fetches one document of each kind, finding its id through the lists the office reads.
mkdir -p "$WORK/docs" "$WORK/pdf"
python3 - "$base" "$WORK/docs" <<'PY'
import json, sys, urllib.request

base, out = sys.argv[1], sys.argv[2]

def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + "/api/v1" + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        req.add_header("Content-Type", "application/json")
        data = json.dumps(body).encode()
    with urllib.request.urlopen(req, data, timeout=60) as r:
        return r.read()

token = json.loads(call("POST", "/auth/token", {"username": "office", "password": "Xunshi-Demo-2020", "name": "office-suite-check"}))["token"]

def ids(path):
    """The ids of a list's first page, wherever the item keeps its id."""
    items = json.loads(call("GET", path, token=token))["items"]
    for item in items:
        for key in ("document", "plan", "transfer", "inspection"):
            if isinstance(item.get(key), dict) and "id" in item[key]:
                item = item[key]
                break
        yield item["id"]

def first(list_path, doc_path):
    """The document of the first item of the list that has one."""
    for i in ids(list_path):
        try:
            return call("GET", doc_path.format(i), token=token)
        except urllib.error.HTTPError as e:
            if e.code not in (404, 422):
                raise
    sys.exit(f"no document at {doc_path} for any item of {list_path}")

documents = {
    "feedback.docx": first("/inspections?limit=100", "/inspections/{}/feedback.docx"),
    "plan.docx": first("/rectification-plans?limit=50", "/rectification-plans/{}/plan.docx"),
    "report.docx": first("/rectification-reports?limit=50", "/rectification-reports/{}/document.docx"),
    "notice.docx": first("/public-notices?limit=50", "/public-notices/{}/document.docx"),
    "transfer.docx": first("/transfers?limit=50", "/transfers/{}/letter.docx"),
    "followup.docx": first("/followups?limit=50", "/followups/{}/notice.docx"),
    "ledger.xlsx": call("GET", "/tasks.xlsx", token=token),
}
for name, body in documents.items():
    with open(f"{out}/{name}", "wb") as f:
        f.write(body)
    print(f"{name}: {len(body)} bytes")

# The archive package of the department's 2017 inspection, archived for the purpose (its tasks
# are all closed): unpacked beside the documents, its catalogue among them.
import io, zipfile
insp = next(i for i in json.loads(call("GET", "/inspections?limit=200", token=token))["items"]
            if i["team_name"] == "第八巡视组" and i["stage"] == "rectification")
call("POST", f"/inspections/{insp['id']}/stage", {"version": insp["version"], "to": "archived"}, token=token)
package = call("GET", f"/inspections/{insp['id']}/archive-package", token=token)
zipfile.ZipFile(io.BytesIO(package)).extractall(f"{out}/../package")
print(f"archive package: {len(package)} bytes")
PY

# Every file of the package against its manifest, by the tool the archives would use.
(cd "$WORK/package" && sha256sum --quiet -c manifest-sha256.txt) || { echo "FAIL: the archive package's manifest does not match its files" >&2; exit 1; }
echo "archive package: $(wc -l <"$WORK/package/manifest-sha256.txt") files match the manifest"
cp "$WORK/package/目录.xlsx" "$WORK/docs/archive-catalogue.xlsx"
# The server found soffice on the PATH: the package's feedback has its PDF, with its text.
feedback_pdf="$WORK/package/04-反馈意见/反馈意见.pdf"
if [ ! -s "$feedback_pdf" ] || ! pdftotext "$feedback_pdf" - | grep -q "反馈"; then
  echo "FAIL: the archive package holds no readable PDF of the feedback" >&2; exit 1
fi
echo "archive package: $(find "$WORK/package" -name '*.pdf' | wc -l) PDFs, the feedback's readable"
cp "$(find "$WORK/package/06-整改方案" -name '*.docx' | head -n1)" "$WORK/docs/archive-plan.docx"

# LibreOffice keeps its profile in HOME; a fresh one per run keeps runs apart.
export HOME="$WORK/home"
failed=0
for f in "$WORK"/docs/*; do
  name=$(basename "$f")
  if ! timeout 180 soffice --headless --norestore --convert-to pdf --outdir "$WORK/pdf" "$f" \
      >"$WORK/soffice.log" 2>&1; then
    echo "FAIL: LibreOffice could not convert $name" >&2; cat "$WORK/soffice.log" >&2; failed=1; continue
  fi
  pdf="$WORK/pdf/${name%.*}.pdf"
  if [ ! -s "$pdf" ]; then
    echo "FAIL: no PDF came of $name" >&2; cat "$WORK/soffice.log" >&2; failed=1; continue
  fi
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  chars=$(pdftotext -f 1 -l 1 "$pdf" - | tr -d '[:space:]' | wc -m)
  if [ "${pages:-0}" -lt 1 ] || [ "$chars" -lt 20 ]; then
    echo "FAIL: $name converts to $pages page(s) with $chars characters on the first" >&2; failed=1; continue
  fi
  echo "$name: $pages page(s), $chars characters on the first page"
done
if [ -n "${XUNSHI_OFFICE_OUT:-}" ]; then
  mkdir -p "$XUNSHI_OFFICE_OUT" && cp "$WORK"/docs/* "$WORK"/pdf/* "$XUNSHI_OFFICE_OUT"/
fi
if grep -qE 'panicked|ERROR' "$WORK/server.log"; then
  echo "the server logged errors:" >&2; grep -E 'panicked|ERROR' "$WORK/server.log" | head -20 >&2; failed=1
fi
exit "$failed"
