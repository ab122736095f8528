"""The quick start runs the product, not part of it: `scripts/run.sh` (what `make run`
runs), on throwaway SQLite files and a free port, starts the web server, a Celery worker
and beat on an embedded broker. With nobody running a task by hand, beat's recount fills
the statement list's signature counts, and a statement whose embargo passes is published
within a minute. Ctrl-C then stops all three and leaves no process behind.

The tests run in order on one quick start (starting it migrates and seeds a new
database: a minute or more on a busy machine); the last one stops it.
"""

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.services import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
# What a newcomer's shell has; nothing of the test run's settings or services.
SHELL_VARIABLES = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR")
START_SECONDS = 600
STOP_SECONDS = 40
IMPORT_ROWS = 5_000


class QuickStart:
    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {name: os.environ[name] for name in SHELL_VARIABLES if name in os.environ}
        self.env.update(RUN_DIR=str(run_dir), PORT=str(self.port))
        self.log_path = run_dir / "make-run.log"
        self.process: subprocess.Popen | None = None
        self.groups: dict[str, int] = {}

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                ["bash", "scripts/run.sh"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own group, as a terminal would give it; Ctrl-C is sent by stop().
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        while not self._healthy():
            if self.process.poll() is not None:
                pytest.fail(f"make run exited ({self.process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"make run did not answer in {START_SECONDS} s:\n{self.log_tail()}")
            time.sleep(1)
        pid_dir = self.run_dir / "pids"
        self.groups = {path.stem: int(path.read_text()) for path in pid_dir.glob("*.group")}

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def shell(self, code: str) -> str:
        """`manage.py shell -c code` on the quick start's database and broker, as run.sh
        sets them up; returns what it printed."""
        env = {
            **self.env,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{self.run_dir}/alliance.sqlite3",
            "CELERY_BROKER_URL": f"sqla+sqlite:///{self.run_dir}/broker.sqlite3",
            "CACHE_DIR": str(self.run_dir / "cache"),
        }
        done = subprocess.run(
            [str(PYTHON), "manage.py", "shell", "-v", "0", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def stop(self) -> int | None:
        """Ctrl-C, as in the terminal, and wait for make run to end."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            for group in [self.process.pid, *self.groups.values()]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
            self.process.wait()
            raise

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory):
    if not PYTHON.exists():
        pytest.skip("needs the project's .venv (make test creates it)")
    quick_start = QuickStart(tmp_path_factory.mktemp("quick-start"))
    quick_start.start()
    yield quick_start
    quick_start.stop()


def test_quick_start_runs_web_worker_and_beat_each_with_its_prefix(quick_start):
    assert set(quick_start.groups) == {"web", "worker", "beat"}
    for group in quick_start.groups.values():
        os.killpg(group, 0)  # each is running
    log = quick_start.log_path.read_text(errors="replace")
    for name in ("web", "worker", "beat"):
        assert f"\n{name:<6} | " in log
    assert "transport:   sqla+sqlite:///" in log  # the worker's banner: the embedded broker


def test_statement_list_shows_the_counts_beat_recounted(quick_start, page):
    # The demo writes signatures, not the stored counts: only the recount fills them.
    expected = quick_start.shell(
        "from alliance.demo import data; from statements.models import Statement; "
        "from statements.counting import signature_count; "
        "print(signature_count(Statement.objects.get(slug=data.DAVOS_STATEMENT_SLUG)).total)"
    )
    assert int(expected) > 0

    page.goto(f"{quick_start.url}/statements/")

    davos = page.locator(
        "li.list__item", has=page.get_by_role("link", name="Civil society leaders")
    )
    deadline = time.monotonic() + 60
    while f"{expected} organisations signed" not in davos.inner_text():
        assert time.monotonic() < deadline, davos.inner_text()
        time.sleep(2)
        page.reload()
    expect(davos).to_contain_text(f"{expected} organisations signed")


def test_a_statement_is_published_within_a_minute_of_its_embargo(quick_start, page, screenshot_dir):
    slug = quick_start.shell(
        """
import datetime as dt
from django.utils import timezone
from alliance.core.accounts.models import User
from alliance.demo import data
from statements.models import Statement
from statements.services import TextInput, save_statement

now = timezone.now()
statement = save_statement(
    statement=Statement(
        status=Statement.Status.OPEN,
        audience=Statement.Audience.INVITED,
        original_language="en",
        signon_opens_at=now - dt.timedelta(hours=1),
        signon_closes_at=now + dt.timedelta(seconds=3),
        embargo_until=now + dt.timedelta(seconds=5),
    ),
    texts=[TextInput(language="en", title="Published by the quick start", body="On time.")],
    author=User.objects.get(email=data.CONVENOR.email),
)
print(statement.slug)
"""
    )
    url = f"{quick_start.url}/statements/{slug}/"
    # Open and not public: a visitor cannot read it yet.
    assert page.goto(url).status == 404
    time.sleep(5)  # the embargo passes

    deadline = time.monotonic() + 75  # beat's publication scan runs every minute
    while (response := page.goto(url)).status != 200:
        assert time.monotonic() < deadline, f"not published: {response.status}"
        time.sleep(3)

    expect(page.get_by_role("heading", name="Published by the quick start")).to_be_visible()
    page.screenshot(path=screenshot_dir / "quick-start-published-at-embargo.png", full_page=True)
    status = quick_start.shell(
        f"from statements.models import Statement; "
        f"print(Statement.objects.get(slug={slug!r}).status)"
    )
    assert status == "published"
    page.goto(f"{quick_start.url}/")
    expect(page.get_by_role("link", name="Published by the quick start")).to_be_visible()


def test_an_import_runs_on_the_worker_with_its_progress_bar(quick_start, page, screenshot_dir):
    # What a spreadsheet in a French locale saves: semicolons, and a byte order mark.
    rows = [
        f"Collectif démo {number:04};grassroots;SN;Dakar;Égalité, justice fiscale;gender;"
        for number in range(IMPORT_ROWS)
    ]
    content = "\ufeffname;kind;country;city;description;focus_areas;national_alliance\n"
    content += "\n".join(rows) + "\n"
    page.goto(f"{quick_start.url}/accounts/login/")
    page.get_by_label("Email").fill("convenor@demo.alliancehub.org")
    page.get_by_label("Password").fill("fightinequality")
    page.locator("main").get_by_role("button", name="Sign In").click()
    # The demo convenor's second factor, from its published demo secret.
    import time

    from alliance.demo import data
    from alliance.demo.totp import PERIOD_SECONDS, current_code

    if PERIOD_SECONDS - time.time() % PERIOD_SECONDS < 5:  # not a code about to expire
        time.sleep(PERIOD_SECONDS - time.time() % PERIOD_SECONDS + 0.1)
    page.get_by_label("Code").fill(current_code(data.CONVENOR.totp_secret))
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{quick_start.url}/")
    page.goto(f"{quick_start.url}/members/import/")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "membres.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="membres.csv")).to_be_visible()

    page.get_by_role("button", name="Run the import").click()

    # The request only queued the run: the page that answers it shows it running.
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("Importing:")
    # The fragment the page polls once a second, read here much more often (with the
    # browser's session): a fast worker can write all 5,000 rows between two of the
    # page's own polls, and the figures in between are what this test is about.
    fragment_url = page.url.rstrip("/") + "/progress/"
    seen = set()
    deadline = time.monotonic() + 180
    while True:
        answer = page.request.get(fragment_url)
        assert answer.ok, answer.status
        seen.update(re.findall(r'id="import-progress-bar"[^>]* value="(\d+)"', answer.text()))
        if "Imported" in answer.text():
            break
        assert time.monotonic() < deadline, answer.text()
        time.sleep(0.02)
    # The worker's figures reached the web process (through the cache they share)...
    assert seen - {"0", str(IMPORT_ROWS)}, seen
    # ...and the page itself, polling, ends on the result.
    expect(progress).to_contain_text("Imported", timeout=30_000)
    page.screenshot(path=screenshot_dir / "quick-start-import-done.png", full_page=True)
    imported = quick_start.shell(
        "from members.models import Organisation; "
        "print(Organisation.objects.filter(name__startswith='Collectif démo ').count())"
    )
    assert int(imported) == IMPORT_ROWS


def test_ctrl_c_stops_web_worker_and_beat_and_leaves_nothing_running(quick_start):
    groups = dict(quick_start.groups)

    quick_start.stop()

    still_running = []
    for name, group in groups.items():
        try:
            os.killpg(group, 0)  # any process left in the group, the leader's children too
        except ProcessLookupError:
            continue
        still_running.append(name)
    assert still_running == []
    assert not list((quick_start.run_dir / "pids").glob("*.group"))
    assert "quickstart: stopping web, worker and beat" in quick_start.log_path.read_text()
