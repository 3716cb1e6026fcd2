"""What an edit did to the answers: two snapshots compared.

Two parts. The *asserted* triples, file by file (each input file's own graph, from the
manifests): what the steward changed. The *derived relations* (``mil:`` relations between
two resources that the reasoner or the rules added: ``alliedWith``, ``memberOf``,
``exercisedWith``, ``partyTo`` …) with the days they hold in the point-in-time views: what
the change did to the answers, e.g. "nation:USA mil:alliedWith nation:FIN from 2023-04-04
(ongoing): added". A relation in both snapshots whose days differ is "changed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox
from typing_extensions import TypedDict

from milgraph import temporal
from milgraph.analysis.models import PeriodModel
from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, MIL_IRI
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.dates import ALWAYS, IntervalSet, iso
from milgraph.terms import short

Change = Literal["added", "removed", "changed"]


class FileDiffJson(TypedDict):
    file: str
    added: list[str]
    removed: list[str]


class RelationDiffJson(TypedDict):
    change: str
    subject: str
    predicate: str
    object: str
    before: list[PeriodModel]
    after: list[PeriodModel]
    text: str


class SnapshotDiffJson(TypedDict):
    old: str
    new: str
    files: list[FileDiffJson]
    relations: list[RelationDiffJson]
    counts: dict[str, int]


@dataclass
class FileDiff:
    file: str
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)


@dataclass
class RelationDiff:
    change: Change
    triple: ox.Triple
    before: IntervalSet
    after: IntervalSet

    def to_text(self) -> str:
        t = self.triple
        what = f"{short(t.subject)} {short(t.predicate)} {short(t.object)}"
        if self.change == "changed":
            return f"{what}: {periods_text(self.before)} → {periods_text(self.after)}"
        days = self.after if self.change == "added" else self.before
        return f"{what} {periods_text(days)}: {self.change}"


@dataclass
class SnapshotDiff:
    old: str
    new: str
    files: list[FileDiff]
    relations: list[RelationDiff]

    @property
    def empty(self) -> bool:
        return not self.files and not self.relations

    def counts(self) -> dict[str, int]:
        return {
            "asserted_added": sum(len(f.added) for f in self.files),
            "asserted_removed": sum(len(f.removed) for f in self.files),
            **{f"relations_{c}": sum(1 for r in self.relations if r.change == c)
               for c in ("added", "removed", "changed")},
        }  # fmt: skip

    def to_text(self, limit: int = 50) -> str:
        c = self.counts()
        lines = [f"snapshot {self.old} → {self.new}"]
        if self.empty:
            return lines[0] + ": no change"
        lines.append(f"asserted triples: +{c['asserted_added']} −{c['asserted_removed']}")
        for f in self.files:
            lines.append(f"  {f.file}: +{len(f.added)} −{len(f.removed)}")
            shown = [("+", t) for t in f.added] + [("−", t) for t in f.removed]
            for sign, t in shown[:limit]:
                lines.append(f"    {sign} {short(t.subject)} {short(t.predicate)} "
                             f"{short(t.object)}")  # fmt: skip
            if len(shown) > limit:
                lines.append(f"    … {len(shown) - limit} more (--limit, or --format json)")
        lines.append(f"derived relations: +{c['relations_added']} −{c['relations_removed']} "
                     f"changed {c['relations_changed']}")  # fmt: skip
        for r in self.relations[:limit]:
            lines.append(f"  {r.to_text()}")
        if len(self.relations) > limit:
            lines.append(f"  … {len(self.relations) - limit} more (--limit, or --format json)")
        return "\n".join(lines)

    def to_json(self) -> SnapshotDiffJson:
        return {
            "old": self.old, "new": self.new,
            "files": [{"file": f.file, "added": [_nt(t) for t in f.added],
                       "removed": [_nt(t) for t in f.removed]} for f in self.files],
            "relations": [{
                "change": r.change, "subject": _value(r.triple.subject),
                "predicate": r.triple.predicate.value, "object": _value(r.triple.object),
                "before": periods_json(r.before), "after": periods_json(r.after),
                "text": r.to_text(),
            } for r in self.relations],
            "counts": self.counts(),
        }  # fmt: skip


def _nt(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} ."


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def periods_json(days: IntervalSet) -> list[PeriodModel]:
    return [{"from": iso(lo), "until": iso(hi)} for lo, hi in days]


def periods_text(days: IntervalSet) -> str:
    spans = list(days)
    if not spans:
        return "never"
    if days == ALWAYS:
        return "always"
    return ", ".join(
        (f"from {iso(lo)}" if iso(lo) else "from the beginning")
        + (f" until {iso(hi)}" if iso(hi) else " (ongoing)")
        for lo, hi in spans
    )


# --------------------------------------------------------------------------- compare


def diff_snapshots(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    """Asserted triples per file, and derived relations with their days, old → new."""
    return SnapshotDiff(old.key, new.key, _file_diffs(old, new), _relation_diffs(old, new))


def _graph_triples(snapshot: Snapshot, graph: str) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in snapshot.quads(graph=ox.NamedNode(graph))}  # fmt: skip


def _files(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    return {str(i["path"]): (str(i["graph"]), str(i.get("sha256")))
            for i in snapshot.manifest.get("inputs", [])}  # fmt: skip


def _file_diffs(old: Snapshot, new: Snapshot) -> list[FileDiff]:
    before, after = _files(old), _files(new)
    out = []
    for name in sorted(set(before) | set(after)):
        if name in before and name in after and before[name][1] == after[name][1]:
            continue  # the same bytes (blank nodes are named anew by every parse)
        a = _graph_triples(old, before[name][0]) if name in before else set()
        b = _graph_triples(new, after[name][0]) if name in after else set()
        added, removed = _without_blank_renaming(b - a, a - b)
        if added or removed:
            out.append(FileDiff(name, added, removed))
    return out


def _skeleton(t: ox.Triple) -> str:
    return " ".join("[]" if isinstance(x, ox.BlankNode) else str(x)
                    for x in (t.subject, t.predicate, t.object))  # fmt: skip


def _without_blank_renaming(
    added: set[ox.Triple], removed: set[ox.Triple]
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Triples of blank nodes count as changed only when their shape (blank nodes as
    ``[]``) is not on the other side as often: the parser names blank nodes anew."""
    from collections import Counter

    gone = Counter(_skeleton(t) for t in removed if _blank(t))
    came = Counter(_skeleton(t) for t in added if _blank(t))
    keep_added, keep_removed = [], []
    for t in sorted(added, key=str):
        if _blank(t) and gone[_skeleton(t)] > 0:
            gone[_skeleton(t)] -= 1
            continue
        keep_added.append(t)
    for t in sorted(removed, key=str):
        if _blank(t) and came[_skeleton(t)] > 0:
            came[_skeleton(t)] -= 1
            continue
        keep_removed.append(t)
    return keep_added, keep_removed


