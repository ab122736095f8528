"""Debian's PgBouncer in transaction mode in front of the tests' PostgreSQL.

Harsher than production's on purpose: `server_round_robin` lends the server connections
in turn rather than the one used last, so that two transactions of one client almost
never meet the same server connection, and anything the application left in a session
(a server-side cursor, a prepared statement, a SET) is missing at the next transaction.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from tests.fixtures.services import die_with_parent, free_port

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def installed() -> bool:
    return Path(PGBOUNCER).exists()


class PgBouncer:
    """`pgbouncer` on a free loopback port, passing every database name to `host:port`
    with the same user (trust, as the tests' PostgreSQL); `start()`, `url(...)`,
    `show(...)` (its admin console), `stop()`."""

    def __init__(self, *, host: str, port: int, pool_size: int = 4):
        # Its own directory, readable by the user it runs as (pytest's are private).
        self.directory = Path(tempfile.mkdtemp(prefix="alliance-pgbouncer-"))
        self.directory.chmod(0o755)
        self.server = (host, port)
        self.pool_size = pool_size
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, *, user: str, database: str) -> str:
        return f"postgres://{quote(user, safe='')}@127.0.0.1:{self.port}/{database}"

    def start(self, *, user: str, database: str, timeout: float = 10) -> "PgBouncer":
        self.user = user
        (self.directory / "userlist.txt").write_text(f'"{user}" ""\n')
        host, port = self.server
        config = self.directory / "pgbouncer.ini"
        config.write_text(
            f"""[databases]
{database} = host={host} port={port} dbname={database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.directory / "userlist.txt"}
admin_users = {user}
pool_mode = transaction
default_pool_size = {self.pool_size}
server_round_robin = 1
max_client_conn = 500
logfile = {self.directory / "pgbouncer.log"}
"""
        )
        command = [PGBOUNCER, str(config)]
        if os.geteuid() == 0:  # it refuses to run as root
            shutil.chown(self.directory, "postgres")
            for path in self.directory.iterdir():
                shutil.chown(path, "postgres")
            command = [PGBOUNCER, "-u", "postgres", str(config)]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited:\n{self.log_tail()}")
            with contextlib.suppress(subprocess.CalledProcessError):
                self.show("VERSION")
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pgbouncer did not start:\n{self.log_tail()}")

    def show(self, what: str) -> list[dict[str, str]]:
        """`SHOW <what>` on the admin console, as rows of column: value. (psql, because
        the console speaks only the simple query protocol.)"""
        result = subprocess.run(
            [_psql(), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user]
            + ["-d", "pgbouncer", "--csv", "-c", f"SHOW {what}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        header, *rows = result.stdout.splitlines()
        names = header.split(",")
        return [dict(zip(names, row.split(","), strict=False)) for row in rows]

    def open_every_server_connection(self, database: str) -> None:
        """Make PgBouncer open its whole pool to `database` now (pool_size transactions
        at once), so that from then on it lends a different connection to each transaction
        in turn. (min_pool_size fills a pool only while clients are connected.)"""
        import psycopg

        url = self.url(user=self.user, database=database)
        clients = [psycopg.connect(url, prepare_threshold=None) for _ in range(self.pool_size)]
        try:
            for client in clients:
                client.execute("SELECT 1")  # each holds its server connection: in a transaction
            for client in clients:
                client.rollback()  # a server connection left in a transaction would be closed
        finally:
            for client in clients:
                client.close()
        servers = [row for row in self.show("SERVERS") if row["database"] == database]
        if len(servers) != self.pool_size:
            raise RuntimeError(f"{len(servers)} of {self.pool_size} server connections open")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.directory / "pgbouncer.log").read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
    if not candidates:
        raise RuntimeError("psql is not installed (apt-get install postgresql-client)")
    return str(candidates[-1])
