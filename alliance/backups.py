"""Backups that can be restored: the database (a consistent `pg_dump` in PostgreSQL's
custom format, or SQLite's online backup), the uploaded files, and a manifest with a
checksum of each and the number of rows of every table, kept in a directory or an
S3-compatible bucket, pruned to one a day for 14 days and one a week for 8 weeks.

`manage.py backup` and `manage.py restore` are the doors (docs/running/backups.md)."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from alliance import __version__

PREFIX = "alliance-"
NAME_FORMAT = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
KEEP_DAILY_DAYS = 14
KEEP_WEEKLY_WEEKS = 8


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason a person can act on."""


# --- where backups live ----------------------------------------------------------------


class DirectoryStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __str__(self):
        return str(self.path)

    def names(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.path.iterdir()
            if entry.name.startswith(PREFIX) and (entry / MANIFEST).exists()
        )

    def put(self, name: str, local: Path) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        partial = self.path / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(local, partial)
        partial.rename(self.path / name)  # whole or absent: never half a backup

    def get(self, name: str, local: Path) -> None:
        shutil.copytree(self.path / name, local, dirs_exist_ok=True)

    def delete(self, name: str) -> None:
        shutil.rmtree(self.path / name)


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, Backblaze, ...): `s3://bucket/prefix`, with
    BACKUP_S3_ENDPOINT_URL for services other than AWS and the usual AWS_* credentials."""

    def __init__(self, url: str):
        import boto3

        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None)
        self.url = url

    def __str__(self):
        return self.url

    def _key(self, *parts: str) -> str:
        return "/".join(part for part in (self.prefix, *parts) if part)

    def names(self) -> list[str]:
        found = set()
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(PREFIX)):
            for item in page.get("Contents", []):
                relative = item["Key"][len(self._key()) :].lstrip("/")
                name, _, filename = relative.partition("/")
                if filename == MANIFEST:
                    found.add(name)
        return sorted(found)

    def put(self, name: str, local: Path) -> None:
        # The manifest last: a backup without one is not listed, so never half restored.
        files = sorted(local.iterdir(), key=lambda path: path.name == MANIFEST)
        for path in files:
            self.client.upload_file(str(path), self.bucket, self._key(name, path.name))

    def get(self, name: str, local: Path) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(name) + "/"):
            for item in page.get("Contents", []):
                filename = item["Key"].rsplit("/", 1)[1]
                self.client.download_file(self.bucket, item["Key"], str(local / filename))

    def delete(self, name: str) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(name) + "/"):
            for item in page.get("Contents", []):
                self.client.delete_object(Bucket=self.bucket, Key=item["Key"])


def store_for(destination: str | Path):
    destination = str(destination)
    if destination.startswith("s3://"):
        return S3Store(destination)
    return DirectoryStore(destination)


# --- what is kept ----------------------------------------------------------------------


def backup_time(name: str) -> dt.datetime:
    return dt.datetime.strptime(name.removeprefix(PREFIX), NAME_FORMAT).replace(tzinfo=dt.UTC)


def names_to_keep(names: list[str], *, now: dt.datetime) -> set[str]:
    """The newest backup of each of the last 14 days and of each of the last 8 weeks."""
    keep = set()
    days, weeks = {}, {}
    for name in sorted(names, reverse=True):  # newest first
        taken = backup_time(name)
        age = now - taken
        if age <= dt.timedelta(days=KEEP_DAILY_DAYS):
            days.setdefault(taken.date(), name)
        if age <= dt.timedelta(weeks=KEEP_WEEKLY_WEEKS):
            weeks.setdefault(taken.isocalendar()[:2], name)
    keep.update(days.values(), weeks.values())
    if names:
        keep.add(max(names))  # never prune the newest, however old
    return keep


def prune(store, *, now: dt.datetime) -> list[str]:
    names = store.names()
    keep = names_to_keep(names, now=now)
    removed = [name for name in names if name not in keep]
    for name in removed:
        store.delete(name)
    return removed


# --- making one ------------------------------------------------------------------------


@dataclass
class Backup:
    name: str
    manifest: dict


def row_counts() -> dict[str, int]:
    """The rows of every model's table (many-to-many tables included)."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in sorted(
            apps.get_models(include_auto_created=True), key=lambda model: model._meta.db_table
        )
        if model._meta.managed
    }