def _blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def derived_relations(snapshot: Snapshot) -> dict[ox.Triple, IntervalSet]:
    """Every derived ``mil:`` relation between two resources, with its days."""
    asserted = _graph_triples(snapshot, ASSERTED_GRAPH)
    out: dict[ox.Triple, IntervalSet] = {}
    for t, days in temporal.store_of(snapshot).match():
        if _relation(t) and t not in asserted and days:
            out[t] = days
    for t in _graph_triples(snapshot, INFERRED_GRAPH):
        if _relation(t) and t not in asserted and t not in out:
            dated = temporal.days(snapshot, t)
            out[t] = ALWAYS if dated is None else dated
    return out


def _relation(t: ox.Triple) -> bool:
    return (t.predicate.value.startswith(MIL_IRI) and isinstance(t.object, ox.NamedNode)
            and isinstance(t.subject, ox.NamedNode))  # fmt: skip


def _relation_diffs(old: Snapshot, new: Snapshot) -> list[RelationDiff]:
    before, after = derived_relations(old), derived_relations(new)
    out: list[RelationDiff] = []
    empty = IntervalSet()
    for t in sorted(set(before) | set(after), key=str):
        a, b = before.get(t), after.get(t)
        if a is None and b is not None:
            out.append(RelationDiff("added", t, empty, b))
        elif b is None and a is not None:
            out.append(RelationDiff("removed", t, a, empty))
        elif a is not None and b is not None and a != b:
            out.append(RelationDiff("changed", t, a, b))
    return out
