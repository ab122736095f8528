"""With a real worker and real beats: the request id reaches the tasks a request queued,
each task writes a log line, and a second beat started by mistake sends nothing until
the first stops."""

import json
import time

import pytest

from alliance.core.outbox.tasks import sweep_outbox
from alliance.monitoring.context import current_request_id
from alliance.monitoring.models import BeatLock, BeatRun
from tests.fixtures.services import RESULTS, CeleryBeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"waited {timeout} s for {what}")


def json_lines(path) -> list[dict]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def test_a_task_logs_one_line_with_the_request_id_that_queued_it(celery_worker):
    current_request_id.set("0123456789abcdef0123456789abcdef")
    try:
        sweep_outbox.delay()
    finally:
        current_request_id.set("")

    def logged():
        return [
            line
            for line in json_lines(celery_worker.log_path)
            if line.get("logger") == "alliance.tasks"
            and line.get("request_id") == "0123456789abcdef0123456789abcdef"
        ]

    (line,) = wait_until(logged, 20, "the task's log line")
    assert line["task"] == "alliance.outbox.tasks.sweep_outbox"
    assert line["state"] == "SUCCESS"
    assert line["duration_ms"] >= 0


def sent_lines(beat: CeleryBeat) -> int:
    return beat.log_path.read_text(errors="replace").count("Sending due task")


def test_a_second_beat_sends_nothing_until_the_first_stops(celery_worker, celery_beat):
    celery_beat.stop()  # the session's: this test runs two of its own
    env = {**celery_beat.env, "BEAT_LOCK_SECONDS": "6"}
    first = CeleryBeat(env=env, log_dir=RESULTS / "celery-two-beats" / "first")
    second = CeleryBeat(env=env, log_dir=RESULTS / "celery-two-beats" / "second")
    try:
        first.start()
        wait_until(lambda: BeatRun.objects.exists(), 30, "the first beat to send")
        holder = BeatLock.objects.get().holder
        second.start()
        wait_until(
            lambda: "waits for the lock" in second.log_path.read_text(),
            30,
            "the second beat to wait",
        )
        before = sent_lines(first)
        time.sleep(8)  # longer than the lock: the first renews it, the second keeps waiting
        assert sent_lines(first) > before
        assert sent_lines(second) == 0
        assert BeatLock.objects.get().holder == holder

        first.stop()
        wait_until(lambda: sent_lines(second) > 0, 30, "the second beat to take over")
        assert BeatLock.objects.get().holder != holder
    finally:
        first.stop()
        second.stop()
