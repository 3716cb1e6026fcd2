"""Why a triple holds: its derivation tree down to asserted triples and their sources.

``explain(snapshot, s, p, o, as_of=None)`` returns ``None`` when the triple does not hold in
the view asked for (the ordinary view, or the view as of a day), else an :class:`Explanation`:
a tree whose nodes carry the rule applied (an OWL 2 RL rule name such as ``prp-inv1`` or
``cax-sco``, or the name of a SPARQL rule of ``ontology/rules/``), the premises, the dates a
temporal rule compared, and for each asserted triple the input file (its named graph) and the
``dcterms:source`` of its subject there.

Where derivations come from:

* ordinary view: the reasoner's ``provenance.sqlite`` (one derivation per inferred triple);
* view as of a day: a time-dependent triple's derivation for the period holding that day
  (``temporal.sqlite``); any other triple's derivation in the static part
  (``asof-static-provenance.sqlite``), whose premises hold whatever the date.


A conclusion of a SPARQL rule may have several derivations (the USA and Germany are allied
through the curated NATO record and through ATOP's record of the North Atlantic Treaty): all
of them are listed (up to ``MAX_DERIVATIONS``), found by running the rule's body with the
conclusion bound; those matching a curated record (one that cites a public document) come
first, then those whose records come from research datasets.

A triple met again in the tree is not expanded twice ("explained above"); cycles cannot occur
in recorded derivations but are guarded against; depth and size are limited and a cut is
marked ``truncated``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph import paths, temporal
from milgraph.analysis.models import (
    MAX_DEPTH,
    MAX_NODES,
    Assertion,
    Explanation,
    Holds,
    Node,
    PeriodModel,
)
from milgraph.errors import QueryError
from milgraph.namespaces import (
    ASOF_GRAPH_PREFIX,
    ASSERTED_GRAPH,
    DCTERMS_SOURCE,
    GRAPH_IRI,
    INFERRED_GRAPH,
    MIL_IRI,
    PROV_DERIVED,
    RDF_TYPE,
    XSD,
)
from milgraph.reasoning.provenance import ProvenanceStore
from milgraph.rules import Rule, load_rules, parse_rule
from milgraph.store import layout
from milgraph.store.snapshot import Snapshot
from milgraph.temporal.closure import ASSERTED, SWEPT
from milgraph.temporal.dates import DateValueError, day, is_partial, iso, period
from milgraph.terms import Term, parse_term

#: At most this many derivations of the triple asked about are listed, and at most
#: ``MAX_SOLUTIONS`` matches of the rule are read to find them.
MAX_DERIVATIONS = 12
MAX_SOLUTIONS = 2_000
CURATED, DATASET = "curated", "dataset"
_RESEARCH_DATASET = ox.NamedNode(MIL_IRI + "ResearchDataset")

# --------------------------------------------------------------------------- explain


def explain(
    snapshot: Snapshot,
    s: Term | str,
    p: Term | str,
    o: Term | str,
    as_of: str | date | None = None,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Explanation | None:
    """Why ``(s, p, o)`` holds (terms, or text such as ``id:nation/FIN``); None if it does not."""
    subject = s if not isinstance(s, str) else parse_term(s, "s", literal=False)
    predicate = p if not isinstance(p, str) else parse_term(p, "p", literal=False)
    obj = o if not isinstance(o, str) else parse_term(o, "o")
    if isinstance(subject, ox.Literal):
        raise QueryError(f"s: {s!r} is a literal; a subject is an IRI or a blank node")
    if not isinstance(predicate, ox.NamedNode):
        raise QueryError(f"p: {p!r} is not an IRI; a predicate is an IRI")
    triple = ox.Triple(subject, predicate, obj)
    when = temporal.parse_as_of(as_of) if as_of is not None else None
    graphs = temporal.graphs_as_of(snapshot, when) if when else None
    if not _holds(snapshot, triple, graphs):
        return None
    builder = _Builder(snapshot, when, max_depth, max_nodes)
    first, *others = builder.derivations(triple)
    answer = temporal.answer(snapshot, triple, when) if when else temporal.YES
    return Explanation(triple, when, first, builder.count, builder.truncated, builder.rules_used,
                       alternatives=others, answer=answer,
                       more_derivations=builder.more_derivations)


def holds(snapshot: Snapshot, s: Term | str, p: Term | str, o: Term | str,
          as_of: str | date) -> Holds:
    """Does ``(s, p, o)`` hold as of a day: yes, no, or unknown where a record behind it is
    dated only to a year or month and the day lies in that period (docs/analysts.md)."""
    subject = s if not isinstance(s, str) else parse_term(s, "s", literal=False)
    predicate = p if not isinstance(p, str) else parse_term(p, "p", literal=False)
    obj = o if not isinstance(o, str) else parse_term(o, "o")
    if isinstance(subject, ox.Literal):
        raise QueryError(f"s: {s!r} is a literal; a subject is an IRI or a blank node")
    if not isinstance(predicate, ox.NamedNode):
        raise QueryError(f"p: {p!r} is not an IRI; a predicate is an IRI")
    triple = ox.Triple(subject, predicate, obj)
    when = temporal.parse_as_of(as_of)
    answer = temporal.answer(snapshot, triple, when)
    doubt = temporal.store_of(snapshot).unknown(triple) if answer != temporal.NO else None
    return Holds(triple, when, answer, doubt.describe() if doubt else [])


def _holds(snapshot: Snapshot, t: ox.Triple, graphs: list[str] | None) -> bool:
    s, p, o = t.subject, t.predicate, t.object
    if graphs is None:
        return snapshot.contains(s, p, o, ox.DefaultGraph())
    return any(snapshot.contains(s, p, o, ox.NamedNode(g)) for g in graphs)


def rule_shapes(snapshot: Snapshot) -> dict[str, Rule]:
    """The SPARQL rules the snapshot was reasoned with (recorded in its manifest); the
    bundled rules for a snapshot that predates that record."""
    files = snapshot.manifest.get("temporal", {}).get("rules", {}).get("files")
    if files is None:
        return {r.name: r for r in load_rules(paths.RULES_DIR)}
    out = {}
    for f in files:
        shape = parse_rule(f["text"], Path(f["path"]) if f.get("path") else None)
        out[shape.name] = shape
    return out


def _where(shape: Rule) -> str:
    if shape.path is None:
        return shape.name
    if shape.path.is_absolute() and shape.path.is_relative_to(paths.PROJECT_ROOT):
        return shape.path.relative_to(paths.PROJECT_ROOT).as_posix()
    return shape.path.as_posix()


class _Builder:
    def __init__(
        self, snapshot: Snapshot, when: date | None, max_depth: int, max_nodes: int
    ) -> None:
        self.snapshot = snapshot
        self.when = when
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.count = 0
        self.truncated = False
        self.more_derivations = False
        """More derivations exist than were listed (``MAX_DERIVATIONS``)."""
        self.seen: set[Any] = set()
        self.shapes = rule_shapes(snapshot)
        self.rules_used: dict[str, str] = {}
        self.provenance = snapshot.part(
            layout.STATIC_PROVENANCE if when else layout.PROVENANCE, ProvenanceStore
        )
        self.temporal = temporal.store_of(snapshot) if when else None

    def node(self, t: Any, depth: int, path: frozenset[Any]) -> Node:
        self.count += 1
        if t in path:
            return Node(t, note="cycle")
        if t in self.seen:
            return Node(t, rule=self._rule_of(t), note="explained above")
        if depth >= self.max_depth or self.count > self.max_nodes:
            self.truncated = True
            return Node(t, rule=self._rule_of(t), note="truncated")
        self.seen.add(t)
        assertions = self._assertions(t)
        if assertions:
            return Node(t, asserted=assertions)
        rule, premises, dates, piece = self._derivation(t)
        if rule is None:
            return Node(t, note="no derivation recorded")
        node = Node(t, rule=rule, dates=dates, period=piece)
        if rule in self.shapes:
            shape = self.shapes[rule]
            self.rules_used[rule] = f"{_where(shape)} — {shape.summary}"
        inner = path | {t}
        node.premises = [self.node(p, depth + 1, inner) for p in premises]
        return node

    def derivations(self, t: ox.Triple) -> list[Node]:
        """Every derivation of ``t``, curated first; the recorded one alone where the rule's
        matches cannot be listed (an OWL 2 RL rule, an asserted triple)."""
        if self._assertions(t):
            return [self.node(t, 0, frozenset())]
        rule, recorded, dates, piece = self._derivation(t)
        if rule is None or rule not in self.shapes:
            return [self.node(t, 0, frozenset())]
        found = self._all_bindings(rule, t)
        if not found:
            return [self.node(t, 0, frozenset())]
        shape = self.shapes[rule]
        self.rules_used[rule] = f"{_where(shape)} — {shape.summary}"
        self.seen.add(t)
        recorded_set = set(recorded)
        nodes = []
        for origin, premises in found:
            self.count += 1
            own = _annotate_partial(self._dates_from_premises(shape, premises))
            if self.when is not None and shape.uses_as_of:
                own["asOf"] = self.when.isoformat()
            node = Node(t, rule=rule, dates=own or dates, origin=origin,
                        period=piece if set(premises) == recorded_set else None)
            node.premises = [self.node(p, 1, frozenset({t})) for p in premises]
            nodes.append(node)
        return nodes

    def _all_bindings(
        self, rule: str, t: ox.Triple
    ) -> list[tuple[str | None, tuple[ox.Triple, ...]]]:
        """(origin, premises) of each distinct match of the rule's body with the conclusion's
        terms bound, in the view asked about; curated matches first."""
        shape = self.shapes[rule]
        head = next((h for h in shape.template if h[1] == t.predicate), None)
        if head is None or isinstance(head[0], ox.BlankNode) or isinstance(head[2], ox.BlankNode):
            return []
        subs: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
        for var, term in ((head[0], t.subject), (head[2], t.object)):
            if isinstance(var, ox.Variable) and not isinstance(term, ox.Triple):
                subs[var.value] = term
        text = shape.select_query(self.when if shape.uses_as_of else None)
        graphs = temporal.graphs_as_of(self.snapshot, self.when) if self.when else None
        try:
            solutions = self.snapshot.query(text, default_graph=graphs, substitutions=subs)
            if not isinstance(solutions, ox.QuerySolutions):
                return []
            rows = []
            for i, solution in enumerate(solutions):
                if i >= MAX_SOLUTIONS:
                    self.more_derivations = True
                    break
                rows.append({v.value: solution[v] for v in solutions.variables
                             if solution[v] is not None})
        except (SyntaxError, RuntimeError, OSError):
            return []
        out: dict[tuple[ox.Triple, ...], str | None] = {}
        for binding in rows:
            premises = tuple(p for p in self._instantiate(shape, binding)
                             if _holds(self.snapshot, p, graphs))
            if premises in out:
                continue
            if len(out) >= MAX_DERIVATIONS:
                self.more_derivations = True
                break
            values = [v for k, v in binding.items()
                      if k not in subs and k != "asOf" and v not in (t.subject, t.object)]
            out[premises] = self._origin(values)
        ordered = sorted(out.items(), key=lambda kv: kv[1] != CURATED)  # stable: curated first
        return [(origin, premises) for premises, origin in ordered]

    @staticmethod
    def _instantiate(shape: Rule, binding: dict[str, Any]) -> list[ox.Triple]:
        return list(dict.fromkeys(_bound_premises(shape, binding)))

    def _origin(self, values: list[Any]) -> str | None:
        """``curated`` if a record among the values cites a public document, ``dataset`` if
        the records cite research datasets only, None if none cites anything."""
        snapshot, asserted = self.snapshot, ox.NamedNode(ASSERTED_GRAPH)
        kinds: set[str] = set()
        for value in values:
            if not isinstance(value, ox.NamedNode | ox.BlankNode):
                continue
            for q in snapshot.quads(value, ox.NamedNode(DCTERMS_SOURCE), None, asserted):
                if isinstance(q.object, ox.Literal):
                    continue
                research = snapshot.contains(q.object, ox.NamedNode(RDF_TYPE),
                                             _RESEARCH_DATASET, asserted)
                kinds.add(DATASET if research else CURATED)
        if CURATED in kinds:
            return CURATED
        return DATASET if kinds else None

    # -- where a triple comes from

    def _assertions(self, t: Any) -> list[Assertion]:
        if not isinstance(t, ox.Triple):
            return []
        snapshot = self.snapshot
        s, p, o = t.subject, t.predicate, t.object
        if not snapshot.contains(s, p, o, ox.NamedNode(ASSERTED_GRAPH)):
            return []
        out = []
        for q in snapshot.quads(s, p, o, None):
            g = q.graph_name
            if not isinstance(g, ox.NamedNode) or not _is_file_graph(g.value):
                continue
            out.append(Assertion(g.value, g.value[len(GRAPH_IRI) :], self._sources(t.subject, g)))
        return sorted(out, key=lambda a: a.file)

    def _sources(self, subject: Any, graph: ox.NamedNode) -> list[str]:
        found = []
        for pred in (DCTERMS_SOURCE, PROV_DERIVED):
            for q in self.snapshot.quads(subject, ox.NamedNode(pred), None, graph):
                found.append(q.object.value if hasattr(q.object, "value") else str(q.object))
        return sorted(set(found))

    # -- how it was derived

    def _rule_of(self, t: Any) -> str | None:
        if self._assertions(t):
            return None
        rule, _, _, _ = self._derivation(t, premises=False)
        return rule

    def _derivation(
        self, t: Any, *, premises: bool = True
    ) -> tuple[str | None, tuple[Any, ...], dict[str, str | None], list[PeriodModel] | None]:
        piece: list[PeriodModel] | None = None
        rule: str | None = None
        found: tuple[Any, ...] = ()
        dates: dict[str, str | None] = {}
        if self.temporal is not None and self.when is not None and isinstance(t, ox.Triple):
            hit = self.temporal.firing(t, day(self.when))
            if hit is not None:
                firing, days = hit
                if firing.rule != ASSERTED:
                    rule, found, piece = firing.rule, firing.premises, days.describe()
                    dates = {k: v for k, v in firing.detail if k != "evaluated"}
                    swept = any(v == SWEPT for _, v in firing.detail)
                    if swept and premises and rule in self.shapes:
                        found, dates = self._rule_bindings(rule, t)
        if rule is None:
            d = self.provenance.derivation(t)
            if d is not None:
                rule, found = d.rule, tuple(d.premises)
                if rule in self.shapes and not found and premises:
                    found, dates = self._rule_bindings(rule, t)
        if rule in self.shapes:
            dates = dates or self._dates_from_premises(self.shapes[rule], found)
            dates = _annotate_partial(dates)
            if self.when is not None and self.shapes[rule].uses_as_of:
                dates["asOf"] = self.when.isoformat()
        return rule, found, dates, piece

    def _dates_from_premises(self, shape: Rule, found: tuple[Any, ...]) -> dict[str, str | None]:
        """The date-valued patterns of a rule: the value a premise matched, or None (an
        OPTIONAL date that was absent, e.g. no end date)."""
        if not shape.uses_as_of:
            return {}
        out: dict[str, str | None] = {}
        for pattern in (*shape.required, *shape.optional):
            pred = pattern[1]
            if not isinstance(pred, ox.NamedNode) or not isinstance(
                pattern[2], ox.Variable | ox.BlankNode
            ):
                continue
            name = pred.value.rsplit("#", 1)[-1]
            if not name.endswith("Date"):
                continue
            value = next(
                (
                    x.object.value
                    for x in found
                    if x.predicate == pred and isinstance(x.object, ox.Literal)
                ),
                None,
            )
            out[name] = value
        return out

    def _rule_bindings(
        self, rule: str, t: ox.Triple
    ) -> tuple[tuple[ox.Triple, ...], dict[str, str | None]]:
        """Premises of a SPARQL-rule conclusion found by running the rule's body with the
        conclusion's terms bound (used where no premises were recorded)."""
        shape = self.shapes[rule]
        head = next((h for h in shape.template if h[1] == t.predicate), None)
        if head is None:
            return (), {}
        if isinstance(head[0], ox.BlankNode) or isinstance(head[2], ox.BlankNode):
            return (), {}  # a blank node the rule makes up is no variable of its body
        subs: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
        for var, term in ((head[0], t.subject), (head[2], t.object)):
            if isinstance(var, ox.Variable) and not isinstance(term, ox.Triple):
                subs[var.value] = term
        text = shape.select_query(self.when if shape.uses_as_of else None)
        graphs = temporal.graphs_as_of(self.snapshot, self.when) if self.when else None
        try:
            solutions = self.snapshot.query(text, default_graph=graphs, substitutions=subs)
            if not isinstance(solutions, ox.QuerySolutions):
                return (), {}
            first = next(iter(solutions), None)
        except (SyntaxError, RuntimeError, OSError):
            return (), {}
        if first is None:
            return (), {}
        binding = {v.value: first[v] for v in solutions.variables if first[v] is not None}
        premises = tuple(_bound_premises(shape, binding))
        return premises, self._dates_from_premises(shape, premises)


