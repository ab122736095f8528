"""Watching a running instance: a request id carried from each request into the tasks it
queues and into every log line, one log line per request and per task, Prometheus
metrics at /metrics, error reports to Sentry with personal data removed, and beat's
record of what it last sent (with a lock so that a second beat started by mistake sends
nothing). See docs/running/monitoring.md."""
