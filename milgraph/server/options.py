"""Per-request query options, and the one place they become ``Snapshot.query`` arguments.

Every route (``/sparql``, named queries, VoID) builds a ``QueryOptions``; the worker turns it
into keyword arguments with ``query_kwargs``. ``asOf`` (point-in-time answers) becomes the
default graph of that day's view here (see milgraph.temporal).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: (kind, value, extra) with kind "iri" | "literal" | "bnode"; extra is a datatype IRI or
#: "@lang". Plain tuples pickle cheaply to the workers.
TermSpec = tuple[str, str, str | None]

_FALSE = {"false", "0", "no", "off"}
_TRUE = {"true", "1", "yes", "on"}


class OptionError(ValueError):
    """A request parameter has a value the server cannot use (HTTP 400)."""


@dataclass(frozen=True)
class QueryOptions:
    """How to evaluate one query: which dataset, with or without inferences, bindings."""

    inference: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    bindings: tuple[tuple[str, TermSpec], ...] = field(default=())
    as_of: str | None = None
    """A day (ISO): answer from the graph as it stood then (milgraph.temporal)."""

    @classmethod
    def from_params(
        cls,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        inference: str | None = None,
        as_of: str | None = None,
    ) -> QueryOptions:
        """Options from protocol parameters (``default-graph-uri``, ``named-graph-uri``,
        ``inference``, ``asOf``); raise ``OptionError`` for values that cannot be used."""
        for iri in (*default_graphs, *named_graphs):
            check_iri(iri, "graph IRI")
        use_inference = parse_bool(inference, "inference", default=True)
        day = parse_as_of(as_of)
        if day and default_graphs:
            raise OptionError("asOf chooses the default graph (the view of that day): it cannot "
                              "be combined with default-graph-uri")
        if day and not use_inference:
            raise OptionError("asOf answers from the reasoned view of that day: it cannot be "
                              "combined with inference=false")
        return cls(
            inference=use_inference,
            default_graphs=tuple(default_graphs),
            named_graphs=tuple(named_graphs),
            as_of=day,
        )

    def with_bindings(self, bindings: Mapping[str, TermSpec]) -> QueryOptions:
        return QueryOptions(
            self.inference,
            self.default_graphs,
            self.named_graphs,
            tuple(sorted(bindings.items())),
            self.as_of,
        )

    def cache_key(self) -> tuple[Any, ...]:
        return (self.inference, self.default_graphs, self.named_graphs, self.bindings, self.as_of)

    @functools.cached_property
    def key_text(self) -> str:
        """``cache_key`` as text, computed once per options object (for ETags)."""
        return repr(self.cache_key())


def parse_as_of(value: str | None) -> str | None:
    """An ``asOf`` parameter as an ISO day, or None; ``OptionError`` for anything else."""
    if value is None:
        return None
    if value.strip() == "":
        raise OptionError("asOf= is empty: give a day (YYYY-MM-DD) or leave the parameter out")
    from milgraph.errors import QueryError
    from milgraph.temporal import parse_as_of as parse_day

    try:
        return parse_day(value).isoformat()
    except QueryError as exc:
        raise OptionError(str(exc)) from None


def query_kwargs(options: QueryOptions, snapshot: Any = None) -> dict[str, Any]:
    """Keyword arguments for ``Snapshot.query`` (runs inside a worker process).

    With ``default-graph-uri``/``named-graph-uri`` the dataset is exactly those graphs (SPARQL
    protocol): a request naming only named graphs gets an empty default graph, and one naming
    only default graphs gets no named graphs.
    """
    kwargs: dict[str, Any] = {"asserted_only": not options.inference}
    if options.default_graphs or options.named_graphs:
        kwargs["default_graph"] = list(options.default_graphs) or [_EMPTY_GRAPH]
        kwargs["named_graphs"] = list(options.named_graphs) or [_EMPTY_GRAPH]
    if options.as_of:
        from milgraph import temporal

        kwargs["default_graph"] = temporal.graphs_as_of(snapshot, options.as_of)
    if options.bindings:
        import pyoxigraph as ox

        kwargs["substitutions"] = {
            ox.Variable(name): to_term(spec) for name, spec in options.bindings
        }
    return kwargs


#: A graph name no snapshot uses: selecting it selects nothing.
_EMPTY_GRAPH = "urn:milgraph:empty-graph"


def to_term(spec: TermSpec) -> Any:
    import pyoxigraph as ox

    kind, value, extra = spec
    if kind == "iri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if extra and extra.startswith("@"):
        return ox.Literal(value, language=extra[1:])
    if extra:
        return ox.Literal(value, datatype=ox.NamedNode(extra))
    return ox.Literal(value)


def parse_bool(value: str | None, name: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise OptionError(f"parameter {name}={value!r} must be true or false")


_BAD_IRI_CHARS = set('<>"{}|^`\\ \t\r\n')


def check_iri(iri: str, what: str = "IRI") -> str:
    """Reject strings that are not absolute IRIs (spaces, ``>``…): they could never match,
    and in a query text they would be an injection. Returns the IRI."""
    if not iri or any(c in _BAD_IRI_CHARS or ord(c) < 0x20 for c in iri):
        raise OptionError(f"{what} {iri!r} is not a valid IRI (no spaces or <>\"{{}}|^`\\)")
    scheme, sep, _ = iri.partition(":")
    if not sep or not scheme or not scheme[0].isalpha() or not all(
        c.isalnum() or c in "+-." for c in scheme
    ):
        raise OptionError(f"{what} {iri!r} is not an absolute IRI (it needs a scheme: http://…)")
    return iri
