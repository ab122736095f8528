"""The quick start's processes in one terminal: the web server, a Celery worker and beat.

`make run` (scripts/run.sh) runs this after migrating and seeding. Each process:

- runs in a process group of its own, whose id goes to RUN_DIR/pids/<name>.pid, so that
  stopping it stops its children too (the worker's pool, runserver's reloaded server);
- prints its lines here, prefixed with its name (`web    | ...`).

Ctrl-C, SIGTERM or a closed terminal stops all three: SIGTERM to each (the worker finishes
the tasks in hand), then SIGKILL to what is left of each group, at the latest after
GRACE_SECONDS. If one process
exits on its own, the others are stopped as well: a quick start without its worker would
silently drop every timed step. A run killed outright (SIGKILL, a crash) leaves its
pidfiles: the next start ends the groups they name first, if they still run from this
repository, so that no orphan keeps the port or reads the broker.

The command lines are those of docker-compose.yml's web, worker and beat; only the web
server differs (runserver instead of gunicorn, for DEBUG's static files and reloading).
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRACE_SECONDS = 15


def commands(*, port: int, run_dir: Path) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    celery = [str(bin_dir / "celery"), "-A", "alliance"]
    # At INFO, beat and the worker write a few lines every 5 s (the recount, the sweeps),
    # burying the web server's: warnings and errors only, unless asked for more.
    log_level = os.environ.get("CELERY_LOG_LEVEL", "WARNING")
    return {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [
            *celery,
            "worker",
            "--loglevel",
            log_level,
            # Two: an import that runs for a minute does not hold up emails and counts.
            "--concurrency",
            "2",
            # Talking to other workers: there are none.
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel",
            log_level,
            "--schedule",
            str(run_dir / "celerybeat-schedule"),
            "--pidfile",
            str(run_dir / "pids" / "celerybeat.pid"),
        ],
    }


def _group_members(group: int) -> list[int]:
    """The processes of process group `group` whose working directory is this repository
    (a pid in an old pidfile may have been reused by anything since)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Field 5 of /proc/PID/stat is the process group; the command name before it
            # is in parentheses and may contain spaces.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and os.readlink(entry / "cwd") == str(ROOT):
                members.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return members


def end_leftovers(pid_dir: Path) -> None:
    """End the process groups a killed run left behind (their pidfiles are still there)."""
    for pidfile in pid_dir.glob("*.group"):
        with contextlib.suppress(ValueError, OSError):
            group = int(pidfile.read_text())
            if Path("/proc").is_dir() and _group_members(group):
                print(f"quickstart: stopping {pidfile.stem} left running by an earlier run")
                os.killpg(group, signal.SIGTERM)
                deadline = time.monotonic() + GRACE_SECONDS
                while _group_members(group) and time.monotonic() < deadline:
                    time.sleep(0.2)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
        pidfile.unlink(missing_ok=True)


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], pid_dir: Path):
        self.commands = commands
        self.pid_dir = pid_dir
        self.width = max(len(name) for name in commands)
        self.processes: dict[str, subprocess.Popen] = {}
        self.output_lock = threading.Lock()
        self.stopping = threading.Event()

    def say(self, name: str, line: str) -> None:
        with self.output_lock:
            sys.stdout.write(f"{name:<{self.width}} | {line}\n")
            sys.stdout.flush()

    def start(self) -> None:
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        end_leftovers(self.pid_dir)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, command in self.commands.items():
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                # A group of its own: Ctrl-C reaches this supervisor only, which stops
                # each group in order, and a group takes its children down with it.
                start_new_session=True,
            )
            self.processes[name] = process
            (self.pid_dir / f"{name}.group").write_text(str(process.pid))
            threading.Thread(target=self._relay, args=(name, process), daemon=True).start()

    def _relay(self, name: str, process: subprocess.Popen) -> None:
        for raw in process.stdout:
            self.say(name, raw.decode(errors="replace").rstrip("\n"))

    def wait(self) -> int:
        """Until a signal asks to stop, or a process exits on its own."""
        while not self.stopping.wait(0.5):
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.say(name, f"exited with status {process.returncode}; stopping the others")
                    return 1
        return 0

    def stop(self) -> None:
        # SIGTERM to each leader, which stops its own children: the worker finishes the
        # tasks in hand and takes its pool down (a SIGTERM to the pool's processes
        # themselves would kill those tasks, and leave the worker waiting for them).
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(name, f"still running after {GRACE_SECONDS} s: killed")
        for name, process in self.processes.items():
            # The whole group: what a leader left behind (runserver's server process).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            (self.pid_dir / f"{name}.group").unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var")
    arguments = parser.parse_args()
    run_dir = arguments.run_dir.resolve()
    supervisor = Supervisor(commands(port=arguments.port, run_dir=run_dir), run_dir / "pids")

    def ask_to_stop(signum, frame):
        supervisor.stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, ask_to_stop)
    try:
        supervisor.start()
        status = supervisor.wait()
    finally:
        print("quickstart: stopping web, worker and beat", flush=True)
        supervisor.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
