"""gunicorn's hooks for prometheus-client's multiprocess mode
(named by gunicorn.conf.py, which the compose files give gunicorn)."""

import os
import shutil
from pathlib import Path


def on_starting(server):
    """Figures left by a previous run would be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
