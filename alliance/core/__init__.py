"""The machinery that knows no domain: accounts, audit, outbox, queueing, permissions, the
partner API's plumbing and webhook delivery. Nothing here imports members, campaigns or
statements (import-linter holds it: see pyproject.toml)."""
