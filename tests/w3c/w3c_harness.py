"""Run the W3C SPARQL 1.1 test suite over HTTP against ``milgraph serve``.

Every data file a test needs is loaded once into one store, as a named graph named by the
file's IRI; each test then selects its dataset with ``default-graph-uri`` /
``named-graph-uri`` (the protocol says the dataset is exactly those graphs). Answers are
compared as RDF terms: result sets up to blank-node renaming (in order when the query has
ORDER BY), graphs by isomorphism.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import RDF, BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.query import Result

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / ".." / "shared" / "benchmarks" / "w3c-sparql11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")

#: Folders of the approved non-entailment query evaluation tests (178 tests).
EVAL_DIRS = ("aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists",
             "functions", "grouping", "json-res", "negation", "project-expression",
             "property-path", "subquery")  # fmt: skip
SYNTAX_DIRS = ("syntax-query", "aggregates", "construct", "grouping", "syntax-fed")

rdflib.NORMALIZE_LITERALS = False  # compare lexical forms exactly, as an RDF store must


@dataclass
class W3CTest:
    iri: str
    name: str
    kind: str  # local name of the rdf:type
    folder: str
    query: Path | None = None
    data: list[Path] = field(default_factory=list)
    graph_data: list[Path] = field(default_factory=list)
    result: Path | None = None
    approved: bool = False
    node: Any = None
    graph: Any = None

    @property
    def id(self) -> str:
        return f"{self.folder}/{self.iri.rsplit('#', 1)[-1]}"


def _path(term: Any) -> Path | None:
    if term is None:
        return None
    return Path(str(term).removeprefix("file://"))


def load_manifest(folder: str) -> list[W3CTest]:
    manifest = SUITE / folder / "manifest.ttl"
    g = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    tests: list[W3CTest] = []
    for entries in g.objects(None, MF.entries):
        for node in Collection(g, entries):
            kind = str(g.value(node, RDF.type)).rsplit("#", 1)[-1]
            action = g.value(node, MF.action)
            t = W3CTest(
                iri=str(node), name=str(g.value(node, MF.name)), kind=kind, folder=folder,
                approved=g.value(node, DAWGT.approval) == DAWGT.Approved,
                result=_path(g.value(node, MF.result)), node=node, graph=g,
            )  # fmt: skip
            if isinstance(action, (URIRef,)) and kind.endswith("SyntaxTest11"):
                t.query = _path(action)
            elif action is not None:
                t.query = _path(g.value(action, QT.query))
                t.data = [p for p in (_path(d) for d in g.objects(action, QT.data)) if p]
                t.graph_data = [
                    p for p in (_path(d) for d in g.objects(action, QT.graphData)) if p
                ]  # fmt: skip
            tests.append(t)
    return tests


def eval_tests() -> list[W3CTest]:
    out = []
    for folder in EVAL_DIRS:
        for t in load_manifest(folder):
            if t.approved and t.kind in ("QueryEvaluationTest", "CSVResultFormatTest"):
                out.append(t)
    return out


def syntax_tests() -> list[W3CTest]:
    out = []
    for folder in SYNTAX_DIRS:
        for t in load_manifest(folder):
            if t.approved and t.kind in ("PositiveSyntaxTest11", "NegativeSyntaxTest11"):
                out.append(t)
    return out


def graph_iri(path: Path) -> str:
    return path.resolve().as_uri()


_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?<([^>]*)>", re.IGNORECASE)


def dataset_files(tests: Iterable[W3CTest]) -> dict[Path, str]:
    """Every file the tests read (qt:data, qt:graphData, FROM <file>) with its graph IRI."""
    files: dict[Path, str] = {}
    for t in tests:
        for p in (*t.data, *t.graph_data):
            files[p.resolve()] = graph_iri(p)
        if t.query is not None and t.query.is_file():
            for iri in _FROM.findall(t.query.read_text(encoding="utf-8")):
                p = (t.query.parent / iri).resolve()
                if p.is_file() and p.suffix in RDF_FORMATS:
                    files[p] = graph_iri(p)
    return files


RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
               ".rdf": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}  # fmt: skip


def write_store(root: Path, files: Iterable[tuple[Path, str]]) -> Path:
    """A snapshot-layout directory (CURRENT, manifest.json, store/) holding each file in the
    named graph given with it, so ``milgraph serve --store root`` serves it unchanged."""
    key = "w3c-suite"
    (root / key).mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(root / key / "store"))
    per_graph: dict[str, int] = {}
    for path, name in files:
        graph = ox.NamedNode(name)
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in ox.parse(
                path=str(path), format=RDF_FORMATS[path.suffix], base_iri=graph_iri(path)
            )
        ]
        store.extend(quads)
        per_graph[name] = len(quads)
    store.flush()
    del store
    manifest = {"key": key, "counts": {"total": 0, "per_graph": per_graph}}
    (root / key / "manifest.json").write_text(json.dumps(manifest))
    (root / "CURRENT").write_text(key + "\n")
    return root


# ----------------------------------------------------------------------------- comparison


_XSD = "http://www.w3.org/2001/XMLSchema#"
_EXACT = {URIRef(_XSD + t) for t in ("integer", "decimal", "int", "long", "short", "byte",
                                      "nonNegativeInteger", "positiveInteger",
                                      "negativeInteger", "nonPositiveInteger")}  # fmt: skip
_FLOATING = {URIRef(_XSD + "double"), URIRef(_XSD + "float")}


def _norm(term: Any) -> Any:
    """Term as compared: numbers by value within their datatype (``1.0`` and ``1`` as
    xsd:decimal are one value; the suite's files are not in canonical form), simple literals
    and xsd:string alike, language tags case-insensitively."""
    if isinstance(term, Literal):
        if term.datatype == XSD_STRING:
            return Literal(str(term))
        if term.language:
            return Literal(str(term), lang=term.language.lower())
        try:
            if term.datatype in _EXACT:
                return Literal(format(Decimal(str(term)).normalize(), "f"), datatype=term.datatype)
            if term.datatype in _FLOATING:
                return Literal(repr(float(str(term))), datatype=term.datatype)
        except (InvalidOperation, ValueError):
            return term
    return term


def _rows(result: Result) -> list[dict[str, Any]]:
    return [
        {str(k): _norm(v) for k, v in row.asdict().items() if v is not None}
        for row in result  # type: ignore[union-attr]
    ]


def _match_row(exp: dict, act: dict, mapping: dict) -> dict | None:
    if exp.keys() != act.keys():
        return None
    new = dict(mapping)
    used = set(new.values())
    for k, e in exp.items():
        a = act[k]
        if isinstance(e, BNode) or isinstance(a, BNode):
            if not (isinstance(e, BNode) and isinstance(a, BNode)):
                return None
            if e in new:
                if new[e] != a:
                    return None
            elif a in used:
                return None
            else:
                new[e] = a
                used.add(a)
        elif e != a:
            return None
    return new


def _match(exp: list[dict], act: list[dict], mapping: dict, ordered: bool) -> bool:
    if not exp:
        return not act
    candidates = [0] if ordered else range(len(act))
    for i in candidates:
        if i >= len(act):
            return False
        m = _match_row(exp[0], act[i], mapping)
        if m is not None and _match(exp[1:], act[:i] + act[i + 1:], m, ordered):
            return True
    return False


def same_solutions(expected: list[dict], actual: list[dict], ordered: bool) -> bool:
    if len(expected) != len(actual):
        return False
    has_bnodes = any(isinstance(v, BNode) for row in expected + actual for v in row.values())
    if not has_bnodes:
        if ordered:
            return expected == actual
        key = lambda rows: Counter(frozenset(r.items()) for r in rows)  # noqa: E731
        return key(expected) == key(actual)
    return _match(expected, actual, {}, ordered)


def expected_result(path: Path) -> Result | rdflib.Graph:
    suffix = path.suffix
    if suffix in (".srx", ".srj", ".tsv"):
        fmt = {".srx": "xml", ".srj": "json", ".tsv": "tsv"}[suffix]
        with path.open("rb") as f:
            return Result.parse(f, format=fmt)
    fmt = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt"}[suffix]
    return rdflib.Graph().parse(path, format=fmt, publicID=graph_iri(path))


_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def check_eval(test: W3CTest, http: Any) -> tuple[bool, str]:
    """Run one evaluation test over HTTP; (passed, explanation)."""
    assert test.query is not None and test.result is not None
    # The suite resolves relative IRIs against the query file; over HTTP the client says so.
    query = f"BASE <{graph_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")
    params: list[tuple[str, str]] = []
    if not _FROM.search(query):  # else the query's own FROM clauses give the dataset
        params += [("default-graph-uri", graph_iri(d)) for d in test.data]
        params += [("named-graph-uri", graph_iri(d)) for d in test.graph_data]
        if not test.data:
            params.append(("default-graph-uri", "urn:w3c:empty"))
        if not test.graph_data:
            params.append(("named-graph-uri", "urn:w3c:empty"))
    if test.kind == "CSVResultFormatTest" or test.result.suffix == ".csv":
        r = http.post("/sparql", params=params, data={"query": query, "format": "csv"})
        if r.status_code != 200:
            return False, f"HTTP {r.status_code}: {r.text[:300]}"
        return _same_csv(test.result.read_text(encoding="utf-8"), r.text)
    expected = expected_result(test.result)
    if isinstance(expected, rdflib.Graph):
        r = http.post("/sparql", params=params, data={"query": query, "format": "nt"})
        if r.status_code != 200:
            return False, f"HTTP {r.status_code}: {r.text[:300]}"
        actual = rdflib.Graph().parse(data=r.text, format="nt")
        if isomorphic(expected, actual):
            return True, ""
        return False, f"graphs differ: expected {len(expected)} triples, got {len(actual)}"
    r = http.post("/sparql", params=params, data={"query": query, "format": "json"})
    if r.status_code != 200:
        return False, f"HTTP {r.status_code}: {r.text[:300]}"
    actual_result = Result.parse(io.BytesIO(r.content), format="json")
    if expected.type == "ASK":
        ok = actual_result.type == "ASK" and actual_result.askAnswer == expected.askAnswer
        return ok, "" if ok else f"ASK: expected {expected.askAnswer}"
    exp_rows, act_rows = _rows(expected), _rows(actual_result)
    ordered = bool(_ORDER_BY.search(query))
    if same_solutions(exp_rows, act_rows, ordered):
        return True, ""
    if ordered and same_solutions(exp_rows, act_rows, False):
        return False, "same solutions in a different order"
    return False, f"solutions differ: expected {len(exp_rows)} rows, got {len(act_rows)}"


def _same_csv(expected: str, actual: str) -> tuple[bool, str]:
    def rows(text: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))

    exp, act = rows(expected), rows(actual)
    if exp[:1] != act[:1]:
        return False, f"CSV header differs: {exp[:1]} vs {act[:1]}"
    bnode = re.compile(r"^_:")
    norm = lambda rs: Counter(tuple("_:" if bnode.match(c) else c for c in r) for r in rs)  # noqa: E731
    if norm(exp[1:]) == norm(act[1:]):
        return True, ""
    return False, "CSV rows differ"


# ----------------------------------------------------------------------------- entailment

PR = Namespace("http://www.w3.org/ns/owl-profile/")
ENT = Namespace("http://www.w3.org/ns/entailment/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def _list(g: rdflib.Graph, node: Any) -> list[Any]:
    if node is None:
        return []
    if isinstance(node, BNode):  # an RDF list
        return list(Collection(g, node))
    return [node]


def entailment_tests() -> list[tuple[W3CTest, str | None]]:
    """Approved entailment tests with why they are out of OWL 2 RL's reach (None: in reach).

    In reach: the test lists the OWL 2 RL profile and the RDFS or OWL 2 RDF-Based regime,
    which is what forward chaining with the OWL 2 RL/RDF rules computes."""
    out = []
    for t in load_manifest("entailment"):
        if not t.approved or t.kind != "QueryEvaluationTest":
            continue
        g = t.graph
        action = g.value(t.node, MF.action)
        profiles = set(_list(g, g.value(action, SD.EntailmentProfile)))
        regimes = set(_list(g, g.value(action, SD.entailmentRegime)))
        reason = None
        names = ", ".join(sorted(str(r).rsplit("/", 1)[-1] for r in regimes)) or "none given"
        if profiles and PR.RL not in profiles:
            reason = "needs OWL 2 " + "/".join(
                sorted(str(p).rsplit("/", 1)[-1] for p in profiles)) + " (not the RL profile)"
        elif not regimes & {ENT.RDF, ENT.RDFS, ENT["OWL-RDF-Based"]}:
            reason = f"entailment regime {names}: not computed by OWL 2 RL rules"
        out.append((t, reason))
    return out


def closure_graph(test: W3CTest) -> str:
    return test.iri.replace("#", "/") + "/closure"


def entailment_store(root: Path, tests: Iterable[W3CTest]) -> Path:
    """One graph per test holding its data plus what milgraph's reasoner infers from it."""
    from milgraph.reasoning import reason

    key = "w3c-entailment"
    (root / key).mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(root / key / "store"))
    for t in tests:
        graph = ox.NamedNode(closure_graph(t))
        triples = []
        for d in t.data:
            triples += [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(path=str(d), format=RDF_FORMATS[d.suffix], base_iri=graph_iri(d))
            ]
        result = reason(triples)
        store.extend(ox.Quad(tr.subject, tr.predicate, tr.object, graph)
                     for tr in [*triples, *result.inferred])  # fmt: skip
    store.flush()
    del store
    (root / key / "manifest.json").write_text(json.dumps({"key": key, "counts": {}}))
    (root / "CURRENT").write_text(key + "\n")
    return root


def check_entailment(test: W3CTest, http: Any) -> tuple[bool, str]:
    assert test.query is not None and test.result is not None
    query = f"BASE <{graph_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")
    params = [("default-graph-uri", closure_graph(test)), ("named-graph-uri", "urn:w3c:empty")]
    r = http.post("/sparql", params=params, data={"query": query, "format": "json"})
    if r.status_code != 200:
        return False, f"HTTP {r.status_code}: {r.text[:300]}"
    expected = expected_result(test.result)
    actual = Result.parse(io.BytesIO(r.content), format="json")
    if expected.type == "ASK":
        ok = actual.askAnswer == expected.askAnswer
        return ok, "" if ok else f"ASK: expected {expected.askAnswer}"
    exp_rows, act_rows = _rows(expected), _rows(actual)
    if same_solutions(exp_rows, act_rows, False):
        return True, ""
    return False, f"solutions differ: expected {len(exp_rows)} rows, got {len(act_rows)}"
