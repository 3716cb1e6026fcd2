"""``temporal.sqlite``: the day sets and derivations of time-dependent triples, per snapshot.

Read by explanations (which derivation holds on a given day) and by relationship profiles
(memberships and alliances with their periods) so they answer from the same computation as
the ``asOf`` views. Terms are stored in N-Triples syntax.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from milgraph.temporal.closure import Firing
from milgraph.temporal.dates import IntervalSet

FILENAME = "temporal.sqlite"

_SCHEMA = """
CREATE TABLE fact(
  id INTEGER PRIMARY KEY, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL,
  spans TEXT NOT NULL, asserted INTEGER NOT NULL);
CREATE TABLE firing(
  fact INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, rule TEXT NOT NULL,
  premises TEXT NOT NULL, detail TEXT NOT NULL);
"""
_INDEXES = """
CREATE UNIQUE INDEX fact_spo ON fact(s, p, o);
CREATE INDEX fact_po ON fact(p, o);
CREATE INDEX fact_o ON fact(o);
CREATE INDEX firing_fact ON firing(fact, lo);
"""


def write(
    path: Path,
    intervals: dict[ox.Triple, IntervalSet],
    firings: dict[ox.Triple, list[tuple[IntervalSet, Firing]]],
) -> None:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        fact_rows = []
        firing_rows = []
        for i, (t, days) in enumerate(intervals.items(), start=1):
            fs = firings.get(t, [])
            asserted = any(f.rule == "asserted" for _, f in fs)
            fact_rows.append(
                (
                    i,
                    str(t.subject),
                    str(t.predicate),
                    str(t.object),
                    json.dumps(days.spans),
                    int(asserted),
                )
            )
            for piece, firing in fs:
                premises = json.dumps(
                    [[str(p.subject), str(p.predicate), str(p.object)] for p in firing.premises]
                )
                detail = json.dumps(dict(firing.detail))
                for lo, hi in piece:
                    firing_rows.append((i, lo, hi, firing.rule, premises, detail))
        con.executemany("INSERT INTO fact VALUES (?,?,?,?,?,?)", fact_rows)
        con.executemany("INSERT INTO firing VALUES (?,?,?,?,?,?)", firing_rows)
        con.executescript(_INDEXES)
        con.commit()
    finally:
        con.close()


def parse_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term from its N-Triples form."""
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    quads = list(ox.parse(input=f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES))
    return quads[0].object


def parse_triple(parts: Iterable[str]) -> ox.Triple:
    s, p, o = (parse_term(x) for x in parts)
    return ox.Triple(s, p, o)


class TemporalStore:
    """Read-only access to one snapshot's ``temporal.sqlite`` (safe to share across threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._con.close()

    def _rows(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def days(self, t: ox.Triple) -> IntervalSet | None:
        """Days on which a time-dependent triple holds; None if it is not time-dependent."""
        rows = self._rows(
            "SELECT spans FROM fact WHERE s=? AND p=? AND o=?",
            (str(t.subject), str(t.predicate), str(t.object)),
        )
        if not rows:
            return None
        return IntervalSet(tuple(x) for x in json.loads(rows[0][0]))

    def is_asserted(self, t: ox.Triple) -> bool:
        rows = self._rows(
            "SELECT asserted FROM fact WHERE s=? AND p=? AND o=?",
            (str(t.subject), str(t.predicate), str(t.object)),
        )
        return bool(rows and rows[0][0])

    def firing(self, t: ox.Triple, day: int) -> Firing | None:
        """The derivation of ``t`` recorded for the piece of time holding ``day``."""
        rows = self._rows(
            "SELECT rule, premises, detail FROM firing JOIN fact ON fact.id = firing.fact "
            "WHERE s=? AND p=? AND o=? AND lo <= ? AND ? < hi ORDER BY rule != 'asserted' LIMIT 1",
            (str(t.subject), str(t.predicate), str(t.object), day, day),
        )
        if not rows:
            return None
        rule, premises, detail = rows[0]
        return Firing(
            rule,
            tuple(parse_triple(p) for p in json.loads(premises)),
            tuple(json.loads(detail).items()),
        )

    def match(
        self,
        s: ox.NamedNode | ox.BlankNode | None = None,
        p: ox.NamedNode | None = None,
        o: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
    ) -> Iterator[tuple[ox.Triple, IntervalSet]]:
        """Time-dependent triples matching a pattern (None = any), with their day sets."""
        where, args = [], []
        for col, term in (("s", s), ("p", p), ("o", o)):
            if term is not None:
                where.append(f"{col}=?")
                args.append(str(term))
        sql = "SELECT s, p, o, spans FROM fact" + (" WHERE " + " AND ".join(where) if where else "")
        for rs, rp, ro, spans in self._rows(sql, tuple(args)):
            yield (
                parse_triple((rs, rp, ro)),
                IntervalSet(tuple(x) for x in json.loads(spans)),
            )
