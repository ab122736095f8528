"""Beat's scheduler: Celery's own, holding a lock in the database while it sends, and
writing down when it sent each entry.

Every periodic task here is safe to run twice, but a second beat started by mistake on
another machine would still double every reminder scan and sweep; with this scheduler it
waits, and takes over only when the first stops renewing the lock."""

import logging
import os
import socket
import uuid
from datetime import timedelta

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

LOCK_NAME = "beat"


def hold_lock(holder: str, *, seconds: int) -> bool:
    """Take or renew the beat lock for `holder`; True if it holds it now."""
    now = timezone.now()
    from alliance.monitoring.models import BeatLock

    with transaction.atomic():
        BeatLock.objects.get_or_create(name=LOCK_NAME, defaults={"expires_at": now})
        taken = (
            BeatLock.objects.filter(name=LOCK_NAME)
            .filter(Q(holder=holder) | Q(expires_at__lt=now) | Q(holder=""))
            .update(holder=holder, expires_at=now + timedelta(seconds=seconds))
        )
    return taken == 1


def release_lock(holder: str) -> None:
    from alliance.monitoring.models import BeatLock

    BeatLock.objects.filter(name=LOCK_NAME, holder=holder).update(
        holder="", expires_at=timezone.now()
    )


def record_sent(entry: str, task: str) -> None:
    from alliance.monitoring.models import BeatRun

    BeatRun.objects.update_or_create(
        entry=entry, defaults={"task": task, "last_sent_at": timezone.now()}
    )


class LockedScheduler(PersistentScheduler):
    """`celery beat --scheduler alliance.monitoring.beat:LockedScheduler` (settings set it)."""

    def __init__(self, *args, **kwargs):
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = None  # not asked yet: the first answer is logged either way
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        seconds = settings.BEAT_LOCK_SECONDS
        try:
            holding = hold_lock(self.holder, seconds=seconds)
        except DatabaseError:
            logger.warning("beat could not reach the database for its lock", exc_info=True)
            holding = False
        if holding != self.holding:
            logger.info("beat %s the lock (%s)", "took" if holding else "waits for", self.holder)
            self.holding = holding
        if not holding:
            return seconds / 3
        # Renew well before the lock expires, however far away the next entry is.
        return min(super().tick(*args, **kwargs), seconds / 3)

    def apply_entry(self, entry, producer=None):
        super().apply_entry(entry, producer=producer)
        try:
            record_sent(entry.name, entry.task)
        except DatabaseError:
            logger.warning("beat could not record sending %s", entry.name, exc_info=True)

    def close(self):
        if self.holding:
            try:
                release_lock(self.holder)
            except DatabaseError:
                logger.warning("beat could not release its lock", exc_info=True)
        super().close()
