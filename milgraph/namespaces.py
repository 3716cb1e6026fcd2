"""IRIs the whole package agrees on: one place, so graph names and vocabulary never drift."""

from __future__ import annotations

from rdflib import Namespace

BASE = "https://w3id.org/milgraph/"
MIL_IRI = BASE + "ontology#"
ID_IRI = BASE + "id/"
GRAPH_IRI = BASE + "graph/"

MIL = Namespace(MIL_IRI)
ID = Namespace(ID_IRI)
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")

#: Named graph holding every triple the reasoner added (never an asserted one).
INFERRED_GRAPH = GRAPH_IRI + "inferred"
#: Named graph holding the de-duplicated union of all asserted files.
ASSERTED_GRAPH = GRAPH_IRI + "asserted"

PREFIXES: dict[str, str] = {
    "mil": MIL_IRI,
    "id": ID_IRI,
    "nation": ID_IRI + "nation/",
    "org": ID_IRI + "org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def file_graph_iri(relpath: str) -> str:
    """Graph IRI for an input file, from its path relative to its root (e.g. ``data/nato.ttl``)."""
    return GRAPH_IRI + relpath.replace("\\", "/").lstrip("/")


def sparql_prologue() -> str:
    """PREFIX lines for every prefix above, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
