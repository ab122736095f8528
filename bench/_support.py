"""What every benchmark needs: Django set up on the services `make bench` started, and
the one `RESULT name=value ...` line each script ends with.

Benchmarks drive the same real services as the tests (tests/fixtures/services.py:
SMTP server, Celery worker), so the two cannot drift apart.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django() -> None:
    """Production settings (DEBUG off) on the database and broker in the environment."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("run benchmarks with `make bench` (it starts PostgreSQL and Redis)")
    import django

    django.setup()


def describe_machine() -> str:
    """Cores and load: figures from a busy machine are not figures about the code."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process and its descendants used so far (Linux).

    On a shared machine wall-clock rates move with the neighbours' load; CPU time per
    message does not, and says what the code costs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        pending.extend(int(child) for child in children)
    return total


def print_result(**figures) -> None:
    print("RESULT " + " ".join(f"{name}={value}" for name, value in figures.items()), flush=True)
