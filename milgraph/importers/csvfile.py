"""Reading the datasets' CSV files with line numbers, and clear errors for broken files."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from milgraph.errors import InputError, Location

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Where the shared research datasets live, relative to the repository root.
DATASETS_DIR = PROJECT_ROOT.parent / "shared" / "datasets"


def shown(path: Path) -> str:
    """A path as people should see it: relative to the repository (``../shared/...`` for the
    shared datasets next to it), absolute when further away."""
    rel = os.path.relpath(os.path.abspath(path), PROJECT_ROOT)
    return str(path) if rel.startswith(f"..{os.sep}..") else rel


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    problem: str | None = None

    def __getitem__(self, column: str) -> str:
        return self.values[column].strip()


def find_file(path: Path, name: str) -> Path:
    """``path`` itself if it is a file, else ``path/name``; an error naming both if absent."""
    if not path.exists():
        raise InputError(Location(shown(path)), "no such file or folder",
                         f"pass the dataset file or the folder holding {name}")
    candidate = path / name if path.is_dir() else path
    if not candidate.is_file():
        where = shown(candidate)
        hint = f"pass the dataset file or the folder holding {name}"
        raise InputError(Location(where), "file not found", hint)
    return candidate


def read_rows(path: Path, required: Sequence[str]) -> Iterator[CsvRow]:
    """Yield each non-blank data row of a UTF-8 CSV file with a header, with its line number.

    The header must name every column in ``required`` (else the file is malformed: an error
    naming the file and line 1). A row with more or fewer fields than the header is yielded
    with ``problem`` set, so the importer can reject it with that reason.
    """
    where = shown(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(Location(where), f"cannot open: {exc.strerror}") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(Location(where, line), f"not UTF-8 (byte 0x{raw[exc.start]:02x})",
                         "save the file as UTF-8") from exc
    with io.StringIO(content, newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputError(Location(where, 1), f"unreadable header: {exc}") from exc
        if not header:
            raise InputError(Location(where, 1), "empty file: no header row",
                             "export the dataset again with its header line")
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                Location(where, 1),
                f"header lacks column(s) {', '.join(missing[:5])}"
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                "is this the right file? compare with the dataset's codebook",
            )
        line = 1
        while True:
            start = line + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(Location(where, start), f"malformed CSV: {exc}",
                                 "fix the quoting of this line") from exc
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            problem = None
            if len(fields) != len(header):
                problem = f"{len(fields)} fields where the header has {len(header)}"
            padded = fields + [""] * (len(header) - len(fields))
            yield CsvRow(start, dict(zip(header, padded, strict=False)), problem)
