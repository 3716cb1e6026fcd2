"""The search index: one SQLite file per snapshot (``search.sqlite``), FTS5 with trigrams.

Why this shape: names are short (labels, alt labels, acronyms, codes), so a trigram index
finds a name from any part of it, and a B-tree on the folded names serves exact and prefix
look-ups (two-letter names such as "UN" too). Text is folded (Unicode NFKD without marks,
case-folded, punctuation to spaces) before it is indexed and before it is looked up, so
"Türkiye", "TURKIYE" and "turkiye" are one name.

Typos: each word of the text that no name contains is replaced by its nearest known words
(the distinct words of all names, in a trigram FTS5 table of their own; "malabr" shares
``mal ala lab`` with "malabar", scored with :class:`difflib.SequenceMatcher`, at least 0.8),
and the corrected text is looked up again. Correcting words, not whole names, keeps a typo to
a millisecond or two (docs/benchmarks.md: OR-ing every trigram into one query cost 80–120 ms).

Ranks, best first: the name itself, a name starting with the text, a word starting with it,
a name containing it, then the same for a corrected spelling (scaled by its similarity); ties
go to a label over an alt label, to an organisation, nation or agreement over an exercise or
course, then to the shorter label.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from typing_extensions import TypedDict

from milgraph.errors import QueryError
from milgraph.namespaces import ASSERTED_GRAPH, MIL_IRI, RDFS_LABEL, SKOS_IRI, sparql_prologue
from milgraph.store import layout
from milgraph.store.base import GraphStore
from milgraph.store.snapshot import Snapshot

#: The types a search may be restricted to, and the classes each covers.
KINDS: dict[str, tuple[str, ...]] = {
    "exercise": ("ExerciseSeries", "MilitaryExercise"),
    "agreement": ("Agreement",),
    "organization": ("Organization",),
    "nation": ("Nation",),
    "measure": ("TrustBuildingMeasure",),
    "training": ("TrainingExchange", "TrainingCourse"),
}
#: Tie-break between kinds: what a name more often means first.
_KIND_ORDER = {"organization": 0, "nation": 1, "agreement": 2, "exercise": 3, "measure": 4,
               "training": 5}  # fmt: skip
#: Date properties that place a thing in time, in the order they are shown.
DATES = ("startDate", "endDate", "signatureDate", "entryIntoForceDate", "terminationDate",
         "foundingDate", "dissolutionDate")  # fmt: skip
#: Bounds on what a caller may ask.
MAX_QUERY = 200
MAX_LIMIT = 100
#: Known words scored per unknown word of a query, and the similarity a spelling needs.
_CANDIDATES = 200
_MIN_SIMILARITY = 0.8
_VERSION = "2"

_NAME_FIELDS = {
    RDFS_LABEL: "label",
    SKOS_IRI + "prefLabel": "label",
    SKOS_IRI + "altLabel": "alt",
    MIL_IRI + "isoCode": "code",
    MIL_IRI + "cowAbbreviation": "code",
    MIL_IRI + "cowCode": "code",
}
_PUNCT = re.compile(r"[^\w]+|_")


def normalize(text: str) -> str:
    """Folded text: accents off, case-folded, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", bare.casefold()).split())


HitJson = TypedDict("HitJson", {
    "iri": str, "label": str, "type": str, "class": str, "dates": dict[str, str],
    "matched": str, "score": float,
})  # fmt: skip
"""A hit in JSON (``GET /api/search``): ``type`` a key of ``KINDS``, ``class`` its class's
local name, ``dates`` the date properties that place it (``startDate``, ``signatureDate``…),
``matched`` the folded name that matched."""


class SearchJson(TypedDict):
    query: str
    type: str | None
    results: list[HitJson]


@dataclass(frozen=True)
class Hit:
    """One thing found: its IRI, label, type (a key of ``KINDS``), class and dates."""

    iri: str
    label: str
    type: str
    cls: str
    dates: dict[str, str] = field(default_factory=dict)
    matched: str = ""
    score: float = 0.0

    def to_json(self) -> HitJson:
        return {"iri": self.iri, "label": self.label, "type": self.type, "class": self.cls,
                "dates": self.dates, "matched": self.matched,
                "score": round(self.score, 3)}  # fmt: skip

    def when(self) -> str:
        """The dates as one short text: ``1949-04-04 – 1991-07-01``, ``signed 1987-12-08``."""
        d = self.dates
        start = d.get("startDate") or d.get("foundingDate")
        end = d.get("endDate") or d.get("dissolutionDate") or d.get("terminationDate")
        if start or end:
            return f"{start or '…'} – {end or ''}".strip()
        if "signatureDate" in d:
            return f"signed {d['signatureDate']}"
        if "entryIntoForceDate" in d:
            return f"in force {d['entryIntoForceDate']}"
        return ""


