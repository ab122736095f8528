"""Reading the uploaded file: its size, its encoding, its delimiter and its header, and
the template convenors fill in.
"""

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# An upload above this is refused before it is read: 20 MB holds some 50,000 rows.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


MAX_ROWS = 20_000


COLUMNS = [
    "name",
    "short_name",
    "kind",
    "country",
    "city",
    "website",
    "description",
    "focus_areas",
    "national_alliance",
    "contact_name",
    "contact_email",
    "contact_role",
    "contact_language",
    "contact_authorised_to_sign",
    "consent_text",
]


REQUIRED_COLUMNS = ["name", "kind", "country"]


CONTACT_COLUMNS = [name for name in COLUMNS if name.startswith("contact_")] + ["consent_text"]


def template_csv() -> str:
    """The header and one example line, for convenors to fill in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Kapchorwa Women Farmers Cooperative",
            "KWFC",
            "womens_rights",
            "UG",
            "Kapchorwa",
            "https://kwfc.example.org",
            "Women farmers organising for land rights.",
            "gender;land",
            "",
            "Sarah Chebet",
            "sarah@kwfc.example.org",
            "Chairperson",
            "en",
            "yes",
            "Agreed by email on 2025-03-01 to be contacted by the alliance.",
        ]
    )
    return buffer.getvalue()


def read_upload(upload) -> str:
    """The uploaded file as text, or ValidationError saying what is wrong with it.

    The size is checked before a byte is read; decoding stops at the first bytes that
    are not UTF-8 (garbage fails there, at once) and names their line."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
            params={
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
            },
        )
    return decode(upload.read())


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValidationError(
            _(
                "The file is not UTF-8 text: line %(line)s has bytes that are not. Save it "
                'as "CSV UTF-8" (in Excel or LibreOffice: Save as, CSV, UTF-8) and upload '
                "it again."
            ),
            params={"line": line},
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValidationError(
            _("This is not a CSV file: line %(line)s contains binary data."),
            params={"line": line},
        )
    return text


# What spreadsheets write: commas, semicolons where the comma is the decimal separator
# (French, Spanish and Portuguese locales), tabs when copied or exported as "text".
DELIMITERS = (",", ";", "\t")


def detect_delimiter(text: str, columns=COLUMNS) -> str:
    """The delimiter that splits the header line into the most known column names; a
    comma when none does better (the header check then says what is missing)."""
    header_line = text.partition("\n")[0]

    def known_columns(delimiter: str) -> int:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(cell.strip().lower() in columns for cell in cells)

    # max() keeps the first of equals: the comma wins a tie.
    return max(DELIMITERS, key=known_columns)


def read_table(
    text: str, *, columns, check_header, max_rows: int
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A spreadsheet saved as CSV: its header, in lower case, passed to `check_header`
    (which raises ValidationError), and its non-empty rows with the line each starts on;
    ValidationError for an empty file, a file of more than `max_rows` rows, or one that
    is not CSV. The organisation import and the offline signatures' import read with it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text, columns))
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError(_("The file is empty."))
        header = [name.strip().lower() for name in header]
        check_header(header)
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == max_rows:
                    raise ValidationError(
                        _("The file has more than %(max)s rows: split it into smaller files."),
                        params={"max": f"{max_rows:,}"},
                    )
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ValidationError(
            _("This is not a valid CSV file: line %(line)s: %(error)s."),
            params={"line": reader.line_num, "error": error},
        ) from None
    if not rows:
        raise ValidationError(_("The file has a header but no rows."))
    return header, rows


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    return read_table(text, columns=COLUMNS, check_header=_check_header, max_rows=MAX_ROWS)


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in "|:"):
            hint = " " + _("Separate the columns with commas, semicolons or tabs.")
        raise ValidationError(
            _("Missing columns: %(missing)s. Start from the template.") + hint,
            params={"missing": ", ".join(missing)},
        )
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s."),
            params={"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)},
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationError(
            _("Columns named twice: %(repeated)s."), params={"repeated": ", ".join(repeated)}
        )
