"""Celery's side of monitoring: the request id travels in a message header from the
request that queued a task to the worker, and each task writes one log line."""

import logging
import time

from celery.signals import before_task_publish, task_postrun, task_prerun

from alliance.monitoring.context import current_request_id

logger = logging.getLogger("alliance.tasks")

HEADER = "request_id"
_running: dict[str, tuple[float, object]] = {}


@before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    request_id = current_request_id.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect
def take_request_id(task_id=None, task=None, **kwargs):
    if task is None or task.request.is_eager:
        return  # in-process: the caller's request id is already current
    request_id = task.request.get(HEADER) or task_id or ""
    _running[task_id] = (time.perf_counter(), current_request_id.set(request_id))


@task_postrun.connect
def log_task(task_id=None, task=None, state=None, **kwargs):
    started = _running.pop(task_id, None)
    if started is None:
        return
    began, reset = started
    duration = time.perf_counter() - began
    logger.info(
        "task %s %s",
        task.name,
        state,
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round(duration * 1000, 1),
        },
    )
    current_request_id.reset(reset)
