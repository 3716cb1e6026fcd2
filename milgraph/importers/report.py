"""What an import did: rows read, records written, rows rejected (and why), things to know.

A rejected row is one that produced no record at all; a note is a row that was imported but
with something a data steward should know (an unresolved participant, a duplicated id, a
record split at a change of state identity).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class RowProblem:
    """One row-level finding, located as ``file:line``."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    sources: list[Path] = field(default_factory=list)
    output: Path | None = None
    rows_read: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    tallies: Counter[str] = field(default_factory=Counter)
    rejected: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)
    #: country names (or codes) that resolved to no node: (name, reason) -> occurrences,
    #: first place seen. Written to ``<output>.unmapped.tsv`` (see unmapped_table).
    unmapped: dict[tuple[str, str], list] = field(default_factory=dict)
    triples: int = 0

    def read(self, file: str, n: int = 1) -> None:
        self.rows_read[file] += n

    def wrote(self, record_type: str, n: int = 1) -> None:
        self.records[record_type] += n

    def tally(self, what: str, n: int = 1) -> None:
        """Count something that is neither a record nor a problem (e.g. hosts derived)."""
        self.tallies[what] += n

    def reject(self, file: str, line: int, reason: str) -> None:
        self.rejected.append(RowProblem(file, line, reason))

    def note(self, file: str, line: int, reason: str) -> None:
        self.notes.append(RowProblem(file, line, reason))

    def unmapped_name(self, name: str, reason: str, file: str, line: int) -> None:
        """Count a name that resolved to no node (the report lists every one)."""
        entry = self.unmapped.setdefault((name, reason), [0, RowProblem(file, line, "")])
        entry[0] += 1
        entry[1] = min(entry[1], RowProblem(file, line, ""))

    def unmapped_table(self) -> str:
        """Every unmapped name, one per line (TSV), sorted: the steward's to-do list."""
        lines = ["name\treason\toccurrences\tfirst seen"]
        for (name, reason), (n, where) in sorted(self.unmapped.items()):
            lines.append(f"{name}\t{reason}\t{n}\t{where.file}:{where.line}")
        return "\n".join(lines) + "\n"

    @property
    def total_rows(self) -> int:
        return sum(self.rows_read.values())

    def note_summary(self) -> Counter[str]:
        """Notes grouped by their reason with row-specific details removed (text before ':')."""
        return Counter(n.reason.split(":")[0] for n in self.notes)

    def as_text(self) -> str:
        """Plain-text report (the CLI prints a rich version of the same content)."""
        out = [f"import {self.kind}"]
        for f, n in sorted(self.rows_read.items()):
            out.append(f"  rows read     {f}: {n}")
        for r, n in sorted(self.records.items()):
            out.append(f"  written       {r}: {n}")
        for t, n in sorted(self.tallies.items()):
            out.append(f"  counted       {t}: {n}")
        out.append(f"  triples       {self.triples}")
        out.append(f"  rejected rows {len(self.rejected)}")
        out.extend(f"    {p}" for p in sorted(self.rejected))
        out.append(f"  notes         {len(self.notes)}")
        out.extend(f"    {reason}: {n}" for reason, n in sorted(self.note_summary().items()))
        out.append(f"  unmapped names {len(self.unmapped)}")
        out.extend(f"    {name}: {reason} ({n}x)"
                   for (name, reason), (n, _) in sorted(self.unmapped.items()))
        if self.output:
            out.append(f"  output        {self.output}")
        return "\n".join(out)
