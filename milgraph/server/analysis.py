"""HTTP endpoints for analysts: explanations, relationship profiles, nation timelines.

``make_router(get_snapshot)`` returns a FastAPI ``APIRouter`` with

* ``GET /api/explain?s=…&p=…&o=…[&asOf=YYYY-MM-DD][&format=json|text]``
* ``GET /api/relations/{a}/{b}[?from=…&to=…]``
* ``GET /api/nations/{code}/timeline[?from=…&to=…]``

``get_snapshot(request)`` gives the snapshot to answer from (the served one in the SPARQL
service, ``served_snapshot``; a fixed one in tests). The answers' schemas are the analysis
wing's own (``milgraph.analysis.models``); errors are RFC 9457 problem documents like the rest
of the service, with the statuses of the one table in ``server.problems``: 400 bad parameter,
404 a triple that does not hold or an unknown nation, 409 a code that names several nations
(with the choices).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from milgraph.analysis import coverage, explain, holds, profile, timeline
from milgraph.analysis.models import ExplanationModel, HoldsModel, ProfileModel, TimelineModel
from milgraph.errors import MilgraphError, TripleNotHeld
from milgraph.server.memo import Memo
from milgraph.server.problems import problem_for
from milgraph.store.snapshot import Snapshot

SnapshotGetter = Callable[[Request], Snapshot]

#: Statuses these endpoints declare besides 200 (``server.openapi`` adds the Problem schema).
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A parameter cannot be read"},
    404: {"description": "Not found (see detail)"},
    409: {"description": "A code names several nations: choices"},
}


def served_snapshot(request: Request) -> Snapshot:
    """The snapshot the SPARQL service serves, opened in this process (``ServerState``)."""
    snapshot: Snapshot = request.app.state.milgraph.opened_snapshot()
    return snapshot


def error_response(exc: MilgraphError) -> Response:
    """An analysis error as its problem document (no request id: as before the table)."""
    return problem_for(exc).response()


def _cached(request: Request, snapshot: Snapshot, body: bytes | str, media: str) -> Response:
    """Answer with an ETag over the snapshot and the request; 304 when the client has it."""
    tag = hashlib.sha256(f"{snapshot.key}\0{request.url.path}\0{request.url.query}".encode())
    etag = f'"{tag.hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Snapshot": snapshot.key}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(body, 200, headers, media_type=media)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


# --------------------------------------------------------------------------- router


def make_router(get_snapshot: SnapshotGetter) -> APIRouter:
    """The analysts' endpoints, answering from ``get_snapshot(request)``."""
    memo = Memo()
    router = APIRouter(tags=["Analysis"])

    @router.get(
        "/api/explain",
        response_model=ExplanationModel,
        responses={**_PROBLEMS, 200: {"content": {"text/plain": {}}}},
        summary="Why a triple holds: rules, premises, sources",
        description=(
            "The derivation of a triple down to asserted triples, with the rule applied at "
            "each step (OWL 2 RL rule names such as `prp-inv1`, or our SPARQL rules), the "
            "dates a temporal rule compared, and for each asserted triple its input file and "
            "`dcterms:source`. Terms as `<https://…>`, `prefix:name` (`id:nation/FIN`, "
            '`mil:memberOf`) or literals (`"1999-03-12"^^xsd:date`). 404 when the triple does '
            "not hold (as of `asOf`, if given)."
        ),
    )
    def explain_endpoint(
        request: Request,
        s: str = Query(description="subject", examples=["id:nation/FIN"]),
        p: str = Query(description="predicate", examples=["mil:memberOf"]),
        o: str = Query(description="object", examples=["id:org/NATO"]),
        asOf: str | None = Query(None, description="a day, YYYY-MM-DD"),
        format: str = Query("json", pattern="^(json|text)$", description="json or text"),
    ) -> Any:
        try:
            snapshot = get_snapshot(request)
            result = explain(snapshot, s, p, o, as_of=asOf)
            if result is None:
                raise TripleNotHeld(s, p, o, asOf)
        except MilgraphError as exc:
            return error_response(exc)
        if format == "text":
            return _cached(request, snapshot, result.to_text() + "\n", "text/plain; charset=utf-8")
        return _cached(request, snapshot, _json(result.to_json()), "application/json")

    @router.get(
        "/api/holds",
        response_model=HoldsModel,
        responses=_PROBLEMS,
        summary="Does a triple hold on a day: yes, no or unknown",
        description=(
            "The point-in-time answer for one triple. `unknown` when the triple is in the "
            "view as of `asOf` only because a record behind it is dated to a year or month "
            "(xsd:gYear, xsd:gYearMonth) read as 'in effect on any day of the period', and "
            "`asOf` lies inside that period (docs/analysts.md, partial dates)."
        ),
    )
    def holds_endpoint(
        request: Request,
        s: str = Query(description="subject", examples=["id:nation/RWA"]),
        p: str = Query(description="predicate", examples=["mil:memberOf"]),
        o: str = Query(description="object", examples=["id:alliance/atop-3455"]),
        asOf: str = Query(description="a day, YYYY-MM-DD"),
    ) -> Any:
        try:
            snapshot = get_snapshot(request)
            result = holds(snapshot, s, p, o, asOf)
        except MilgraphError as exc:
            return error_response(exc)
        return _cached(request, snapshot, _json(result.to_json()), "application/json")

    @router.get(
        "/api/relations/{a}/{b}",
        response_model=ProfileModel,
        responses=_PROBLEMS,
        summary="Relationship profile of two nations",
        description=(
            "Shared organisations and alliances with periods, agreements both are party to "
            "with status, exercises together per year, trust-building measures, training "
            "exchanges, and per-year indicators whose `facts` list the IRIs counted. Nations "
            "by ISO alpha-3 code, Correlates of War number or abbreviation, or IRI."
        ),
    )
    def relations_endpoint(
        request: Request,
        a: str,
        b: str,
        from_: str | None = Query(None, alias="from", description="YYYY, YYYY-MM or YYYY-MM-DD"),
        to: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)"),
    ) -> Any:
        try:
            snapshot = get_snapshot(request)
            result = profile(snapshot, a, b, from_, to)
        except MilgraphError as exc:
            return error_response(exc)
        return _cached(request, snapshot, _json(result.to_json()), "application/json")

    @router.get(
        "/api/nations/{code}/timeline",
        response_model=TimelineModel,
        responses=_PROBLEMS,
        summary="A nation's memberships, agreements and exercises in date order",
    )
    def timeline_endpoint(
        request: Request,
        code: str,
        from_: str | None = Query(None, alias="from", description="YYYY, YYYY-MM or YYYY-MM-DD"),
        to: str | None = Query(None, description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)"),
    ) -> Any:
        try:
            snapshot = get_snapshot(request)
            key = (snapshot.key, "timeline", code.upper(), from_, to)
            body = memo.get(key)
            warning = memo.get((*key, "warning"))
            if body is None or warning is None:
                result = timeline(snapshot, code, from_, to)
                body = _json(result.to_json())
                warning = (coverage.warning_header(result.coverage) or "").encode()
                memo.put(key, body)
                memo.put((*key, "warning"), warning)
        except MilgraphError as exc:
            return error_response(exc)
        response = _cached(request, snapshot, body, "application/json")
        if warning:
            response.headers["Warning"] = warning.decode()
        return response

    return router