# --------------------------------------------------------------------------- writing

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, kind TEXT,
                    cls TEXT, dates TEXT);
CREATE TABLE name(id INTEGER PRIMARY KEY, entity INTEGER, norm TEXT, field TEXT, text TEXT,
                  kind TEXT);
CREATE INDEX name_norm ON name(norm, entity);
CREATE VIRTUAL TABLE name_fts USING fts5(norm, content='name', content_rowid='id',
                                         tokenize='trigram');
CREATE TABLE word(id INTEGER PRIMARY KEY, w TEXT UNIQUE, n INTEGER);
CREATE VIRTUAL TABLE word_fts USING fts5(w, content='word', content_rowid='id',
                                         tokenize='trigram');
"""


def _select(store: GraphStore, text: str) -> Iterator[ox.QuerySolution]:
    result = store.query(sparql_prologue() + text)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT answered {result!r}")
    yield from result


def _entities(store: GraphStore) -> dict[str, dict[str, Any]]:
    """IRI -> kind, most specific asserted class, label, names, dates."""
    classes = " ".join(f"mil:{c}" for cs in KINDS.values() for c in cs)
    kind_of = {MIL_IRI + c: k for k, cs in KINDS.items() for c in cs}
    found: dict[str, dict[str, Any]] = {}
    for row in _select(store, f"SELECT ?s ?c WHERE {{ VALUES ?c {{ {classes} }} ?s a ?c }}"):
        s, c = row["s"], row["c"]
        if not isinstance(s, ox.NamedNode):
            continue
        kind = kind_of[c.value]
        entry = found.setdefault(s.value, {"kind": kind, "cls": c.value, "names": [],
                                           "dates": {}, "label": None})  # fmt: skip
        if _KIND_ORDER[kind] < _KIND_ORDER[entry["kind"]]:
            entry["kind"], entry["cls"] = kind, c.value
    asserted = f"SELECT ?s ?c WHERE {{ GRAPH <{ASSERTED_GRAPH}> {{ ?s a ?c }} }}"
    for row in _select(store, asserted):
        stated = found.get(row["s"].value)
        if stated is not None and row["c"].value.startswith(MIL_IRI):
            stated["cls"] = row["c"].value  # the class the data states, not a superclass
    props = " ".join(f"<{p}>" for p in _NAME_FIELDS)
    for row in _select(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o }}"):
        named = found.get(row["s"].value)
        o = row["o"]
        if named is None or not isinstance(o, ox.Literal):
            continue
        fld = _NAME_FIELDS[row["p"].value]
        named["names"].append((fld, o.value))
        if fld == "label" and (named["label"] is None or o.language in ("en", "")):
            named["label"] = o.value
    dates = " ".join(f"mil:{d}" for d in DATES)
    for row in _select(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {dates} }} ?s ?p ?o }}"):
        dated = found.get(row["s"].value)
        if dated is not None:
            key = row["p"].value[len(MIL_IRI) :]
            value = row["o"].value
            old = dated["dates"].get(key)
            later = max if key in ("endDate", "terminationDate", "dissolutionDate") else min
            dated["dates"][key] = value if old is None else later(old, value)
    return found


def _fill(db: sqlite3.Connection, store: GraphStore) -> None:
    db.executescript(_SCHEMA)
    names: list[tuple[int, str, str, str, str]] = []
    entities = []
    for n, (iri, e) in enumerate(sorted(_entities(store).items()), start=1):
        local = iri.rstrip("/").rsplit("/", 1)[-1]
        label = e["label"] or local
        dates = {k: e["dates"][k] for k in DATES if k in e["dates"]}
        entities.append((n, iri, label, e["kind"], e["cls"][len(MIL_IRI):], json.dumps(dates)))
        seen = set()
        for fld, text in [*e["names"], ("id", local), ("iri", iri)]:
            norm = normalize(text) if fld != "iri" else iri
            if norm and (norm, fld) not in seen:
                seen.add((norm, fld))
                names.append((n, norm, fld, text, e["kind"]))
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?)", entities)
    db.executemany("INSERT INTO name(entity, norm, field, text, kind) VALUES (?, ?, ?, ?, ?)",
                   names)  # fmt: skip
    db.execute("INSERT INTO name_fts(rowid, norm) SELECT id, norm FROM name WHERE field != 'iri'")
    words: dict[str, int] = {}
    for _, norm, fld, _, _ in names:
        if fld != "iri":
            for w in norm.split():
                if len(w) >= 3 and not w.isdigit():
                    words[w] = words.get(w, 0) + 1
    db.executemany("INSERT INTO word(w, n) VALUES (?, ?)", sorted(words.items()))
    db.execute("INSERT INTO word_fts(rowid, w) SELECT id, w FROM word")
    db.execute("INSERT INTO meta VALUES ('version', ?)", (_VERSION,))
    db.commit()


def write_index(snapshot_dir: Path) -> Path:
    """Index the store written in ``snapshot_dir`` into ``snapshot_dir/search.sqlite``."""
    from milgraph.store.oxigraph import OxigraphStore

    path = snapshot_dir / layout.SEARCH
    path.unlink(missing_ok=True)
    store = OxigraphStore.open(snapshot_dir / layout.STORE)
    try:
        with sqlite3.connect(path) as db:
            _fill(db, store)
        db.close()
    finally:
        store.close()
    return path


# --------------------------------------------------------------------------- reading


class SearchIndex:
    """An opened index, safe to share between threads (one connection behind a lock)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> SearchIndex:
        return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))

    @classmethod
    def build(cls, store: GraphStore) -> SearchIndex:
        """An index in memory, for a snapshot written before indexes were."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(db, store)
        return cls(db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, args: Iterable[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def count(self) -> int:
        return int(self._rows("SELECT count(*) FROM entity", ())[0][0])

    # -- exact names (the resolver)

    def named(self, text: str, kinds: Iterable[str] | None = None) -> list[Hit]:
        """Everything one of whose names is ``text`` (folded), in ``kinds``."""
        norm = text.strip() if "://" in text else normalize(text)
        if not norm:
            return []
        ids = {r[0] for r in self._rows("SELECT entity FROM name WHERE norm = ?", (norm,))}
        hits = self._hits({i: (4.0, text) for i in ids})
        wanted = set(kinds) if kinds is not None else None
        return [h for h in hits if wanted is None or h.type in wanted or h.cls in wanted]

    # -- ranked search

    def find(self, text: str, kind: str | None = None, limit: int = 20) -> list[Hit]:
        """Things whose names match ``text``, best first (see the module docstring)."""
        check(text, kind, limit)
        norm = normalize(text)
        if not norm:
            return []
        scores: dict[int, tuple[float, str]] = {}

        def offer(entity: int, score: float, name: str) -> None:
            if entity not in scores or scores[entity][0] < score:
                scores[entity] = (score, name)

        for entity, name, fld in self._matches(norm, kind):
            offer(entity, _rank(norm, name) + _field_bonus(fld), name)
        if len(scores) < limit:
            for corrected, similarity in self._spellings(norm):
                for entity, name, fld in self._matches(corrected, kind):
                    offer(entity, similarity * _rank(corrected, name) / 2 + _field_bonus(fld) / 2,
                          name)
        hits = self._hits(scores, kind)
        hits.sort(key=lambda h: (-h.score, _KIND_ORDER[h.type], len(h.label), h.label, h.iri))
        return hits[:limit]

    def _matches(self, norm: str, kind: str | None) -> list[tuple[int, str, str]]:
        """Names that start with, or (three letters and more) contain, ``norm``."""
        of_kind = "" if kind is None else " AND n.kind = ?"
        extra = () if kind is None else (kind,)
        rows = self._rows(
            "SELECT n.entity, n.norm, n.field FROM name n WHERE n.norm >= ? AND n.norm < ? "
            f"AND n.field != 'iri'{of_kind} ORDER BY n.norm LIMIT 200",
            (norm, norm + "\U0010ffff", *extra))  # in index order: the name itself first
        if len(norm) >= 3:
            rows += self._rows(
                "SELECT n.entity, n.norm, n.field FROM name_fts f JOIN name n ON n.id = f.rowid "
                f"WHERE name_fts MATCH ?{of_kind} LIMIT 300",
                ('"' + norm.replace('"', "") + '"', *extra))  # fmt: skip
        return [(int(e), str(n), str(f)) for e, n, f in rows]

    def _spellings(self, norm: str) -> list[tuple[str, float]]:
        """The query with its unknown words replaced by the nearest known words (at most
        three spellings), each with how alike it is to what was typed."""
        words = norm.split()
        options: list[list[tuple[str, float]]] = []
        changed = False
        for i, w in enumerate(words):
            last = i == len(words) - 1
            if len(w) < 3 or w.isdigit() or self._known(w, prefix=last):
                options.append([(w, 1.0)])
                continue
            near = self._near_words(w)
            if not near:
                return []
            options.append(near)
            changed = True
        if not changed:
            return []
        out: list[tuple[str, float]] = [("", 1.0)]
        for choices in options:
            out = [((a + " " + w).strip(), sa * sw) for a, sa in out for w, sw in choices]
            out = sorted(out, key=lambda x: -x[1])[:3]
        return out

    def _known(self, word: str, *, prefix: bool) -> bool:
        if prefix:
            return bool(self._rows("SELECT 1 FROM word WHERE w >= ? AND w < ? LIMIT 1",
                                   (word, word + "~")))  # fmt: skip
        return bool(self._rows("SELECT 1 FROM word WHERE w = ?", (word,)))

    def _near_words(self, word: str) -> list[tuple[str, float]]:
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        expr = " OR ".join('"' + g.replace('"', "") + '"' for g in grams)
        rows = self._rows(
            "SELECT w.w FROM word_fts f JOIN word w ON w.id = f.rowid WHERE word_fts MATCH ? "
            f"ORDER BY bm25(word_fts) LIMIT {_CANDIDATES}", (expr,))  # fmt: skip
        if len(word) <= 4:  # too few trigrams to share one with a typo: same first letter
            rows += self._rows(
                "SELECT w FROM word WHERE w >= ? AND w < ? AND length(w) BETWEEN ? AND ?",
                (word[:1], word[:1] + "~", len(word) - 1, len(word) + 1))  # fmt: skip
        scored = [(str(r[0]), difflib.SequenceMatcher(None, word, str(r[0])).ratio())
                  for r in rows]  # fmt: skip
        near = sorted((x for x in scored if x[1] >= _MIN_SIMILARITY), key=lambda x: -x[1])
        return near[:2]

    def _hits(self, scores: dict[int, tuple[float, str]], kind: str | None = None) -> list[Hit]:
        if not scores:
            return []
        ids = sorted(scores)
        out = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, iri, label, kind, cls, dates FROM entity WHERE id IN ({marks})"
            args: list[object] = list(chunk)
            if kind is not None:
                sql += " AND kind = ?"
                args.append(kind)
            for i, iri, label, k, cls, dates in self._rows(sql, args):
                score, matched = scores[i]
                out.append(Hit(iri, label, k, cls, json.loads(dates), matched, score))
        return out


def _rank(query: str, name: str) -> float:
    """4 the name itself, 3 a name starting with it, 2.5 a word starting with it, 2 within."""
    if name == query:
        return 4.0
    if name.startswith(query):
        return 3.0
    return 2.5 if f" {name}".find(f" {query}") >= 0 else 2.0


def _field_bonus(field: str) -> float:
    return {"label": 0.3, "alt": 0.2, "code": 0.2, "id": 0.1}.get(field, 0.0)


def check(text: str, kind: str | None, limit: int) -> None:
    """``QueryError`` for a search a caller may not ask (too long, unknown type, bad limit)."""
    if len(text) > MAX_QUERY:
        raise QueryError(f"search text is {len(text)} characters; at most {MAX_QUERY}")
    if not text.strip():
        raise QueryError("empty search text (give a name, e.g. Malabar or NATO)")
    if kind is not None and kind not in KINDS:
        raise QueryError(f"unknown type {kind!r} (use one of {', '.join(KINDS)})")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit {limit} is out of range (1 to {MAX_LIMIT})")


def index_of(snapshot: Snapshot) -> SearchIndex:
    """The snapshot's index: its ``search.sqlite``, or one built in memory once when the
    snapshot predates it."""
    if (snapshot.path / layout.SEARCH).is_file():
        return snapshot.part(layout.SEARCH, SearchIndex.open)
    return snapshot.cached("search.memory", lambda: SearchIndex.build(snapshot))
