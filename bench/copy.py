"""Rows into PostgreSQL with COPY (psycopg2 copy_expert), in the text format."""
import datetime
import io
import json

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


NULL = "\\N"


def nullable(value) -> str:
    return NULL if value is None else str(value)


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date):  # dates and aware datetimes
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value)  # int, Decimal, UUID


class CopyBuffer:
    """Rows for one table, sent with a single COPY."""

    def __init__(self, table: str, columns: str):
        self.table, self.columns = table, columns
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(map(_text, values)) + "\n")
        self.rows += 1

    def add_plain(self, *values: str) -> None:
        """A row of values already in COPY text form: strings without tab, newline or
        backslash (the generator's own vocabulary), and NULL as \\N. Several times faster."""
        self.buffer.write("\t".join(values) + "\n")
        self.rows += 1

    def flush(self, cursor) -> None:
        if self.rows:
            self.buffer.seek(0)
            cursor.copy_expert(f"COPY {self.table} ({self.columns}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()
        self.rows = 0
