"""``GET /api/search``: things by name, from the served snapshot's search index.

Ranked, accent- and case-insensitive, typo-tolerant (``milgraph.search``). The index is a
SQLite file beside the snapshot, read in a thread of the server process (a lookup takes
milliseconds and is bounded: at most 200 characters, 100 results), not in a query worker.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from milgraph.errors import MilgraphError
from milgraph.search import KINDS, index_of
from milgraph.search.index import MAX_LIMIT, MAX_QUERY, SearchJson
from milgraph.server.analysis import SnapshotGetter, _cached, _json, error_response

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Empty or too long text, unknown type, limit out of range"},
    503: {"description": "No snapshot loaded yet"},
}


def make_router(get_snapshot: SnapshotGetter) -> APIRouter:
    router = APIRouter(tags=["Search"])

    @router.get(
        "/api/search",
        response_model=SearchJson,
        responses=_PROBLEMS,
        summary="Find exercises, agreements, organisations, nations, measures by name",
        description=(
            "Ranked search over labels, alt labels, acronyms and identifiers (ISO and COW "
            "codes, the IRI's last segment), ignoring case and accents and tolerating typos "
            "(`Malabr` finds Malabar). Best first: the name itself, a name starting with the "
            "text, a name containing it, then spelling corrections. Each result gives its "
            "IRI, label, type and the dates that place it."
        ),
    )
    def search_endpoint(
        request: Request,
        q: str = Query(description=f"the text, at most {MAX_QUERY} characters",
                       examples=["Malabar"]),
        type: str | None = Query(None, description="only this type: " + ", ".join(KINDS)),
        limit: int = Query(20, description=f"at most this many results (1 to {MAX_LIMIT})"),
    ) -> Any:
        try:
            snapshot = get_snapshot(request)
            hits = index_of(snapshot).find(q, type or None, limit)
        except MilgraphError as exc:
            return error_response(exc)
        body: SearchJson = {"query": q, "type": type or None,
                            "results": [h.to_json() for h in hits]}  # fmt: skip
        return _cached(request, snapshot, _json(body), "application/json")

    return router
