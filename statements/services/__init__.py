"""Operations on joint statements, one module per journey: drafting, circulation,
signing, public signing (the form's side, then the worker's), reminders and publication.

`from statements.services import <name>` works for every public name of the package."""

from statements.services.circulation import (
    CirculationPreview,
    Tally,
    Tracking,
    circulate,
    contacts_to_write_to,
    local_date_time,
    preview_circulation,
    request_emails,
    signing_path,
    tracking,
)
from statements.services.drafting import (
    AUDITED_SETTINGS,
    TextInput,
    save_statement,
)
from statements.services.public_processing import (
    PROCESSING_BATCH_SIZE,
    expire_unconfirmed_signatures,
    process_public_submissions,
)
from statements.services.public_signing import (
    ADDRESS_DIGEST_SALT,
    OVER_LIMIT,
    PROCESSOR_WAKE_SECONDS,
    RATE_KEY_PREFIX,
    address_digest,
    sign_publicly,
    wake_processor_on_next_submission,
)
from statements.services.publication import (
    publish,
    publish_due_statements,
)
from statements.services.reminders import (
    DEADLINE_MORNING_HOUR,
    REMINDER_GRACE,
    reminder_due_at,
    send_due_reminders,
)
from statements.services.signing import (
    MAX_CONFIRMATION_EMAILS,
    AlreadySigned,
    Signatory,
    canonical_email,
    claim_signature,
    confirm_current_text,
    decline,
    is_own_address,
    live_signature,
    moderate,
    send_signature_confirmation,
    sign,
    verify_signature,
    withdraw,
)

__all__ = [
    "local_date_time",
    "request_emails",
    "ADDRESS_DIGEST_SALT",
    "AUDITED_SETTINGS",
    "AlreadySigned",
    "CirculationPreview",
    "DEADLINE_MORNING_HOUR",
    "MAX_CONFIRMATION_EMAILS",
    "OVER_LIMIT",
    "PROCESSING_BATCH_SIZE",
    "PROCESSOR_WAKE_SECONDS",
    "RATE_KEY_PREFIX",
    "REMINDER_GRACE",
    "Signatory",
    "Tally",
    "TextInput",
    "Tracking",
    "address_digest",
    "canonical_email",
    "circulate",
    "claim_signature",
    "confirm_current_text",
    "contacts_to_write_to",
    "decline",
    "expire_unconfirmed_signatures",
    "is_own_address",
    "live_signature",
    "moderate",
    "preview_circulation",
    "process_public_submissions",
    "publish",
    "publish_due_statements",
    "reminder_due_at",
    "save_statement",
    "send_due_reminders",
    "send_signature_confirmation",
    "sign",
    "sign_publicly",
    "signing_path",
    "tracking",
    "verify_signature",
    "wake_processor_on_next_submission",
    "withdraw",
]
