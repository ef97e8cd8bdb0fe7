"""A slow SMTP server for the test of several instances.

Each message's DATA is answered only after DELAY seconds; a line is appended to MARKER when one
starts, so the test knows a sender is mid-job. Should the sender vanish meanwhile, aiosmtpd
cancels the handler and the message is not kept, as a real server drops a transaction its
client never finished. Kept messages go to the Maildir MAILDIR.

    python slow_smtp.py PORT MAILDIR MARKER DELAY
"""

import asyncio
import mailbox
import sys

from aiosmtpd.smtp import SMTP


class Slow:
    def __init__(self, maildir, marker, delay):
        self.box = mailbox.Maildir(maildir, create=True)
        self.marker = marker
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        with open(self.marker, "a") as f:
            f.write("data\n")
        await asyncio.sleep(self.delay)
        self.box.add(envelope.original_content or envelope.content)
        return "250 OK"


async def main():
    port, maildir, marker, delay = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
    handler = Slow(maildir, marker, delay)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", port)
    await server.serve_forever()


asyncio.run(main())
