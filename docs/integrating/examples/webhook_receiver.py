"""A webhook receiver for Alliance Hub that checks the signature of every delivery.

    WEBHOOK_SECRET=whsec_... PORT=9000 python webhook_receiver.py

Standard library only (Python 3.9 or newer). It answers 204 to a delivery whose signature
is right and recent, 401 to anything else, and prints each event it accepts.
"""

import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

# Refuse deliveries signed longer ago than this: a replay of an old one.
TOLERANCE_SECONDS = 300


def verify(secret: str, timestamp: str, signature: str, body: bytes, now: float = 0) -> bool:
    """True if `signature` (X-Alliance-Signature) is the HMAC-SHA256 with `secret` of
    "<timestamp>." followed by the raw body, and `timestamp` (X-Alliance-Timestamp) is
    recent. `body` must be the bytes received, before any JSON parsing."""
    if not timestamp or not timestamp.isdigit():
        return False
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    message = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature or "")


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not verify(
            os.environ["WEBHOOK_SECRET"],
            self.headers.get("X-Alliance-Timestamp", ""),
            self.headers.get("X-Alliance-Signature", ""),
            body,
        ):
            self.send_response(401)
            self.end_headers()
            return
        event = json.loads(body)
        # X-Alliance-Delivery (also event["id"]) is the same on a repeated delivery:
        # remember the ones handled to act once.
        print(event["id"], event["event"], json.dumps(event["data"]), flush=True)
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "9000"))), Receiver).serve_forever()
