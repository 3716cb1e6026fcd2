"""HTTP endpoints for analysts: explanations, relationship profiles, nation timelines.

``make_router(get_snapshot)`` returns a FastAPI ``APIRouter`` with

* ``GET /api/explain?s=…&p=…&o=…[&asOf=YYYY-MM-DD][&format=json|text]``
* ``GET /api/relations/{a}/{b}[?from=…&to=…]``
* ``GET /api/nations/{code}/timeline[?from=…&to=…]``

``get_snapshot(request)`` gives the snapshot to answer from (the served one in the SPARQL
service; a fixed one in tests). Errors are RFC 9457 problem documents like the rest of the
service: 400 bad parameter, 404 a triple that does not hold or an unknown nation, 409 a code
that names several nations (with the choices).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from milgraph.errors import MilgraphError, QueryError, SnapshotError
from milgraph.explain import explain
from milgraph.namespaces import PROBLEM_TYPE_BASE
from milgraph.relations import AmbiguousNation, NationNotFound, profile, timeline
from milgraph.store.snapshot import Snapshot

SnapshotGetter = Callable[[Request], Any]


# --------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class TermModel(_Model):
    type: str = Field(description="uri, literal, bnode (or triple for a generalised premise)")
    value: str
    datatype: str | None = None
    lang: str | None = Field(None, alias="xml:lang")


class TripleModel(_Model):
    s: TermModel
    p: TermModel
    o: TermModel


class PeriodModel(_Model):
    from_: str | None = Field(None, alias="from", description="first day (None: unbounded)")
    until: str | None = Field(None, description="first day after (exclusive; None: ongoing)")


class AssertionModel(_Model):
    graph: str = Field(description="named graph of the input file")
    file: str = Field(description="input file, relative to the repository")
    sources: list[str] = Field(description="dcterms:source / prov:wasDerivedFrom of the subject")


class ExplanationNodeModel(_Model):
    triple: TripleModel
    text: str = Field(description="the triple in compact form")
    rule: str | None = Field(description="rule applied; None for an asserted triple")
    ruleKind: str = Field(description="asserted, owl2rl or sparql")
    asserted: list[AssertionModel] | None
    dates: dict[str, str | None] | None = Field(
        description="dates a temporal rule compared, asOf included (None: absent date)"
    )
    period: list[PeriodModel] | None = Field(
        description="as of a day: the period on which this derivation holds"
    )
    note: str | None = Field(description="explained above, truncated, cycle, …")
    premises: list[ExplanationNodeModel]


class ExplanationModel(_Model):
    triple: TripleModel
    holds: bool
    asOf: str | None
    truncated: bool
    nodes: int
    rules: dict[str, str] = Field(description="SPARQL rules used: file and summary")
    explanation: ExplanationNodeModel


class NationModel(_Model):
    iri: str
    label: str
    code: str | None
    cow: int | None
    statehood: list[PeriodModel]


class RecordModel(_Model):
    iri: str
    period: list[PeriodModel]
    dates: dict[str, str]
    role: str | None = None
    status: str | None = None
    inForce: list[PeriodModel] | None = Field(
        None, description="adherence: days in force for that party (mil:partyTo)"
    )


class OrganizationModel(_Model):
    iri: str
    label: str
    alliance: bool
    a: list[RecordModel]
    b: list[RecordModel]
    together: list[PeriodModel] = Field(description="both full members (mil:memberOf)")
    affiliatedTogether: list[PeriodModel] = Field(description="both held a membership, any role")


class AgreementModel(_Model):
    iri: str
    label: str
    kinds: list[str]
    dates: dict[str, str]
    a: list[RecordModel]
    b: list[RecordModel]
    inForceTogether: list[PeriodModel]
    status: str


class ItemModel(_Model):
    model_config = ConfigDict(populate_by_name=True, extra="allow")
    iri: str
    label: str
    kinds: list[str]
    startDate: str | None
    endDate: str | None


class FigureModel(_Model):
    count: int
    facts: list[str] = Field(description="IRIs of what is counted")
    records: list[str] = Field(description="IRIs of the records that make it count")


class YearModel(_Model):
    year: int
    sharedAlliances: FigureModel
    agreementsInForce: FigureModel
    jointExercises: FigureModel
    activeMeasures: FigureModel
    trainingExchanges: FigureModel


class ProfileModel(_Model):
    a: NationModel
    b: NationModel
    from_: str | None = Field(None, alias="from")
    to: str | None
    organizations: list[OrganizationModel]
    agreements: list[AgreementModel]
    exercises: dict[str, list[ItemModel]] = Field(description="by year of start ('undated')")
    measures: list[ItemModel]
    training: list[ItemModel]
    indicators: list[YearModel]


class EventModel(_Model):
    date: str
    kind: str
    label: str
    fact: str
    related: str | None
    relatedLabel: str | None


class TimelineModel(_Model):
    nation: NationModel
    events: list[EventModel]
    undated: list[EventModel]


class ProblemModel(_Model):
    type: str
    title: str
    status: int
    detail: str
    choices: list[NationModel] | None = None


# --------------------------------------------------------------------------- helpers


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(
        body, status, media_type="application/problem+json", headers={"Cache-Control": "no-store"}
    )


def _error(exc: Exception) -> JSONResponse:
    if isinstance(exc, AmbiguousNation):
        return problem(
            409, "ambiguous-nation", "Ambiguous nation", str(exc),
            choices=[c.to_json() for c in exc.choices],
        )  # fmt: skip
    if isinstance(exc, NationNotFound):
        return problem(404, "unknown-nation", "Unknown nation", str(exc))
    if isinstance(exc, QueryError):
        return problem(400, "bad-parameter", "Bad parameter", str(exc))
    if isinstance(exc, SnapshotError):
        return problem(503, "snapshot-unavailable", "Snapshot unavailable", str(exc))
    return problem(400, "bad-request", "Bad request", str(exc))


def _cached(request: Request, snapshot: Snapshot, body: bytes | str, media: str) -> Response:
    """Answer with an ETag over the snapshot and the request; 304 when the client has it."""
    tag = hashlib.sha256(f"{snapshot.key}\0{request.url.path}\0{request.url.query}".encode())
    etag = f'"{tag.hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Snapshot": snapshot.key}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(body, 200, headers, media_type=media)


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": ProblemModel, "description": "A parameter cannot be read"},
    404: {"model": ProblemModel, "description": "Not found (see detail)"},
    409: {"model": ProblemModel, "description": "A code names several nations: choices"},
}


# --------------------------------------------------------------------------- snapshots

_OPENED: dict[str, Any] = {}
_OPENED_LOCK = threading.Lock()


def served_snapshot(request: Request) -> Any:
    """The snapshot the SPARQL service serves, opened read-only in this process once per key
    (its query workers have their own handles; these analyses run in the server's threads)."""
    from milgraph.store import open_snapshot

    served = request.app.state.milgraph.manager.served
    if served is None:
        raise SnapshotError("the snapshot is still loading; retry in a moment (see /health)")
    with _OPENED_LOCK:
        snapshot = _OPENED.get(served.key)
        if snapshot is None:
            _OPENED.clear()  # keep only the served one open
            snapshot = _OPENED[served.key] = open_snapshot(Path(served.root), served.key)
        return snapshot


# --------------------------------------------------------------------------- router


def make_router(get_snapshot: SnapshotGetter) -> APIRouter:
    """The analysts' endpoints, answering from ``get_snapshot(request)``."""
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
        except MilgraphError as exc:
            return _error(exc)
        if result is None:
            view = f"as of {asOf}" if asOf else "in the current view"
            return problem(
                404, "triple-does-not-hold", "Triple does not hold",
                f"{s} {p} {o} does not hold {view}: it is neither asserted nor inferred",
            )  # fmt: skip
        if format == "text":
            return _cached(request, snapshot, result.to_text() + "\n", "text/plain; charset=utf-8")
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
            return _error(exc)
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
            result = timeline(snapshot, code, from_, to)
        except MilgraphError as exc:
            return _error(exc)
        return _cached(request, snapshot, _json(result.to_json()), "application/json")

    return router


def _json(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False).encode()