def make_backup(*, destination: str | Path, now: dt.datetime | None = None) -> Backup:
    now = now or timezone.now()
    name = PREFIX + now.astimezone(dt.UTC).strftime(NAME_FORMAT)
    store = store_for(destination)
    with tempfile.TemporaryDirectory(prefix="alliance-backup-") as work:
        work = Path(work)
        database_file = _dump_database(work)
        files = [database_file]
        media = _media_root()
        if media is not None:
            archive = work / "media.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(media, arcname=".")
            files.append(archive)
        manifest = {
            "name": name,
            "created_at": now.isoformat(),
            "version": __version__,
            "database_vendor": connection.vendor,
            "files": {path.name: _sha256(path) for path in files},
            "row_counts": row_counts(),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        store.put(name, work)
    prune(store, now=now)
    return Backup(name=name, manifest=manifest)


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    if root and Path(root).is_dir():
        return Path(root)
    return None


def _dump_database(work: Path) -> Path:
    if connection.vendor == "postgresql":
        target = work / "database.dump"
        _run(
            [
                _pg_program("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *_pg_connection_arguments(),
            ]
        )
        return target
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return target
    raise BackupError(f"backups of a {connection.vendor} database are not supported")


# --- restoring one ---------------------------------------------------------------------


def restore_backup(*, source: str | Path, name: str = "latest") -> Backup:
    """Restore a backup into an EMPTY database (and its files into MEDIA_ROOT): checksums
    first, then the data, then the rows of every table counted against the manifest."""
    store = store_for(source)
    names = store.names()
    if not names:
        raise BackupError(f"there is no backup in {store}")
    if name == "latest":
        name = names[-1]
    elif name not in names:
        raise BackupError(f"there is no backup named {name} in {store}")
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupError(
            f"the database is not empty ({len(existing)} tables): restore into an empty "
            "database (docs/running/backups.md says how to make one)"
        )
    with tempfile.TemporaryDirectory(prefix="alliance-restore-") as work:
        work = Path(work)
        store.get(name, work)
        manifest = json.loads((work / MANIFEST).read_text())
        for filename, checksum in manifest["files"].items():
            if not (work / filename).exists() or _sha256(work / filename) != checksum:
                raise BackupError(f"{name}/{filename} is missing or damaged (checksum)")
        if manifest["database_vendor"] != connection.vendor:
            raise BackupError(
                f"{name} holds a {manifest['database_vendor']} database, not {connection.vendor}"
            )
        _restore_database(work)
        if "media.tar.gz" in manifest["files"]:
            _restore_media(work / "media.tar.gz")
    counts = row_counts()
    if counts != manifest["row_counts"]:
        differing = sorted(
            table
            for table in set(counts) | set(manifest["row_counts"])
            if counts.get(table) != manifest["row_counts"].get(table)
        )
        raise BackupError(f"restored, but these tables differ from the backup: {differing}")
    return Backup(name=name, manifest=manifest)


def _restore_database(work: Path) -> None:
    if connection.vendor == "postgresql":
        connection.close()
        _run(
            [
                _pg_program("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *_pg_connection_arguments(database_flag="--dbname"),
                str(work / "database.dump"),
            ]
        )
        return
    connection.ensure_connection()
    with sqlite3.connect(work / "database.sqlite3") as copy:
        copy.backup(connection.connection)


def _restore_media(archive: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(root, filter="data")


# --- helpers ---------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_program(name: str) -> str:
    """The client matching the server's major version (Debian installs several)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if versioned.exists():
        return str(versioned)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _pg_connection_arguments(database_flag: str = "--dbname") -> list[str]:
    database = connection.settings_dict
    arguments = []
    if database["HOST"]:
        arguments += ["--host", database["HOST"]]
    if database["PORT"]:
        arguments += ["--port", str(database["PORT"])]
    if database["USER"]:
        arguments += ["--username", database["USER"]]
    return [*arguments, database_flag, database["NAME"]]


def _run(command: list[str]) -> None:
    env = {**os.environ}
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")
