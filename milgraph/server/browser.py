"""When a request is a person's browser opening a URL, not a client asking for data.

Browsers send ``Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8``
on a navigation; by plain negotiation ``application/xml`` (an alias of SPARQL XML results)
wins, and the browser downloads a file. The rule, kept narrow so that clients which ask for a
format get exactly that format:

1. the method is ``GET`` or ``HEAD`` and there is no ``format=`` parameter (an explicit
   format is a request for that format, from a browser too);
2. the request is a **navigation**: ``Sec-Fetch-Mode: navigate``, or — for browsers that do
   not send fetch metadata (plain ``http://`` to a host that is not localhost) —
   no ``Sec-Fetch-Mode`` at all and ``Upgrade-Insecure-Requests: 1``, which browsers send on
   navigations only; a ``fetch()`` from a page is never one;
3. ``text/html`` is **explicitly** acceptable (its own range, not ``text/*`` or ``*/*``) with
   q > 0 and q at least that of every RDF and SPARQL results type the endpoint could send
   (each type gets the q of its most specific matching range, as in ``formats.choose``).

``curl -H 'Accept: text/html'`` (no navigation headers) therefore still gets 406, and a
dashboard sending ``Accept: application/sparql-results+json`` gets JSON whatever else it
sends. Answers that depend on this carry ``Vary: Accept, Sec-Fetch-Mode,
Upgrade-Insecure-Requests``.
"""

from __future__ import annotations

from milgraph.server.formats import GRAPH_FORMATS, NAMED_FORMATS, SOLUTION_FORMATS, parse_accept

VARY = "Accept, Sec-Fetch-Mode, Upgrade-Insecure-Requests"
HTML = "text/html"

#: Every media type an RDF/SPARQL answer of this server can have (own types and aliases).
DATA_TYPES: tuple[str, ...] = tuple(
    dict.fromkeys(
        t for f in (*SOLUTION_FORMATS, *GRAPH_FORMATS, *NAMED_FORMATS)
        for t in (f.media_type, *f.aliases)
    )
)


def _q_for(media_type: str, ranges: list[tuple[str, float, int]]) -> float:
    """q of the most specific range matching ``media_type`` (0 when none matches)."""
    major = media_type.split("/", 1)[0]
    best_spec, best_q = 0, 0.0
    for media_range, q, _ in ranges:
        if media_range == media_type:
            spec = 3
        elif media_range == f"{major}/*":
            spec = 2
        elif media_range == "*/*":
            spec = 1
        else:
            continue
        if spec > best_spec:
            best_spec, best_q = spec, q
    return best_q


def html_preferred(accept: str | None) -> bool:
    """Rule 3: ``text/html`` named explicitly, with q at least every data type's q."""
    if not accept or "html" not in accept:
        return False
    ranges = parse_accept(accept)
    explicit = [q for media, q, _ in ranges if media == HTML]
    if not explicit or max(explicit) <= 0:
        return False
    html_q = max(explicit)
    return all(_q_for(t, ranges) <= html_q for t in DATA_TYPES)


def is_navigation(headers: dict[bytes, bytes]) -> bool:
    """Rule 2: a top-level or frame navigation by a browser."""
    mode = headers.get(b"sec-fetch-mode")
    if mode is not None:
        return mode.strip().lower() == b"navigate"
    return headers.get(b"upgrade-insecure-requests", b"").strip() == b"1"


def wants_page(scope: dict, query_params: dict[str, str] | None = None) -> bool:
    """Whether to answer this ASGI request with a page for people (all three rules; the
    ``format`` check only when ``query_params`` are given). Headers are read first: a request
    without ``html`` in its Accept header costs one pass over the header list."""
    if scope.get("method") not in ("GET", "HEAD"):
        return False
    raw = scope.get("headers") or ()
    headers: dict[bytes, bytes] = {}
    for name, value in raw:
        if name in (b"accept", b"sec-fetch-mode", b"upgrade-insecure-requests"):
            headers.setdefault(name, value)
    accept = headers.get(b"accept")
    if accept is None or b"html" not in accept:
        return False
    if query_params is not None and query_params.get("format"):
        return False
    if not is_navigation(headers):
        return False
    return html_preferred(accept.decode("latin-1"))
