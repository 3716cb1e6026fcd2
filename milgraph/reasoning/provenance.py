"""Derivations on disk: one row per inferred triple (rule + premises), looked up by triple.

SQLite, dictionary-encoded: ``term(id, kind, value, extra)`` and
``derivation(s, p, o, rule, premises, published)`` keyed by the triple's term ids, premises
packed as little-endian uint32 id triples. Besides the published inferred triples it keeps the
noise triples their derivations rest on (e.g. ``"5"^^xsd:int rdf:type xsd:decimal``), with
``published = 0``, so an explanation can always be followed down to asserted triples.
"""

from __future__ import annotations

import sqlite3
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph.errors import SnapshotError
from milgraph.reasoning.reasoner import VERSION, AnyTriple, Derivation, ReasoningResult
from milgraph.reasoning.terms import GeneralizedTriple, Term

FORMAT = "milgraph-provenance/1"
IRI_KIND, BNODE_KIND, TYPED_KIND, LANG_KIND, TRIPLE_KIND = range(5)

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE term(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, value TEXT NOT NULL,
                  extra TEXT NOT NULL DEFAULT '');
CREATE TABLE rule(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE derivation(s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL,
                        rule INTEGER NOT NULL, premises BLOB NOT NULL,
                        published INTEGER NOT NULL,
                        PRIMARY KEY (s, p, o)) WITHOUT ROWID;
"""
_INDEXES = "CREATE UNIQUE INDEX term_key ON term(kind, value, extra);"


def _term_key(term: Term) -> tuple[int, str, str]:
    if isinstance(term, ox.NamedNode):
        return (IRI_KIND, term.value, "")
    if isinstance(term, ox.BlankNode):
        return (BNODE_KIND, term.value, "")
    if isinstance(term, ox.Literal):
        if term.language:
            return (LANG_KIND, term.value, term.language)
        return (TYPED_KIND, term.value, term.datatype.value)
    return (TRIPLE_KIND, str(term), "")


def _term(kind: int, value: str, extra: str) -> Term:
    if kind == IRI_KIND:
        return ox.NamedNode(value)
    if kind == BNODE_KIND:
        return ox.BlankNode(value)
    if kind == TYPED_KIND:
        return ox.Literal(value, datatype=ox.NamedNode(extra))
    if kind == LANG_KIND:
        return ox.Literal(value, language=extra)
    doc = f"<urn:x:s> <urn:x:p> <<( {value} )>> .".encode()
    return next(iter(ox.parse(doc, format=ox.RdfFormat.N_TRIPLES))).object


def _pack(premises: tuple[tuple[int, int, int], ...]) -> bytes:
    flat = [i for t in premises for i in t]
    return struct.pack(f"<{len(flat)}I", *flat)


def _unpack(blob: bytes) -> list[tuple[int, int, int]]:
    flat = struct.unpack(f"<{len(blob) // 4}I", blob)
    return [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)]


def write_provenance(path: Path | str, result: ReasoningResult) -> None:
    """Write one derivation per inferred triple (and per noise premise) to a new SQLite file."""
    path = Path(path)
    if path.exists():
        path.unlink()
    table = result._table
    derived = result._derived
    published = result._published
    rule_ids: dict[str, int] = {}
    used: set[int] = set()
    rows = []
    for t in result._support:
        rule, premises = derived[t]
        rid = rule_ids.setdefault(rule, len(rule_ids) + 1)
        used.update(t)
        for p in premises:
            used.update(p)
        rows.append((*t, rid, _pack(premises), 1 if t in published else 0))
    conn = sqlite3.connect(path)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", FORMAT), ("reasoner", VERSION), ("derivations", str(len(rows))),
            ("published", str(len(published))),
        ])
        terms = table.terms
        conn.executemany("INSERT INTO term VALUES (?, ?, ?, ?)",
                         ((i, *_term_key(terms[i])) for i in sorted(used)))
        conn.executemany("INSERT INTO rule VALUES (?, ?)",
                         ((rid, name) for name, rid in rule_ids.items()))
        conn.executemany("INSERT INTO derivation VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.executescript(_INDEXES)
        conn.commit()
    finally:
        conn.close()


@dataclass(frozen=True)
class Explanation:
    """A triple and why it holds: ``rule`` is None for an asserted triple (a leaf)."""

    triple: AnyTriple
    rule: str | None
    premises: tuple[Explanation, ...] = ()

    def lines(self, indent: str = "") -> Iterator[str]:
        """The tree as indented text lines, e.g. for a CLI."""
        yield f"{indent}{self.triple}  [{self.rule or 'asserted'}]"
        for p in self.premises:
            yield from p.lines(indent + "  ")


class ProvenanceStore:
    """Read side of ``provenance.sqlite``: the derivation of a triple, or its whole tree.
    Safe to share across threads (one connection, used under a lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise SnapshotError(f"{self.path}: provenance file not found (rebuild the snapshot)")
        self._conn = sqlite3.connect(f"file:{self.path.as_posix()}?mode=ro", uri=True,
                                     check_same_thread=False)
        try:
            fmt = self._conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SnapshotError(f"{self.path}: not a provenance file ({exc})") from None
        if not fmt or fmt[0] != FORMAT:
            raise SnapshotError(f"{self.path}: unknown provenance format {fmt and fmt[0]!r} "
                                "(rebuild the snapshot with this version)")
        self._rules = dict(self._conn.execute("SELECT id, name FROM rule"))
        self._terms: dict[int, Term] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ProvenanceStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM derivation").fetchone()[0]

    def _id(self, term: Term) -> int | None:
        row = self._conn.execute("SELECT id FROM term WHERE kind=? AND value=? AND extra=?",
                                 _term_key(term)).fetchone()
        return row[0] if row else None

    def _decode(self, i: int) -> Term:
        term = self._terms.get(i)
        if term is None:
            kind, value, extra = self._conn.execute(
                "SELECT kind, value, extra FROM term WHERE id=?", (i,)).fetchone()
            term = self._terms[i] = _term(kind, value, extra)
        return term

    def _triple(self, t: tuple[int, int, int]) -> AnyTriple:
        s, p, o = (self._decode(i) for i in t)
        terms: tuple[Any, Any, Any] = (s, p, o)  # ox.Triple refuses a generalized triple
        try:
            return ox.Triple(*terms)
        except TypeError:
            return GeneralizedTriple(s, p, o)

    def derivation(self, triple: AnyTriple) -> Derivation | None:
        """The recorded derivation, or None (the triple is asserted, or not in this graph)."""
        with self._lock:
            return self._derivation(triple)

    def _derivation(self, triple: AnyTriple) -> Derivation | None:
        ids = (self._id(triple.subject), self._id(triple.predicate), self._id(triple.object))
        if None in ids:
            return None
        row = self._conn.execute("SELECT rule, premises FROM derivation WHERE s=? AND p=? AND o=?",
                                 ids).fetchone()
        if row is None:
            return None
        return Derivation(self._rules[row[0]], tuple(self._triple(t) for t in _unpack(row[1])))

    def explain(self, triple: AnyTriple, max_depth: int = 64) -> Explanation:
        """The derivation tree down to asserted triples (deeper levels cut at ``max_depth``)."""
        memo: dict[AnyTriple, Explanation] = {}

        def build(t: AnyTriple, depth: int) -> Explanation:
            if t in memo:
                return memo[t]
            d = self.derivation(t)
            if d is None:
                node = Explanation(t, None)
            elif depth >= max_depth:
                node = Explanation(t, d.rule)
            else:
                node = Explanation(t, d.rule, tuple(build(p, depth + 1) for p in d.premises))
            memo[t] = node
            return node

        return build(triple, 0)