def _annotate_partial(dates: dict[str, str | None]) -> dict[str, str | None]:
    """Say how a partial date was read (the documented rule), e.g. ``1960 (from 1960-01-01)``."""
    out: dict[str, str | None] = {}
    for name, value in dates.items():
        if value and len(value) in (4, 7) and value[:4].isdigit():
            dt = "gYear" if len(value) == 4 else "gYearMonth"
            lit = ox.Literal(value, datatype=ox.NamedNode(XSD + dt))
            try:
                first, after = period(lit)
            except DateValueError:
                out[name] = value
                continue
            if is_partial(lit):
                out[name] = (
                    f"{value} (partial: counts from {iso(first)})"
                    if name in ("startDate", "signatureDate", "entryIntoForceDate")
                    else f"{value} (partial: holds until the day before {iso(after)})"
                )
                continue
        out[name] = value
    return out


def _is_file_graph(iri: str) -> bool:
    if not iri.startswith(GRAPH_IRI):
        return False
    return iri not in (ASSERTED_GRAPH, INFERRED_GRAPH) and not iri.startswith(ASOF_GRAPH_PREFIX)


def _bound_premises(shape: Rule, binding: dict[str, Any]) -> list[ox.Triple]:
    """The rule's premise patterns with ``binding`` put in, those fully bound (a pattern
    through a blank node, or one a binding cannot make a triple of, is left out)."""
    premises: list[ox.Triple] = []
    for pattern in (*shape.required, *shape.optional):
        terms: list[Any] = [
            binding.get(x.value) if isinstance(x, ox.Variable)
            else None if isinstance(x, ox.BlankNode) else x
            for x in pattern
        ]  # fmt: skip
        if all(x is not None for x in terms):
            try:
                premises.append(ox.Triple(terms[0], terms[1], terms[2]))
            except TypeError:
                continue
    return premises
