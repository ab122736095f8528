import logging

from celery import shared_task
from django.utils import timezone

from alliance.core.outbox.retention import erase_sent_bodies
from statements.retention import (
    erase_offline_scans,
    erase_public_signer_addresses,
    erase_unconfirmed,
)

logger = logging.getLogger(__name__)


@shared_task
def apply_retention_policy():
    """Erase what the retention policy no longer lets us keep. Safe to run twice: each
    rule picks only rows that still hold what it erases."""
    now = timezone.now()
    erased = {
        "public signers' addresses": erase_public_signer_addresses(now=now),
        "unconfirmed public signatures": erase_unconfirmed(now=now),
        "sent email bodies": erase_sent_bodies(now=now),
        "scans of signatures received offline": erase_offline_scans(now=now),
    }
    logger.info("retention policy applied", extra={"erased": erased})
    return erased
