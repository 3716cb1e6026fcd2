# TEMPORARY local stand-in (not committed): owlrl-based, until the reasoner branch lands.
from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

VERSION = "tmp"


@dataclass
class Derivation:
    rule: str
    premises: tuple = ()


@dataclass
class SparqlRule:
    name: str
    text: str


@dataclass
class ReasoningResult:
    inferred: list
    derivations: dict = field(default_factory=dict)
    inconsistencies: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def load_rules(d):
    out = []
    for f in sorted(Path(d).glob("*.rq")):
        t = f.read_text()
        m = re.search(r"#\s*rule:\s*(\S+)", t)
        out.append(SparqlRule(m.group(1), t))
    return out


def reason(triples, *, rules=(), as_of=None, progress=None):
    import owlrl
    import rdflib

    from milgraph.validate import to_rdflib

    triples = list(triples)
    g = rdflib.Graph()
    for t in triples:
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    base = set(g)
    while True:
        n = len(g)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
        st = ox.Store()
        ng = rdflib.Graph()
        for t in g:
            if not isinstance(t[0], rdflib.Literal):
                ng.add(t)
        st.load(ng.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
        for r in rules:
            for t in st.query(r.text):
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        if len(g) == n:
            break

    def tox(x):
        if isinstance(x, rdflib.URIRef):
            return ox.NamedNode(str(x))
        if isinstance(x, rdflib.BNode):
            return ox.BlankNode(str(x))
        if x.language:
            return ox.Literal(str(x), language=x.language)
        return ox.Literal(
            str(x),
            datatype=ox.NamedNode(str(x.datatype or "http://www.w3.org/2001/XMLSchema#string")),
        )

    inferred = []
    for s, p, o in g:
        if (s, p, o) in base or isinstance(s, rdflib.Literal):
            continue
        if p == rdflib.OWL.sameAs and s == o:
            continue
        with contextlib.suppress(Exception):
            inferred.append(ox.Triple(tox(s), tox(p), tox(o)))
    return ReasoningResult(inferred, {t: Derivation("owlrl") for t in inferred})


def write_provenance(path, result):
    c = sqlite3.connect(path)
    c.execute("create table d(t text, rule text)")
    c.commit()
    c.close()
