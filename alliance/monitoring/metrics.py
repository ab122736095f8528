"""Prometheus metrics: request counts and latencies recorded by every web process, and the
state of the work queues read from the database and the broker when Prometheus asks.

Under gunicorn's several processes, set PROMETHEUS_MULTIPROC_DIR (the compose file does):
prometheus-client then keeps each process's figures in files there and adds them up."""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "alliance_http_requests",
    "HTTP requests answered, by view and status",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "alliance_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class QueueCollector:
    """Figures read at scrape time, so every process reports the same truth."""

    def collect(self):
        from alliance.core.api.models import WebhookDelivery
        from alliance.core.outbox.services import backlog as outbox_backlog
        from alliance.monitoring.models import BeatRun
        from statements.models import PublicSubmission

        outbox = outbox_backlog()
        yield _gauge("alliance_outbox_backlog", "Messages waiting to be sent", outbox["waiting"])
        yield _gauge(
            "alliance_outbox_oldest_pending_age_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            outbox["oldest_seconds"],
        )
        yield _gauge("alliance_outbox_failed_messages", "Messages given up on", outbox["failed"])
        yield _gauge(
            "alliance_webhook_failed_deliveries",
            "Webhook deliveries given up on",
            WebhookDelivery.objects.filter(status="failed").count(),
        )
        yield _gauge(
            "alliance_public_submissions_pending",
            "Public signatures received and not yet processed",
            PublicSubmission.objects.filter(status="received").count(),
        )
        queues = GaugeMetricFamily(
            "alliance_celery_queue_length", "Tasks waiting in each broker queue", labels=["queue"]
        )
        for name, length in celery_queue_lengths().items():
            queues.add_metric([name], length)
        yield queues
        beat = GaugeMetricFamily(
            "alliance_beat_last_sent_timestamp_seconds",
            "When beat last sent each schedule entry (Unix time)",
            labels=["entry"],
        )
        for run in BeatRun.objects.all():
            beat.add_metric([run.entry], run.last_sent_at.timestamp())
        yield beat


def _gauge(name, documentation, value):
    return GaugeMetricFamily(name, documentation, value=value)


def celery_queue_lengths() -> dict[str, int]:
    """Messages waiting per queue, asked of the broker (nothing when it cannot answer)."""
    if not settings.CELERY_BROKER_URL:
        return {}
    from alliance.celery import app

    lengths = {}
    try:
        with app.connection_for_read() as connection:
            channel = connection.default_channel
            for queue in settings.CELERY_TASK_QUEUES:
                declared = channel.queue_declare(queue=queue.name, passive=True)
                lengths[queue.name] = declared.message_count
    except Exception:  # noqa: BLE001 - a broker that is down is what /healthz reports
        logger.warning("could not read the broker's queue lengths", exc_info=True)
    return lengths


def may_scrape(request) -> bool:
    """With METRICS_TOKEN set, only a bearer of it; otherwise only this machine or a private
    network (the proxy does not pass /metrics on: Prometheus asks the web container)."""
    token = settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(offered.encode(), token.encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback or address.is_private


@never_cache
@require_GET
def metrics_view(request):
    if not may_scrape(request):
        return HttpResponseForbidden("metrics are for the monitoring network\n")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        output = generate_latest(processes)
    else:
        output = generate_latest(REGISTRY)
    queues = CollectorRegistry()
    queues.register(QueueCollector())
    output += generate_latest(queues)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)
