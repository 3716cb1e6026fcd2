"""``GET /graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, read side.

``?graph=IRI`` answers one named graph, ``?default`` the default graph (asserted and inferred
triples), in the format ``Accept`` (or ``format=``) asks for: Turtle, N-Triples, N-Quads,
RDF/XML, JSON-LD, TriG. A graph is a CONSTRUCT over it run like any other query (the worker
pool or the remote backend, the deadline, the result-size cap, streaming, ETag), so its bounds
are the service's. A graph the snapshot does not have is 404, as the protocol says.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from milgraph.server.answers import answer, as_response, not_ready
from milgraph.server.formats import GRAPH_FORMATS
from milgraph.server.options import OptionError, QueryOptions, check_iri
from milgraph.server.pool import Job
from milgraph.server.problems import Problem
from milgraph.server.protocol import bad, negotiate_rdf, request_timeout
from milgraph.server.sparql_text import inspect_query
from milgraph.server.state import ServerState

_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"

GRAPH_STORE_OPENAPI: dict[str, Any] = {
    "parameters": [
        {"name": "graph", "in": "query", "schema": {"type": "string", "format": "iri"},
         "description": "IRI of the named graph to answer (one of `graph`, `default`)."},
        {"name": "default", "in": "query", "schema": {"type": "string"},
         "allowEmptyValue": True, "description": "Present (no value): the default graph."},
        {"name": "format", "in": "query", "schema": {"type": "string"},
         "description": "Overrides Accept: turtle, ntriples, nquads, jsonld, rdfxml, trig."},
        {"name": "timeout", "in": "query", "schema": {"type": "number"},
         "description": "Deadline in seconds (at most the server's --query-timeout)."},
    ],
    "responses": {
        "200": {"description": "The graph's triples (bounded by --max-result-bytes)",
                "content": {f.media_type: {} for f in GRAPH_FORMATS}},
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
        "400": {"description": "Neither or both of graph and default, or not an IRI"},
        "404": {"description": "The snapshot has no graph of that name"},
        "406": {"description": "No acceptable RDF format"},
        "422": {"description": "The graph is larger than the result-size cap"},
        "503": {"description": "Timed out, busy, or no snapshot loaded"},
    },
}  # fmt: skip


def install(app: FastAPI, state: ServerState) -> None:
    @app.get("/graph-store", tags=["Dataset"], response_class=Response,
             summary="Graph Store Protocol (read): one graph as RDF",
             openapi_extra=GRAPH_STORE_OPENAPI)  # fmt: skip
    async def graph_store(request: Request) -> Response:
        """A named graph (``?graph=IRI``) or the default graph (``?default``) of the served
        snapshot, in the RDF format negotiated by ``Accept`` or ``format``."""
        params = request.query_params
        iri = params.get("graph")
        wants_default = "default" in params
        if (iri is None) == (not wants_default):
            raise bad("give either graph=IRI or default (the Graph Store Protocol's two "
                      "forms), not both and not neither", "bad-parameter")  # fmt: skip
        fmt = negotiate_rdf(request.headers.get("accept"), params.get("format"))
        timeout = request_timeout(state, params.get("timeout"))
        if iri is not None:
            try:
                check_iri(iri, "graph")
            except OptionError as exc:
                raise bad(str(exc), "bad-parameter") from None
            if iri not in await _graph_names(state, timeout) and not await _holds(
                state, iri, timeout
            ):
                raise Problem(404, "no-such-graph", "No such graph",
                              f"the served snapshot has no graph <{iri}>; GET /void lists "
                              "them")  # fmt: skip
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        else:
            text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        info = inspect_query(text, max_depth=state.config.max_query_depth)
        reply = await answer(
            state, query=text, info=info, options=QueryOptions(), fmt=fmt,
            endpoint="graph-store", timeout=timeout,
            if_none_match=request.headers.get("if-none-match"),
        )  # fmt: skip
        return as_response(reply, state, "graph-store")


async def _holds(state: ServerState, iri: str, timeout: float) -> bool:
    """Whether the graph has a triple (for stores that do not list graphs by ``GRAPH ?g {}``,
    such as Virtuoso)."""
    job = Job(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", QueryOptions(), "rows",
              state.config.max_result_bytes, store=state.manager.store_path)  # fmt: skip
    return bool(json.loads(await state.pool.collect(job, timeout))["boolean"])


async def _graph_names(state: ServerState, timeout: float) -> set[str]:
    """The named graphs of the served snapshot (asked once per snapshot)."""
    served = state.manager.served
    if served is None or not state.pool.ready:
        raise not_ready(state)
    key = f"graph-store:{served.key}"
    cached = state.void_cache.get(key)
    if cached is None:
        job = Job(_GRAPHS, QueryOptions(), "rows", state.config.max_result_bytes,
                  store=state.manager.store_path)  # fmt: skip
        rows = json.loads(await state.pool.collect(job, timeout))["rows"]
        cached = json.dumps(sorted(r["g"] for r in rows if "g" in r)).encode()
        state.void_cache[key] = cached
    return set(json.loads(cached))
