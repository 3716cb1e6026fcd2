"""``temporal.sqlite``: the day sets and derivations of time-dependent triples, per snapshot.

Read by explanations (which derivation holds on a given day) and by relationship profiles
(memberships and alliances with their periods) so they answer from the same computation as
the ``asOf`` views. Terms are stored in N-Triples syntax.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph.store import layout
from milgraph.temporal.closure import Firing
from milgraph.temporal.dates import IntervalSet
from milgraph.terms import from_ntriples

FILENAME = layout.TEMPORAL

_SCHEMA = """
CREATE TABLE term(id INTEGER PRIMARY KEY, nt TEXT NOT NULL);
CREATE TABLE fact(
  id INTEGER PRIMARY KEY, s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL,
  spans TEXT NOT NULL, asserted INTEGER NOT NULL);
CREATE TABLE unknown(fact INTEGER PRIMARY KEY, spans TEXT NOT NULL);
CREATE TABLE firing(
  fact INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, rule TEXT NOT NULL,
  premises TEXT NOT NULL, detail TEXT NOT NULL);
"""
_INDEXES = """
CREATE UNIQUE INDEX term_nt ON term(nt);
CREATE UNIQUE INDEX fact_spo ON fact(s, p, o);
CREATE INDEX fact_po ON fact(p, o);
CREATE INDEX fact_o ON fact(o);
CREATE INDEX firing_fact ON firing(fact, lo);
"""


def write(
    path: Path,
    intervals: dict[ox.Triple, IntervalSet],
    firings: dict[ox.Triple, list[tuple[IntervalSet, Firing]]],
    unknown: dict[ox.Triple, IntervalSet] | None = None,
) -> None:
    """Terms are interned (premises are lists of term ids) to keep the file small.
    ``unknown``: per triple, the days its partial dates leave in doubt."""
    unknown = unknown or {}
    path.unlink(missing_ok=True)
    terms: dict[str, int] = {}

    def tid(term: object) -> int:
        text = str(term)
        found = terms.get(text)
        if found is None:
            found = terms[text] = len(terms) + 1
        return found

    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        fact_rows = []
        firing_rows = []
        unknown_rows = []
        for i, (t, days) in enumerate(intervals.items(), start=1):
            if t in unknown:
                unknown_rows.append((i, _spans(unknown[t])))
            fs = firings.get(t, [])
            asserted = any(f.rule == "asserted" for _, f in fs)
            fact_rows.append(
                (i, tid(t.subject), tid(t.predicate), tid(t.object), _spans(days), int(asserted))
            )
            for piece, firing in fs:
                premises = json.dumps(
                    [[tid(p.subject), tid(p.predicate), tid(p.object)] for p in firing.premises],
                    separators=(",", ":"),
                )
                detail = json.dumps(dict(firing.detail), separators=(",", ":"))
                for lo, hi in piece:
                    firing_rows.append((i, lo, hi, firing.rule, premises, detail))
        con.executemany("INSERT INTO term VALUES (?,?)", ((i, t) for t, i in terms.items()))
        con.executemany("INSERT INTO fact VALUES (?,?,?,?,?,?)", fact_rows)
        con.executemany("INSERT INTO firing VALUES (?,?,?,?,?,?)", firing_rows)
        con.executemany("INSERT INTO unknown VALUES (?,?)", unknown_rows)
        con.executescript(_INDEXES)
        con.commit()
    finally:
        con.close()


def _spans(days: IntervalSet) -> str:
    return json.dumps(days.spans, separators=(",", ":"))


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

    def _ids(self, *terms: object) -> list[int | None]:
        out: list[int | None] = []
        for term in terms:
            if term is None:
                out.append(None)
                continue
            rows = self._rows("SELECT id FROM term WHERE nt=?", (str(term),))
            out.append(rows[0][0] if rows else -1)
        return out

    def _terms(self, ids: set[int]) -> dict[int, Any]:
        """Terms by id (of any position: the triples stored say which stands where)."""
        out: dict[int, Any] = {}
        ordered = sorted(ids)
        for k in range(0, len(ordered), 500):
            chunk = ordered[k : k + 500]
            marks = ",".join("?" * len(chunk))
            for i, nt in self._rows(f"SELECT id, nt FROM term WHERE id IN ({marks})", tuple(chunk)):
                out[i] = from_ntriples(nt)
        return out

    def _fact(self, t: ox.Triple) -> tuple | None:
        s, p, o = self._ids(t.subject, t.predicate, t.object)
        rows = self._rows(
            "SELECT id, spans, asserted FROM fact WHERE s=? AND p=? AND o=?", (s, p, o)
        )
        return rows[0] if rows else None

    def days(self, t: ox.Triple) -> IntervalSet | None:
        """Days on which a time-dependent triple holds; None if it is not time-dependent."""
        row = self._fact(t)
        return None if row is None else IntervalSet(tuple(x) for x in json.loads(row[1]))

    def unknown(self, t: ox.Triple) -> IntervalSet:
        """Days on which ``t`` is in the views only by the possible reading of a partial
        date (empty if none)."""
        row = self._fact(t)
        if row is None:
            return IntervalSet()
        rows = self._rows("SELECT spans FROM unknown WHERE fact=?", (row[0],))
        return IntervalSet(tuple(x) for x in json.loads(rows[0][0])) if rows else IntervalSet()

    def is_asserted(self, t: ox.Triple) -> bool:
        row = self._fact(t)
        return bool(row and row[2])

    def firing(self, t: ox.Triple, day: int) -> tuple[Firing, IntervalSet] | None:
        """The derivation of ``t`` recorded for the piece of time holding ``day``, with that
        piece (the derivation's premises hold on all of it)."""
        row = self._fact(t)
        if row is None:
            return None
        rows = self._rows(
            "SELECT rule, premises, detail, lo, hi FROM firing WHERE fact=? AND lo <= ? AND ? < hi "
            "ORDER BY rule != 'asserted' LIMIT 1",
            (row[0], day, day),
        )
        if not rows:
            return None
        rule, premises, detail, lo, hi = rows[0]
        ids = [tuple(x) for x in json.loads(premises)]
        terms = self._terms({i for triple in ids for i in triple})
        firing = Firing(
            rule,
            tuple(ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in ids),
            tuple(json.loads(detail).items()),
        )
        return firing, IntervalSet.of(lo, hi)

    def match(
        self,
        s: ox.NamedNode | ox.BlankNode | None = None,
        p: ox.NamedNode | None = None,
        o: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
    ) -> Iterator[tuple[ox.Triple, IntervalSet]]:
        """Time-dependent triples matching a pattern (None = any), with their day sets."""
        where, args = [], []
        for col, term_id in zip(("s", "p", "o"), self._ids(s, p, o), strict=True):
            if term_id is not None:
                where.append(f"{col}=?")
                args.append(term_id)
        sql = "SELECT s, p, o, spans FROM fact" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._rows(sql, tuple(args))
        terms = self._terms({i for r in rows for i in r[:3]})
        for rs, rp, ro, spans in rows:
            yield (
                ox.Triple(terms[rs], terms[rp], terms[ro]),
                IntervalSet(tuple(x) for x in json.loads(spans)),
            )
