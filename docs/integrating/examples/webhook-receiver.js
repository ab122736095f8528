// A webhook receiver for Alliance Hub that checks the signature of every delivery.
//
//     WEBHOOK_SECRET=whsec_... PORT=9000 node webhook-receiver.js
//
// Node.js 18 or newer, no packages. It answers 204 to a delivery whose signature is right
// and recent, 401 to anything else, and prints each event it accepts.
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");

// Refuse deliveries signed longer ago than this: a replay of an old one.
const TOLERANCE_SECONDS = 300;

// True if `signature` (X-Alliance-Signature) is the HMAC-SHA256 with `secret` of
// "<timestamp>." followed by the raw body, and `timestamp` (X-Alliance-Timestamp) is
// recent. `body` must be the Buffer received, before any JSON parsing.
function verify(secret, timestamp, signature, body, now = Date.now() / 1000) {
  if (!/^[0-9]+$/.test(timestamp || "")) return false;
  if (Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(
    "sha256=" +
      crypto.createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex"),
  );
  const given = Buffer.from(signature || "");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function receive(request, response) {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);
    const signed = verify(
      process.env.WEBHOOK_SECRET,
      request.headers["x-alliance-timestamp"],
      request.headers["x-alliance-signature"],
      body,
    );
    if (request.method !== "POST" || !signed) {
      response.writeHead(401).end();
      return;
    }
    const event = JSON.parse(body);
    // X-Alliance-Delivery (also event.id) is the same on a repeated delivery: remember
    // the ones handled to act once.
    console.log(event.id, event.event, JSON.stringify(event.data));
    response.writeHead(204).end();
  });
}

module.exports = { verify };

if (require.main === module) {
  http.createServer(receive).listen(Number(process.env.PORT || 9000), "127.0.0.1");
}
