"""Named, parameterised queries: ``queries/*.rq`` with a comment header become REST endpoints.

Header lines (before the query text)::

    # summary: Members of an organisation on a date
    # description: Nations whose membership holds on the date (start inclusive, end exclusive).
    #   Continuation lines are indented.
    # param: org org required — the organisation: a short name (NATO) or an IRI
    # param: date xsd:date default=today — the day to ask about
    # tags: membership, alliance

Parameters are bound as RDF terms with pyoxigraph ``substitutions`` (never spliced into the
text), after validating their type, so an injection attempt is either rejected (400) or an
inert literal that matches nothing. pyoxigraph only substitutes variables of the SELECT
clause, and ``BOUND(?param)`` is false for a substituted variable, so both are checked when
the queries load: project every parameter, and give optional ones a default instead of
testing ``BOUND``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from milgraph.errors import Location, NameNotFound, QueryError
from milgraph.namespaces import ID_IRI, MIL_IRI, XSD
from milgraph.server.options import OptionError, TermSpec, check_iri
from milgraph.sparql import read_header
from milgraph.store.snapshot import Snapshot

#: type name -> (JSON schema for OpenAPI, human description of accepted values)
PARAM_TYPES: dict[str, tuple[dict[str, str], str]] = {
    "iri": ({"type": "string", "format": "iri"}, "an absolute IRI"),
    "nation": ({"type": "string"}, "an ISO 3166 alpha-3 code (e.g. DEU, any case), a name "
               "or a nation IRI"),
    "org": ({"type": "string"}, "an organisation name or acronym, any case (e.g. NATO, "
            "nato, Warsaw Pact) or an IRI"),
    "agreement": ({"type": "string"}, "an agreement slug (e.g. new-start), name or an IRI"),
    "xsd:date": ({"type": "string", "format": "date"}, "a date YYYY-MM-DD"),
    "xsd:gYear": ({"type": "integer"}, "a year, e.g. 2024"),
    "xsd:integer": ({"type": "integer"}, "an integer"),
    "xsd:string": ({"type": "string"}, "text"),
    "xsd:boolean": ({"type": "boolean"}, "true or false"),
}
#: A valid value per type, to check at load time that every parameter can be bound.
SAMPLES = {
    "iri": "https://example.org/x", "nation": "USA", "org": "NATO", "agreement": "new-start",
    "xsd:date": "2000-01-01", "xsd:gYear": "2000", "xsd:integer": "1", "xsd:string": "x",
    "xsd:boolean": "true",
}  # fmt: skip
#: Query-string names a named query may not use for its own parameters.
RESERVED = {"format", "inference", "timeout", "asOf"}

_KEYS = ("summary", "description", "param", "tags", "coverage")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\S+)"
    r"(?:\s+(?P<req>required|optional|default=\S+))?"
    r"(?:\s*(?:—|--|-)\s*(?P<doc>.*))?$"
)
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    params: list[Param] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    #: Class IRIs of the records the answer is about (``# coverage: mil:MilitaryExercise``):
    #: an answer whose date parameters reach outside the coverage of the datasets holding
    #: such records carries a ``Warning`` (milgraph.analysis.coverage).
    coverage: list[str] = field(default_factory=list)

    def window(self, given: Mapping[str, str]) -> tuple[int | None, int | None]:
        """Days ``[first, after)`` the *given* date and year parameters ask about: ``from``/
        ``since`` open a window until today, ``to``/``until`` close it, any other date or year
        is itself the window (None: that end not asked)."""
        first: int | None = None
        after: int | None = None
        for p in self.params:
            raw = (given.get(p.name) or "").strip()
            if not raw or p.type not in ("xsd:date", "xsd:gYear"):
                continue
            try:
                lo, hi = _days(raw, p.type)
            except ValueError:
                continue
            if p.name in ("from", "since", "start"):
                first = lo if first is None else min(first, lo)
            elif p.name in ("to", "until", "end"):
                after = hi if after is None else max(after, hi)
            else:
                first = lo if first is None else min(first, lo)
                after = hi if after is None else max(after, hi)
        return first, after

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def bind(
        self, given: Mapping[str, str], today: dt.date | None = None,
        resolve: Resolver | None = None,
    ) -> dict[str, TermSpec]:  # fmt: skip
        """Validate request values and turn them into RDF terms; ``OptionError`` if invalid.

        ``resolve(type, name)`` gives the IRI a nation, organisation or agreement name
        means (``milgraph.search.resolve_one`` on the served snapshot); without it a name is
        read as the last segment of its IRI."""
        unknown = sorted(set(given) - {p.name for p in self.params} - RESERVED)
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise OptionError(
                f"unknown parameter(s) {', '.join(unknown)} for query {self.name!r} "
                f"(it takes: {known})"
            )
        missing = [p for p in self.params if p.required and not given.get(p.name)]
        if len(missing) == 1:
            p = missing[0]
            raise OptionError(f"parameter {p.name!r} is required "
                              f"({p.description or PARAM_TYPES[p.type][1]})")  # fmt: skip
        if missing:
            names = ", ".join(repr(p.name) for p in missing)
            listed = "; ".join(f"{p.name}: {p.description or PARAM_TYPES[p.type][1]}"
                               for p in missing)  # fmt: skip
            raise OptionError(f"parameters {names} are required ({listed})")
        out: dict[str, TermSpec] = {}
        for p in self.params:
            raw = given.get(p.name)
            if raw is None or raw == "":
                if p.default is None:
                    continue  # unbound: the query treats it as "any"
                raw = (today or dt.date.today()).isoformat() if p.default == "today" else p.default
            out[p.name] = to_term(p, raw, resolve)
        return out


Resolver = Callable[[str, str], str]
"""``(parameter type, name) -> IRI``; ``NameNotFound``/``QueryError`` for a name that names
nothing or several things, ``SnapshotError`` while no snapshot is loaded."""


def resolver_for(opened: Callable[[], Snapshot]) -> Resolver:
    """Names resolved on a snapshot (the served one): ``milgraph.search.resolve_one``."""

    def resolve(kind: str, name: str) -> str:
        from milgraph.search import resolve_one

        return resolve_one(opened(), kind, name).iri

    return resolve


def to_term(p: Param, raw: str, resolve: Resolver | None = None) -> TermSpec:
    """One parameter value as a typed RDF term, or ``OptionError`` naming what is expected."""
    value = raw.strip()
    expected = PARAM_TYPES[p.type][1]
    try:
        if p.type == "iri":
            return ("iri", check_iri(value, f"parameter {p.name}"), None)
        if p.type in ("nation", "org", "agreement"):
            if ":" in value:
                return ("iri", check_iri(value, f"parameter {p.name}"), None)
            if resolve is not None and value and len(value) <= 200:
                try:
                    return ("iri", resolve(p.type, value), None)
                except (NameNotFound, QueryError) as exc:
                    raise OptionError(f"parameter {p.name}: {exc}") from None
            if not _CODE.match(value):
                raise ValueError
            if p.type == "nation":
                return ("iri", f"{ID_IRI}nation/{value.upper()}", None)
            folder = "org" if p.type == "org" else "agreement"
            return ("iri", f"{ID_IRI}{folder}/{value}", None)
        if p.type == "xsd:date":
            return ("literal", dt.date.fromisoformat(value).isoformat(), XSD + "date")
        if p.type == "xsd:gYear":
            year = int(value) if len(value) <= 6 else 10**6
            if not -9999 <= year <= 9999:
                raise ValueError
            return ("literal", str(year), XSD + "integer")
        if p.type == "xsd:integer":
            if len(value) > 40:  # a number, not a megabyte of digits
                raise ValueError
            return ("literal", str(int(value)), XSD + "integer")
        if p.type == "xsd:boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return ("literal", "true" if value.lower() in ("true", "1") else "false",
                    XSD + "boolean")  # fmt: skip
        return ("literal", raw, XSD + "string")
    except OptionError:
        raise
    except ValueError:
        raise OptionError(f"parameter {p.name}={raw!r} is not {expected}") from None


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; ``QueryError`` with file:line for a malformed header."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{path.as_posix()}: not UTF-8 text (byte {exc.start}); save the "
                         "query file as UTF-8") from None  # fmt: skip
    fields: dict[str, str] = {}
    params: list[Param] = []
    for header in read_header(text):
        if header.key == "param":
            params.append(_parse_param(header.value, path, header.line))
        elif header.key in _KEYS:
            fields[header.key] = header.value
    if "summary" not in fields:
        raise QueryError(
            f"{Location(path.as_posix(), 1)}: named query has no '# summary:' header line "
            "(fix: start the file with '# summary: what the query answers')"
        )
    names = [p.name for p in params]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise QueryError(f"{path.as_posix()}: parameter(s) declared twice: {sorted(duplicates)}")
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=fields["summary"],
        description=fields.get("description", ""),
        params=params,
        tags=[t.strip() for t in fields.get("tags", "").split(",") if t.strip()],
        coverage=[MIL_IRI + c.strip()[4:] if c.strip().startswith("mil:") else c.strip()
                  for c in fields.get("coverage", "").split(",") if c.strip()],
    )


def _days(raw: str, type_: str) -> tuple[int, int]:
    if type_ == "xsd:gYear":
        year = int(raw)
        return dt.date(year, 1, 1).toordinal(), dt.date(year + 1, 1, 1).toordinal()
    d = dt.date.fromisoformat(raw)
    return d.toordinal(), d.toordinal() + 1


def _parse_param(value: str, path: Path, lineno: int) -> Param:
    m = _PARAM.match(value)
    where = Location(path.as_posix(), lineno)
    if not m:
        raise QueryError(
            f"{where}: cannot read parameter declaration {value!r} "
            "(fix: '# param: NAME TYPE [required|default=VALUE] — description')"
        )
    name, type_, req = m.group("name"), m.group("type"), m.group("req") or "optional"
    if type_ not in PARAM_TYPES:
        raise QueryError(
            f"{where}: parameter {name!r} has unknown type {type_!r} "
            f"(fix: use one of {', '.join(PARAM_TYPES)})"
        )
    if name in RESERVED:
        raise QueryError(f"{where}: parameter name {name!r} is reserved (fix: rename it)")
    default = req.split("=", 1)[1] if req.startswith("default=") else None
    if default is not None and not (type_ == "xsd:date" and default == "today"):
        try:
            to_term(Param(name, type_, False, None, ""), default)
        except OptionError as exc:
            raise QueryError(f"{where}: default value is invalid: {exc}") from None
    return Param(name, type_, req == "required", default, (m.group("doc") or "").strip())


def load_named_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` in ``directory`` (sorted by name); syntax-checked with pyoxigraph."""
    out: dict[str, NamedQuery] = {}
    if not directory.is_dir():
        return out
    from milgraph.server.options import to_term as spec_to_term
    from milgraph.store.oxigraph import check_query

    for path in sorted(directory.glob("*.rq")):
        nq = parse_named_query(path)
        for p in nq.params:
            if re.search(rf"BOUND\s*\(\s*[?$]{p.name}\s*\)", nq.text, re.IGNORECASE):
                raise QueryError(
                    f"{path.as_posix()}: BOUND(?{p.name}) is always false for a bound parameter "
                    f"(fix: give {p.name} a default and test its value instead)"
                )
        samples = {p.name: SAMPLES[p.type] for p in nq.params}
        try:
            check_query(nq.text, {name: spec_to_term(to_term(nq.param(name), value))
                                   for name, value in samples.items()})  # fmt: skip
        except SyntaxError as exc:
            raise QueryError(f"{path.as_posix()}: the query does not parse: {exc}") from None
        except RuntimeError as exc:
            raise QueryError(
                f"{path.as_posix()}: {exc} (fix: list every parameter in the SELECT clause)"
            ) from None
        out[nq.name] = nq
    return out


def openapi_parameters(nq: NamedQuery) -> list[dict[str, object]]:
    params: list[dict[str, object]] = []
    for p in nq.params:
        schema: dict[str, object] = dict(PARAM_TYPES[p.type][0])
        if p.default is not None:
            schema["default"] = p.default
        params.append(
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": f"{p.description} ({PARAM_TYPES[p.type][1]})".strip(),
                "schema": schema,
            }
        )
    params.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "rows (flat JSON, the default; also 'json'), srj (SPARQL results "
            "JSON), xml, csv, tsv; or use the Accept header",
            "schema": {"type": "string", "enum": ["rows", "json", "srj", "xml", "csv", "tsv"]},
        }
    )
    params.append(
        {
            "name": "inference",
            "in": "query",
            "required": False,
            "description": "false: asserted triples only (default true: with inferences)",
            "schema": {"type": "boolean", "default": True},
        }
    )
    params.append(
        {
            "name": "asOf",
            "in": "query",
            "required": False,
            "description": "answer from the graph as it stood on this day (YYYY-MM-DD): "
            "memberships, party status and derived relations valid then",
            "schema": {"type": "string", "format": "date"},
        }
    )
    return params
