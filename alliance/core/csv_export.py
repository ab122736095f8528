"""Every CSV the site hands out goes through `csv_response`: one place that defuses the
cells a spreadsheet would run as formulas. Names in these files come from strangers
(anonymous signers, RSVP forms, imports), and a cell such as `=HYPERLINK(...)` opened by a
convenor would run on their machine."""

import csv
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import get_language, override

# Spreadsheets start a formula with these; tab and carriage return hide one behind them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a spreadsheet shows it and never runs it: text starting like a formula
    gets a leading apostrophe. Numbers stay numbers (-3 is not a formula)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A download of `header` then `rows`, streamed as they are read (rows may be a
    generator over a database cursor), every cell defused."""
    # The rows are written after the view returns: keep the request's language for
    # the translated labels among them.
    language = get_language()

    def lines():
        writer = csv.writer(_Echo())
        with override(language):
            yield writer.writerow([safe_cell(cell) for cell in header])
            for row in rows:
                yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
