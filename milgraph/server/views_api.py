"""JSON endpoints the workbench views draw from (and dashboards may use): ``/api/views/…``.

* ``GET /api/views/network?asOf=`` — the alliance network on a day: nations that are
  ``mil:alliedWith`` another, and one edge per allied pair with the alliances behind it and
  the strongest obligation among them (its *kind*).
* ``GET /api/views/exercises?year=[&nation=][&kind=]`` — the exercises that started in a year,
  with WGS84 coordinates where the data has them (MME gives ``geo:lat``/``geo:long``).
* ``GET /api/views/nations`` — every nation with code and label (pickers).
* ``GET /api/views/explain?s=&p=&o=[&asOf=]`` — ``/api/explain`` with the line of each
  asserted triple in its file and the public documents behind dataset sources.
* ``GET /api/views/queries/{name}/sparql?…`` — a named query as plain SPARQL with its
  parameters inlined (a ``VALUES`` row), for the workbench's tabs.

The SPARQL ones run on the query worker pool (deadlines, isolation), like ``/sparql``;
explanations read the snapshot in a thread, like ``/api/explain``. Every parameter is bounded
and checked here: a bad value is a 400 problem document saying what was expected.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from milgraph.analysis import explain, nation_indicators
from milgraph.analysis.models import IndicatorsModel
from milgraph.errors import MilgraphError, SnapshotError, TripleNotHeld
from milgraph.namespaces import DCTERMS_SOURCE, GEO, ID_IRI, MIL_IRI, PREFIXES, sparql_prologue
from milgraph.paths import PROJECT_ROOT
from milgraph.server.analysis import error_response, served_snapshot
from milgraph.server.memo import Memo
from milgraph.server.named import resolver_for
from milgraph.server.options import OptionError, QueryOptions, parse_as_of
from milgraph.server.pool import Job
from milgraph.server.problems import Problem, problem_for
from milgraph.server.state import ServerState
from milgraph.sparql import values_row
from milgraph.store.base import solutions
from milgraph.store.snapshot import Snapshot

_P = sparql_prologue({**PREFIXES, "geo": GEO})

#: Alliance obligations (ATOP), strongest first: an edge takes the first its alliances have.
KINDS: tuple[tuple[str, str], ...] = (
    ("defence", MIL_IRI + "ObligationDefence"),
    ("offence", MIL_IRI + "ObligationOffence"),
    ("neutrality", MIL_IRI + "ObligationNeutrality"),
    ("non-aggression", MIL_IRI + "ObligationNonAggression"),
    ("consultation", MIL_IRI + "ObligationConsultation"),
)
UNSPECIFIED = "unspecified"
_KIND_OF = {iri: name for name, iri in KINDS}
_RANK = {name: i for i, (name, _) in enumerate(KINDS)} | {UNSPECIFIED: len(KINDS)}

#: Exercise domains accepted by ``kind=`` (mil:Domain…).
DOMAINS = {
    "land": "DomainLand", "sea": "DomainSea", "air": "DomainAir",
    "amphibious": "DomainAmphibious", "command-post": "DomainCommandPost",
    "cyber": "DomainCyber", "space": "DomainSpace",
}  # fmt: skip
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_TERM = 2048

# --------------------------------------------------------------------------- models


class NetworkNode(BaseModel):
    id: str = Field(description="nation IRI")
    code: str = Field(description="last segment of the IRI (ISO alpha-3 where there is one)")
    label: str


class AllianceRef(BaseModel):
    iri: str
    label: str
    kinds: list[str] = Field(description="obligations the alliance carries (ATOP codes)")


class NetworkEdge(BaseModel):
    source: str
    target: str
    kind: str = Field(description="strongest obligation among the alliances: " + ", ".join(
        [k for k, _ in KINDS] + [UNSPECIFIED]))
    alliances: list[str] = Field(description="IRIs of the alliances both were members of")


class Network(BaseModel):
    asOf: str
    kinds: list[str]
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    alliances: dict[str, AllianceRef] = Field(description="the alliances the edges name")


class Exercise(BaseModel):
    iri: str
    label: str
    start: str | None
    end: str | None
    lat: float | None
    long: float | None
    location: str | None
    participants: list[str]
    hosts: list[str]
    domains: list[str]
    purposes: list[str]


class Exercises(BaseModel):
    year: int
    nation: str | None
    kind: str | None
    count: int
    located: int = Field(description="exercises with coordinates")
    exercises: list[Exercise]
    nations: dict[str, str] = Field(description="labels of the participants and hosts")


class NationRef(BaseModel):
    iri: str
    code: str
    label: str


class SparqlText(BaseModel):
    name: str
    sparql: str = Field(description="the query with its parameters as a VALUES row")
    rest: str = Field(description="the same query as a REST URL (relative)")


_PROBLEM = {"description": "Bad parameter (application/problem+json)"}


# --------------------------------------------------------------------------- checks


def _bad(detail: str) -> Problem:
    return Problem(400, "bad-parameter", "Bad parameter", detail)


def parse_year(raw: str | None) -> int:
    text = (raw or "").strip()
    if not re.fullmatch(r"-?\d{1,4}", text) or not 1 <= int(text) <= 9999:
        raise _bad(f"year={raw!r} is not a year: give four digits, 1 to 9999 (e.g. 1995)")
    return int(text)


def parse_day(raw: str | None, name: str = "asOf") -> str | None:
    if raw is not None and len(raw) > 32:
        raise _bad(f"{name} is {len(raw)} characters long: give a day as YYYY-MM-DD")
    try:
        return parse_as_of(raw)
    except OptionError as exc:
        raise _bad(str(exc)) from None


def parse_code(raw: str | None, name: str) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    if not _CODE.match(raw.strip()):
        raise _bad(f"{name}={raw[:80]!r} is not a nation code (ISO alpha-3 such as FIN, or the "
                   "last segment of a nation IRI such as cow-GMY)")  # fmt: skip
    return raw.strip()


def parse_term_text(raw: str, name: str) -> str:
    if len(raw) > MAX_TERM:
        raise _bad(f"{name} is {len(raw):,} characters long; at most {MAX_TERM:,}")
    return raw


# --------------------------------------------------------------------------- queries

_ALLIED = "SELECT ?a ?b WHERE { ?a mil:alliedWith ?b . FILTER(STR(?a) < STR(?b)) }"
#: One triple pattern: a join with the classes as of a day costs 30x more (measured); the
#: alliances and nations are known from the static part and filtered in Python.
_MEMBERS = "SELECT ?n ?alliance WHERE { ?n mil:memberOf ?alliance }"
_ALLIANCES = """SELECT ?alliance (SAMPLE(?l) AS ?label)
  (GROUP_CONCAT(DISTINCT STR(?o); separator=" ") AS ?obligations) WHERE {
  ?alliance a mil:Alliance .
  OPTIONAL { ?alliance rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
  OPTIONAL { ?alliance mil:obligation ?o }
} GROUP BY ?alliance"""
_NATIONS = """SELECT ?n (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?code) WHERE {
  ?n a mil:Nation .
  OPTIONAL { ?n rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
  OPTIONAL { ?n mil:isoCode ?c }
} GROUP BY ?n"""
_EXERCISES = """SELECT ?e (SAMPLE(?l) AS ?label) (SAMPLE(?s) AS ?start) (SAMPLE(?en) AS ?end)
  (SAMPLE(?la) AS ?lat) (SAMPLE(?lo) AS ?long) (SAMPLE(?loc) AS ?location)
  (GROUP_CONCAT(DISTINCT STR(?p); separator=" ") AS ?participants)
  (GROUP_CONCAT(DISTINCT STR(?h); separator=" ") AS ?hosts)
  (GROUP_CONCAT(DISTINCT STR(?d); separator=" ") AS ?domains)
  (GROUP_CONCAT(DISTINCT STR(?pu); separator=" ") AS ?purposes)
WHERE {
  ?e a mil:MilitaryExercise ; mil:startDate ?s .
  FILTER(YEAR(?s) = %(year)d)
  %(filters)s
  OPTIONAL { ?e rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
  OPTIONAL { ?e mil:endDate ?en }
  OPTIONAL { ?e geo:lat ?la ; geo:long ?lo }
  OPTIONAL { ?e mil:location ?loc }
  OPTIONAL { ?e mil:participant ?p }
  OPTIONAL { ?e mil:host ?h }
  OPTIONAL { ?e mil:domain ?d }
  OPTIONAL { ?e mil:purpose ?pu }
} GROUP BY ?e ORDER BY ?start ?e"""


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class Views:
    """The view endpoints of one server."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.memo = Memo()

    async def rows(self, query: str, as_of: str | None = None) -> list[dict[str, Any]]:
        state = self.state
        served = state.manager.served
        if served is None or not state.pool.ready:
            raise Problem(503, "not-ready", "Not ready",
                          "the snapshot is still loading; retry in a moment (see /health)")
        job = Job(_P + query, QueryOptions(as_of=as_of), "rows", state.config.max_result_bytes,
                  store=state.manager.store_path)  # fmt: skip
        return json.loads(await state.pool.collect(job, state.config.query_timeout))["rows"]

    async def cached(self, key: tuple[Any, ...], make: Any) -> bytes:
        served = self.state.manager.served
        full = (served.key if served else None, *key)
        body = self.memo.get(full)
        if body is None:
            body = json.dumps(await make(), ensure_ascii=False, separators=(",", ":")).encode()
            self.memo.put(full, body)
        return body

    async def nation_labels(self) -> dict[str, dict[str, str]]:
        body = await self.cached(("nations",), self._nations)
        return {n["iri"]: n for n in json.loads(body)}

    async def _nations(self) -> list[dict[str, str]]:
        out = []
        for r in await self.rows(_NATIONS):
            iri = r["n"]
            out.append({"iri": iri, "code": _local(iri), "label": r.get("label") or _local(iri)})
        return sorted(out, key=lambda n: n["label"])

    async def network(self, as_of: str) -> dict[str, Any]:
        alliances = {
            r["alliance"]: {
                "iri": r["alliance"], "label": r.get("label") or _local(r["alliance"]),
                "kinds": sorted({_KIND_OF[o] for o in (r.get("obligations") or "").split()
                                 if o in _KIND_OF}, key=_RANK.__getitem__),
            }
            for r in json.loads(await self.cached(("alliances",), lambda: self.rows(_ALLIANCES)))
        }  # fmt: skip
        labels = await self.nation_labels()
        member_of: dict[str, set[str]] = defaultdict(set)
        for r in await self.rows(_MEMBERS, as_of):
            if r["alliance"] in alliances and r["n"] in labels:
                member_of[r["n"]].add(r["alliance"])
        edges = []
        used: set[str] = set()
        named: set[str] = set()
        for r in await self.rows(_ALLIED, as_of):
            a, b = r["a"], r["b"]
            shared = [x for x in sorted(member_of[a] & member_of[b]) if x in alliances]
            kinds = [k for x in shared for k in alliances[x]["kinds"]] or [UNSPECIFIED]
            kind = min(kinds, key=_RANK.__getitem__)
            edges.append({"source": a, "target": b, "kind": kind, "alliances": shared})
            used.update((a, b))
            named.update(shared)
        nodes = [
            {"id": n, "code": _local(n), "label": labels.get(n, {}).get("label", _local(n))}
            for n in sorted(used)
        ]
        edges.sort(key=lambda e: (e["source"], e["target"]))
        return {"asOf": as_of, "kinds": [k for k, _ in KINDS] + [UNSPECIFIED],
                "nodes": nodes, "edges": edges,
                "alliances": {x: alliances[x] for x in sorted(named)}}  # fmt: skip

    async def exercises(self, year: int, nation: str | None, kind: str | None) -> dict[str, Any]:
        filters = []
        if nation:
            iri = to_term_nation(nation)
            filters.append(f"FILTER EXISTS {{ ?e mil:participant|mil:host <{iri}> }}")
        if kind:
            filters.append(f"?e mil:domain mil:{DOMAINS[kind]} .")
        text = _EXERCISES % {"year": year, "filters": "\n  ".join(filters)}
        rows = await self.rows(text)
        labels = await self.nation_labels()
        out = []
        seen: set[str] = set()
        for r in rows:
            parts = sorted(set((r.get("participants") or "").split()))
            hosts = sorted(set((r.get("hosts") or "").split()))
            seen.update(parts, hosts)
            lat, lon = r.get("lat"), r.get("long")
            out.append({
                "iri": r["e"], "label": r.get("label") or _local(r["e"]),
                "start": r.get("start"), "end": r.get("end"),
                "lat": float(lat) if lat is not None else None,
                "long": float(lon) if lon is not None else None,
                "location": r.get("location"), "participants": parts, "hosts": hosts,
                "domains": sorted(_short(d) for d in (r.get("domains") or "").split()),
                "purposes": sorted(_short(p) for p in (r.get("purposes") or "").split()),
            })  # fmt: skip
        return {
            "year": year, "nation": nation, "kind": kind, "count": len(out),
            "located": sum(1 for e in out if e["lat"] is not None),
            "exercises": out,
            "nations": {n: labels.get(n, {}).get("label", _local(n)) for n in sorted(seen)},
        }  # fmt: skip


def to_term_nation(code: str) -> str:
    return f"{ID_IRI}nation/{code.upper() if len(code) == 3 else code}"


def _short(iri: str) -> str:
    name = iri.rsplit("#", 1)[-1]
    for prefix in ("Domain", "Purpose"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "-", name).lower()


# --------------------------------------------------------------------------- explanations


def with_lines(
    explanation: Mapping[str, Any], roots: list[Path], snapshot: Snapshot
) -> Mapping[str, Any]:
    """Add ``line`` (1-based, or None) to each asserted entry and ``links`` (public documents:
    a dataset source's own ``dcterms:source``) next to its ``sources``."""
    from milgraph.build.inputs import SourceFile, format_for

    locator = _locator(snapshot.key)
    links: dict[str, list[str]] = {}

    def source_links(iri: str) -> list[str]:
        if iri not in links:
            found: list[str] = []
            if iri.startswith(ID_IRI):
                q = f"SELECT ?d WHERE {{ <{iri}> <{DCTERMS_SOURCE}> ?d }}"
                found = sorted(str(r["d"].value) for r in solutions(snapshot.query(q)))
            links[iri] = found or [iri]
        return links[iri]

    def visit(node: dict[str, Any]) -> None:
        for entry in node.get("asserted") or ():
            path = _resolve(entry.get("file", ""), roots)
            line = None
            if path is not None:
                t = node["triple"]
                subject = t["s"]["value"] if t["s"]["type"] == "uri" else "_:"
                prop = t["p"]["value"]
                try:
                    source = SourceFile(path, entry["file"], format_for(path))
                    line = locator._line(source, subject, prop)
                except Exception:  # an unreadable or unknown file: no line, not an error
                    line = None
            entry["line"] = line
            entry["links"] = sorted({u for s in entry.get("sources", []) for u in source_links(s)})
        for p in node.get("premises") or ():
            visit(p)

    visit(explanation["explanation"])
    for derivation in explanation.get("derivations") or ():  # every derivation, curated first
        visit(derivation)
    return explanation


_LOCATORS: dict[str, Any] = {}


def _locator(key: str) -> Any:
    """One ``validate.Locator`` (it keeps the files' lines) per served snapshot."""
    from milgraph.build.check import Locator

    if key not in _LOCATORS:
        _LOCATORS.clear()
        _LOCATORS[key] = Locator([])
    return _LOCATORS[key]


def _resolve(relpath: str, roots: list[Path]) -> Path | None:
    """The input file named by an explanation, only inside the server's input roots."""
    if not relpath or relpath.startswith(("/", "\\")) or ".." in Path(relpath).parts:
        return None
    for root in roots:
        candidate = (root / relpath).resolve()
        if candidate.is_file() and candidate.is_relative_to(root.resolve()):
            return candidate
    return None


def input_roots(state: ServerState) -> list[Path]:
    roots = [PROJECT_ROOT]
    for p in (*(state.config.data or ()), state.config.ontology):
        if p:
            roots.extend([Path(p).resolve().parent, Path(p).resolve().parent.parent])
    seen: list[Path] = []
    for r in roots:
        if r not in seen:
            seen.append(r)
    return seen


# --------------------------------------------------------------------------- router


def _json(request: Request, key: str, body: bytes) -> Response:
    tag = hashlib.blake2b(f"{key}\0{request.url.path}\0{request.url.query}".encode(),
                          digest_size=12).hexdigest()  # fmt: skip
    etag = f'W/"{tag}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Snapshot": key}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(body, 200, headers, media_type="application/json")


def make_router(state: ServerState) -> APIRouter:
    router = APIRouter(tags=["Views"])
    views = Views(state)

    def snapshot_key() -> str:
        served = state.manager.served
        return served.key if served else ""

    @router.get(
        "/api/views/network", response_model=Network,
        responses={400: _PROBLEM, 503: {"description": "Snapshot loading"}},
        summary="Alliance network on a day",
        description="Nations that are `mil:alliedWith` another on `asOf`, and one edge per "
        "allied pair with the alliances both were full members of that day and the strongest "
        "obligation among them (defence > offence > neutrality > non-aggression > "
        "consultation; `unspecified` when none is coded).",
    )  # fmt: skip
    async def network(
        request: Request,
        asOf: str = Query(description="the day, YYYY-MM-DD", examples=["1989-11-09"],
                          max_length=32),
    ) -> Response:  # fmt: skip
        day = parse_day(asOf)
        if day is None:
            raise _bad("asOf is required: give a day as YYYY-MM-DD")
        body = await views.cached(("network", day), lambda: views.network(day))
        return _json(request, snapshot_key(), body)

    @router.get(
        "/api/views/exercises", response_model=Exercises,
        responses={400: _PROBLEM, 503: {"description": "Snapshot loading"}},
        summary="Exercises that started in a year, with coordinates",
        description="Military exercises whose start date falls in `year` (partial dates "
        "count in their year), with `lat`/`long` (WGS84, from MME where the data has them; "
        "null otherwise), participants, hosts, domains and purposes. `nation` keeps those the "
        "nation took part in or hosted; `kind` those of one domain.",
    )  # fmt: skip
    async def exercises(
        request: Request,
        year: str = Query(description="four-digit year, 1–9999", examples=["1995"],
                          max_length=8),
        nation: str | None = Query(None, description="ISO alpha-3 code or nation IRI segment",
                                   max_length=64),
        kind: str | None = Query(None, description="domain: " + ", ".join(DOMAINS),
                                 max_length=32),
    ) -> Response:  # fmt: skip
        y = parse_year(year)
        code = parse_code(nation, "nation")
        if kind is not None and kind not in DOMAINS:
            raise _bad(f"kind={kind[:40]!r} is not a domain; use one of {', '.join(DOMAINS)}")
        body = await views.cached(("exercises", y, code, kind),
                                  lambda: views.exercises(y, code, kind))  # fmt: skip
        return _json(request, snapshot_key(), body)

    @router.get("/api/views/nations", response_model=list[NationRef],
                summary="Every nation with its code and label")  # fmt: skip
    async def nations(request: Request) -> Response:
        body = await views.cached(("nations",), views._nations)
        return _json(request, snapshot_key(), body)

    @router.get(
        "/api/views/nations/{code}/indicators", summary="A nation's indicators per year",
        response_model=IndicatorsModel,
        responses={400: _PROBLEM, 404: {"description": "Unknown nation"},
                   409: {"description": "A code naming several nations"}},
        description="Per year: alliances and other organisations the nation was a full member "
        "of, agreements in force for it, exercises it took part in or hosted (by start year), "
        "trust-building measures and training exchanges in effect; a year counts a relation "
        "that holds on at least one of its days. Each figure lists the IRIs counted.",
    )  # fmt: skip
    def indicators(
        request: Request, code: str,
        from_: str | None = Query(None, alias="from", max_length=10,
                                  description="YYYY, YYYY-MM or YYYY-MM-DD"),
        to: str | None = Query(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"),
    ) -> Response:  # fmt: skip
        if len(code) > 64:
            raise _bad(f"nation code is {len(code)} characters long; at most 64")
        try:
            snapshot = served_snapshot(request)
            key = (snapshot.key, "indicators", code.upper(), from_, to)
            body = views.memo.get(key)
            if body is None:
                data = nation_indicators(snapshot, code, from_, to)
                body = json.dumps(data, ensure_ascii=False).encode()
                views.memo.put(key, body)
        except MilgraphError as exc:
            return error_response(exc)
        return _json(request, snapshot.key, body)

    @router.get(
        "/api/views/explain", summary="An explanation with file lines and source links",
        responses={400: _PROBLEM, 404: {"description": "The triple does not hold"}},
        description="The answer of `/api/explain` (same parameters), where each asserted "
        "entry also has `line` (1-based line of the triple's statement in its file, null when "
        "it cannot be found) and `links` (the public documents behind its sources).",
    )  # fmt: skip
    def explain_view(
        request: Request,
        s: str = Query(description="subject", examples=["id:nation/FIN"]),
        p: str = Query(description="predicate", examples=["mil:alliedWith"]),
        o: str = Query(description="object", examples=["id:nation/SWE"]),
        asOf: str | None = Query(None, description="a day, YYYY-MM-DD", max_length=32),
    ) -> Response:  # fmt: skip
        terms = [parse_term_text(v, n) for v, n in ((s, "s"), (p, "p"), (o, "o"))]
        day = parse_day(asOf)
        try:
            snapshot = served_snapshot(request)
            result = explain(snapshot, terms[0], terms[1], terms[2], as_of=day)
            if result is None:
                raise TripleNotHeld(s, p, o, day)
        except MilgraphError as exc:
            return error_response(exc)
        data = with_lines(result.to_json(), input_roots(state), snapshot)
        return _json(request, snapshot.key, json.dumps(data, ensure_ascii=False).encode())

    @router.get(
        "/api/views/queries/{name}/sparql", response_model=SparqlText,
        responses={400: _PROBLEM, 404: {"description": "No such named query"}},
        summary="A named query as SPARQL with its parameters inlined",
        description="The text of `queries/{name}.rq` with the given parameters (validated as "
        "for `/api/queries/{name}`; defaults and examples otherwise) as a `VALUES` row at the "
        "head of its WHERE clause, so it runs on `/sparql` as it is.",
    )  # fmt: skip
    def named_sparql(request: Request, name: str) -> Response:
        nq = state.named.get(name)
        if nq is None:
            raise Problem(404, "unknown-query", "Unknown query",
                          f"no named query {name[:80]!r}; see /api/queries")  # fmt: skip
        given = {k: v for k, v in request.query_params.items()}
        for p in nq.params:
            if not given.get(p.name) and p.required:
                given[p.name] = example_value(p)
        resolve = None if state.config.writable else resolver_for(state.opened_snapshot)
        try:
            bindings = nq.bind(given, None, resolve)
        except OptionError as exc:
            raise _bad(str(exc)) from None
        except SnapshotError as exc:  # names are resolved on the served snapshot
            raise problem_for(exc) from None
        text = inline_values(nq.text, bindings)
        query = urlencode([(k, v) for k, v in given.items() if v])
        body = {"name": name, "sparql": text,
                "rest": f"/api/queries/{name}" + (f"?{query}" if query else "")}  # fmt: skip
        return _json(request, snapshot_key(), json.dumps(body, ensure_ascii=False).encode())

    return router


def example_value(p: Any) -> str:
    """The example a parameter's description gives ("e.g. FIN"), else a sample of its type."""
    from milgraph.server.named import SAMPLES

    m = re.search(r"e\.g\.\s+([A-Za-z0-9_\-:/.]+?)[,;)]?(?:\s|$)", p.description)
    return m.group(1) if m else SAMPLES[p.type]


def inline_values(text: str, bindings: dict[str, Any]) -> str:
    if not bindings:
        return text
    terms = [_sparql_term(spec) for spec in bindings.values()]
    return values_row(text, list(bindings), [terms], comment="parameters")


def _sparql_term(spec: tuple[str, str, str | None]) -> str:
    kind, value, extra = spec
    if kind == "iri":
        return f"<{value}>"
    escaped = json.dumps(value, ensure_ascii=False)
    if extra and extra.startswith("@"):
        return escaped + extra
    if extra:
        return f"{escaped}^^<{extra}>"
    return escaped


__all__ = ["KINDS", "Views", "make_router"]
