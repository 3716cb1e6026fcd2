"""Result formats and content negotiation (``Accept`` with q-values, or a ``format`` name).

One table per kind of answer: solutions (SELECT/ASK) and graphs (CONSTRUCT/DESCRIBE). The
first entry of each table is the default. Names are what the ``format`` parameter accepts
(browsers cannot set ``Accept``); aliases are extra media types clients send.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from milgraph.namespaces import FORMATS


@dataclass(frozen=True)
class Format:
    name: str  # stable short name, also sent to the worker
    media_type: str  # what the response's Content-Type says
    names: tuple[str, ...]  # values accepted by ?format=
    aliases: tuple[str, ...] = ()  # further media types that select this format
    charset: bool = True

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


SOLUTION_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("json", "srj", "sparql-json",
                                                       "sparql-results+json"),
           ("application/json", "text/javascript", "application/javascript")),
    Format("xml", "application/sparql-results+xml", ("xml", "srx", "sparql-results+xml"),
           ("application/xml", "text/xml")),
    Format("csv", "text/csv", ("csv",)),
    Format("tsv", "text/tab-separated-values", ("tsv",)),
)  # fmt: skip

#: ``format=`` also takes what common clients send: SPARQLWrapper puts its return format in
#: ``format``/``output``/``results`` (``rdf+xml``, ``rdf``, ``xml``, ``n3``, ``turtle``,
#: ``json-ld``, ``json``, ``csv``, ``tsv``); on a graph, ``n3`` is answered as Turtle (N3 is
#: a superset) and ``json`` as JSON-LD.
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("turtle", "ttl", "n3", "text/n3", "text/rdf+n3"),
           ("application/x-turtle", "text/n3", "text/rdf+n3")),
    Format("ntriples", "application/n-triples", ("ntriples", "nt", "n-triples"), ("text/plain",)),
    Format("nquads", "application/n-quads", ("nquads", "nq", "n-quads")),
    Format("jsonld", "application/ld+json", ("jsonld", "json-ld", "json"), ("application/json",)),
    Format("rdfxml", "application/rdf+xml", ("rdfxml", "rdf", "xml", "rdf+xml"),
           ("application/xml",)),
    Format("trig", "application/trig", ("trig",)),
)  # fmt: skip

#: Named-query answers: flat JSON rows for dashboards, plus the standard formats.
ROWS_JSON = Format("rows", "application/json", ("rows", "json"))
NAMED_FORMATS: tuple[Format, ...] = (ROWS_JSON, *SOLUTION_FORMATS)

BY_NAME: dict[str, Format] = {f.name: f for f in (*SOLUTION_FORMATS, *GRAPH_FORMATS, ROWS_JSON)}

OX_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
OX_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
}

#: W3C format IRIs (https://www.w3.org/ns/formats/) for the service description.
FORMAT_IRIS = {
    "json": FORMATS + "SPARQL_Results_JSON",
    "xml": FORMATS + "SPARQL_Results_XML",
    "csv": FORMATS + "SPARQL_Results_CSV",
    "tsv": FORMATS + "SPARQL_Results_TSV",
    "turtle": FORMATS + "Turtle",
    "ntriples": FORMATS + "N-Triples",
    "nquads": FORMATS + "N-Quads",
    "jsonld": FORMATS + "JSON-LD",
    "rdfxml": FORMATS + "RDF_XML",
    "trig": FORMATS + "TriG",
}


class NotAcceptable(Exception):
    """No offered format satisfies the request; carries what could be served."""

    def __init__(self, asked: str, offered: tuple[Format, ...]) -> None:
        self.asked = asked
        self.offered = offered
        types = ", ".join(f.media_type for f in offered)
        names = ", ".join(f.names[0] for f in offered)
        super().__init__(
            f"cannot answer in {asked!r}; this answer is available as {types} "
            f"(or ?format= one of {names})"
        )


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """Media ranges of an Accept header as (range, q, position); malformed parts ignored."""
    out: list[tuple[str, float, int]] = []
    for pos, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        out.append((media, q, pos))
    return out


def _match(media_range: str, media_type: str) -> int:
    """Specificity of a range matching a type: 3 exact, 2 type/*, 1 */*, 0 no match."""
    if media_range == media_type:
        return 3
    if media_range == "*/*":
        return 1
    major, _, minor = media_range.partition("/")
    if minor == "*" and media_type.split("/", 1)[0] == major:
        return 2
    return 0


def negotiate(
    offered: tuple[Format, ...], accept: str | None, format_param: str | None = None
) -> Format:
    """``choose``, remembering the choice: clients send the same few Accept headers."""
    key = (id(offered), accept, format_param)
    known = _CHOSEN.get(key)
    if known is not None and known[0] is offered:
        return known[1]
    fmt = choose(offered, accept, format_param)
    if len(_CHOSEN) >= 512:
        _CHOSEN.clear()
    _CHOSEN[key] = (offered, fmt)
    return fmt


_CHOSEN: dict[tuple[int, str | None, str | None], tuple[tuple[Format, ...], Format]] = {}


def choose(
    offered: tuple[Format, ...], accept: str | None, format_param: str | None = None
) -> Format:
    """Pick the format to answer with; raise ``NotAcceptable`` (HTTP 406) when none fits.

    ``format_param`` (a short name or a media type) wins over ``Accept``. Otherwise each
    offered format gets the q of the most specific range matching it (its own type or an
    alias); the highest q wins, then the more specific match, then the server's order.

    A ``format`` this kind of answer has no such format for (SPARQLWrapper sends its one
    return format, say ``rdf+xml``, with every query, SELECT too) gives way to an ``Accept``
    that names an offered type exactly; without one it is 406.
    """
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in fmt.names or wanted == fmt.media_type or wanted in fmt.aliases:
                return fmt
        exact = ",".join(f"{m};q={q}" for m, q, _ in parse_accept(accept or "") if "*" not in m)
        if exact:
            try:
                return choose(offered, exact)
            except NotAcceptable:
                pass
        raise NotAcceptable(format_param, offered)
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for index, fmt in enumerate(offered):
        score: tuple[float, int] | None = None
        for media_range, q, _pos in ranges:
            for media_type in (fmt.media_type, *fmt.aliases):
                spec = _match(media_range, media_type)
                # Aliases rank just below the format's own type (e.g. application/json).
                spec = spec * 2 - (media_type != fmt.media_type)
                if spec > 0 and (score is None or spec > score[1]):
                    score = (q, spec)
        if score is None or score[0] <= 0:
            continue
        key = (score[0], score[1], -index)
        if best is None or key > best:
            best, chosen = key, fmt
    if chosen is None:
        raise NotAcceptable(accept, offered)
    return chosen
