"""The store seam: what every reader of a graph may ask of the store behind it.

A :class:`GraphStore` answers SPARQL 1.1 queries over a dataset and quad patterns, and says
which of its answers are native (:class:`Capabilities`). It is deliberately narrow (rdflib's
store contract shows what a wide, loose one turns into): every call the server, the
explanations, the relationship profiles and timelines and the point-in-time views make is one
of these, so a remote SPARQL 1.1 store can stand where the embedded Oxigraph store stands.
What a store does not do natively it is asked in plain SPARQL, by the fallbacks below
(``quads`` and ``contains`` as SELECT/ASK, substitutions and prefixes as query text).

Terms are pyoxigraph's term classes (``NamedNode``, ``BlankNode``, ``Literal``); answers are
pyoxigraph's result classes, which a remote store builds with ``pyoxigraph.parse_query_results``
(SELECT, ASK) and ``pyoxigraph.parse`` (CONSTRUCT, DESCRIBE: any iterator of triples).

Errors are part of the contract, and are the ones pyoxigraph raises, so that the embedded
store needs no wrapper on the hot path: ``SyntaxError`` (a malformed query; its message may
carry ``line:column``), ``OSError`` (the store cannot be read or reached; ``TimeoutError`` for
a deadline the store enforces), ``RuntimeError``/``ValueError`` (a query that parses but
cannot be evaluated). They may be raised by ``query`` or while its answer is consumed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from milgraph import sparql

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: A quad's positions, as pyoxigraph types them (quoted triples included, RDF 1.2).
Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Triples = Iterator[ox.Triple]
"""The answer of a CONSTRUCT or DESCRIBE query (``pyoxigraph.QueryTriples`` when embedded)."""
QueryResult = ox.QuerySolutions | ox.QueryBoolean | Triples


@dataclass(frozen=True)
class Capabilities:
    """What a store answers natively; anything else is asked in SPARQL (see the fallbacks).

    ``in_process``: queries are evaluated in this process and cannot be interrupted, so a
    deadline needs a process that can be killed (the server's worker pool); a remote store
    is stopped by closing its connection instead.
    """

    quad_patterns: bool = False
    substitutions: bool = False
    prefixes: bool = False
    in_process: bool = False


@runtime_checkable
class GraphStore(Protocol):
    """A read-only RDF dataset that answers SPARQL 1.1 queries.

    ``default_graph``/``named_graphs`` are graph IRIs and follow the SPARQL protocol's
    ``default-graph-uri``/``named-graph-uri`` (None or empty: the store's own dataset).
    ``substitutions`` fix variables (by name) to terms before evaluation (SEP-0007, as
    Oxigraph does natively; elsewhere a VALUES row). ``prefixes`` are predeclared for
    hand-typed queries. ``quads`` matches a pattern (None: any term; ``graph=None``: any
    graph, the default graph included; ``DefaultGraph()``: the default graph only).
    """

    @property
    def capabilities(self) -> Capabilities: ...

    def query(
        self,
        text: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult: ...

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        object: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]: ...

    def contains(
        self,
        subject: Subject,
        predicate: ox.NamedNode,
        object: Object,
        graph: GraphName | None = None,
    ) -> bool: ...

    def close(self) -> None: ...


def solutions(answer: QueryResult) -> ox.QuerySolutions:
    """The solutions of a SELECT query's answer (``TypeError`` for an ASK's or a graph)."""
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"a SELECT query answered {type(answer).__name__}")
    return answer


# --------------------------------------------------------------------------- SPARQL fallbacks


def query_text(
    text: str,
    substitutions: Mapping[str, Term] | None,
    prefixes: Mapping[str, str] | None,
) -> str:
    """The text a store without native substitutions or prefixes is sent instead: the
    bindings as a VALUES row at the head of the WHERE group, the prefixes declared in front.

    A VALUES row joins with the whole group where a substitution replaces the variable: the
    two differ only for ``BOUND(?v)`` (true here, false when substituted), which the named
    queries may not test for that reason."""
    if substitutions:
        text = sparql.bind(text, substitutions)
    if prefixes:
        text = sparql.with_prefixes(text, prefixes)
    return text


_VARS = ("s", "p", "o")


def quads_in_sparql(
    store: GraphStore,
    subject: Subject | None = None,
    predicate: ox.NamedNode | None = None,
    object: Object | None = None,
    graph: GraphName | None = None,
) -> Iterator[ox.Quad]:
    """``quads`` asked as a SELECT: ``GRAPH ?g`` for named graphs, the plain pattern for the
    default graph. Blank nodes are local to a store's answer (SPARQL has no syntax to ask
    about one again), so a pattern naming one matches nothing."""
    given = (subject, predicate, object)
    if any(isinstance(t, ox.BlankNode) for t in given) or isinstance(graph, ox.BlankNode):
        return  # (a quoted triple is asked in SPARQL-star syntax: << s p o >>)
    pattern = " ".join(str(t) if t is not None else f"?{v}" for t, v in zip(given, _VARS,
                                                                             strict=True))
    free = [f"?{v}" for t, v in zip(given, _VARS, strict=True) if t is None]
    if graph is None:
        free.append("?g")
    text = f"SELECT {' '.join(free) or '*'} WHERE {_in_graph(pattern, graph)}"
    answer = store.query(text)
    if not isinstance(answer, ox.QuerySolutions):
        raise RuntimeError(f"the store answered a SELECT with {type(answer).__name__}")
    for row in answer:
        s, p, o = (t if t is not None else row[v] for t, v in zip(given, _VARS, strict=True))
        g = graph if graph is not None else (row["g"] or ox.DefaultGraph())
        if (
            isinstance(s, ox.NamedNode | ox.BlankNode | ox.Triple)
            and isinstance(p, ox.NamedNode)
            and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple)
            and isinstance(g, ox.NamedNode | ox.BlankNode | ox.DefaultGraph)
        ):
            yield ox.Quad(s, p, o, g)


def contains_in_sparql(
    store: GraphStore,
    subject: Subject,
    predicate: ox.NamedNode,
    object: Object,
    graph: GraphName | None = None,
) -> bool:
    """``contains`` asked as an ASK (see :func:`quads_in_sparql` for blank nodes)."""
    if any(isinstance(t, ox.BlankNode) for t in (subject, object, graph)):
        return False
    answer = store.query(f"ASK WHERE {_in_graph(f'{subject} {predicate} {object}', graph)}")
    if not isinstance(answer, ox.QueryBoolean):
        raise RuntimeError(f"the store answered an ASK with {type(answer).__name__}")
    return bool(answer)


def _in_graph(pattern: str, graph: GraphName | None) -> str:
    """A group matching ``pattern`` in ``graph``: the default graph, a named graph, or any
    graph (the default graph, or ``GRAPH ?g``)."""
    if isinstance(graph, ox.DefaultGraph):
        return f"{{ {pattern} }}"
    if isinstance(graph, ox.NamedNode):
        return f"{{ GRAPH {graph} {{ {pattern} }} }}"
    return f"{{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} }} }}"
