"""CSV import of organisations and their contacts (journey 3).

A convenor uploads a CSV (the template is `template_csv()`); `check_upload` reads it,
refuses a file that cannot be read as a whole (not UTF-8, not CSV, missing or unknown
columns, too big, too many rows) and otherwise stores it with a dry-run report: line by
line, what would be created, updated, left unchanged or rejected, and why. Columns may
be separated by commas, semicolons or tabs (`detect_delimiter` reads the header line);
a UTF-8 byte order mark is ignored.

The real run (`start_import`, then the Celery task `members.tasks.run_import`, which
calls `run_import`) checks the file again against the database as it is then, and
writes everything in one transaction: all or nothing. If any line is rejected nothing
is written, unless the convenor chose "import the valid rows only" after reading the
rejected lines: a file with a few bad lines out of thousands should not have to be
fixed before the good ones can go in, but that must be a decision, not an accident.

Matching follows `members.services.find_duplicates` (same website domain, or the same
name in the same country), done in bulk: a line that matches one organisation updates
it, one that matches several is rejected. Empty cells leave existing values alone.

One module per step: reading (the file), rows (checking each line), dry_run (the plan
and the stored report) and real_run (the import and its task plumbing).
`from members.imports import <name>` works for every public name of the package."""

from members.imports.dry_run import (
    Plan,
    check_upload,
    contact_changes,
    plan_import,
)
from members.imports.reading import (
    COLUMNS,
    CONTACT_COLUMNS,
    DELIMITERS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    REQUIRED_COLUMNS,
    decode,
    detect_delimiter,
    read_rows,
    read_table,
    read_upload,
    template_csv,
)
from members.imports.real_run import (
    CHUNK,
    progress_key,
    requeue_lost_imports,
    rows_done,
    run_import,
    start_import,
    unique_slugs,
)
from members.imports.rows import (
    CONTACT_FIELDS,
    CREATE,
    NO,
    PROFILE_FIELDS,
    REJECT,
    UNCHANGED,
    UPDATE,
    YES,
    Line,
    Lookups,
    Problem,
    clean_line,
    describe,
)

__all__ = [
    "CHUNK",
    "COLUMNS",
    "CONTACT_COLUMNS",
    "CONTACT_FIELDS",
    "CREATE",
    "DELIMITERS",
    "Line",
    "Lookups",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NO",
    "PROFILE_FIELDS",
    "Plan",
    "Problem",
    "REJECT",
    "REQUIRED_COLUMNS",
    "UNCHANGED",
    "UPDATE",
    "YES",
    "check_upload",
    "clean_line",
    "contact_changes",
    "decode",
    "describe",
    "detect_delimiter",
    "plan_import",
    "progress_key",
    "read_rows",
    "read_table",
    "read_upload",
    "requeue_lost_imports",
    "rows_done",
    "run_import",
    "start_import",
    "template_csv",
    "unique_slugs",
]
