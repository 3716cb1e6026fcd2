"""IRIs the whole package agrees on: one place, so graph names and vocabulary never drift.

Every namespace and every IRI the code names is written here once (the importers, the SPARQL
texts of the analyses and the server's descriptions included); other modules compose terms
from these (``RDFS + "label"``) or import them. A test holds the rest of the package to it.
"""

from __future__ import annotations

from rdflib import Namespace

# --------------------------------------------------------------------------- milgraph's own

BASE = "https://w3id.org/milgraph/"
MIL_IRI = BASE + "ontology#"
ID_IRI = BASE + "id/"
GRAPH_IRI = BASE + "graph/"
#: The SHACL shapes (``ontology/shapes.ttl``): named in validation messages only.
SHAPES_IRI = BASE + "shapes#"
#: RFC 9457 problem types: ``PROBLEM_TYPE_BASE + "malformed-query"``.
PROBLEM_TYPE_BASE = BASE + "problems/"

#: Named graph holding every triple the reasoner added (never an asserted one).
INFERRED_GRAPH = GRAPH_IRI + "inferred"
#: Named graph holding the de-duplicated union of all asserted files.
ASSERTED_GRAPH = GRAPH_IRI + "asserted"
#: Prefix of the point-in-time views' graphs (``graph/asof/static`` and the segment graphs).
ASOF_GRAPH_PREFIX = GRAPH_IRI + "asof/"
#: Named graph of every triple that holds whatever the date (the reasoned static part).
STATIC_GRAPH = ASOF_GRAPH_PREFIX + "static"
#: A graph name no snapshot uses: a dataset of only this graph is empty.
EMPTY_GRAPH = "urn:milgraph:empty-graph"
#: On a remote store (``milgraph publish``): the graph holding the snapshot's default graph
#: (a remote store's own default graph may be a union of everything, as Virtuoso's is), and
#: the graph saying which snapshot was published and which graphs it holds.
PUBLISHED_DEFAULT_GRAPH = GRAPH_IRI + "default"
PUBLICATION_GRAPH = GRAPH_IRI + "publication"

# --------------------------------------------------------------------------- the W3C's and others'

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_IRI = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_IRI = "http://purl.org/dc/terms/"
PROV_IRI = "http://www.w3.org/ns/prov#"
SH_IRI = "http://www.w3.org/ns/shacl#"
DCAT = "http://www.w3.org/ns/dcat#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
#: W3C format IRIs (https://www.w3.org/ns/formats/), named in the service description.
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
OWL_PROFILE = "http://www.w3.org/ns/owl-profile/"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
XSD_STRING = XSD + "string"
XSD_DATE = XSD + "date"
XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"
DCTERMS_SOURCE = DCTERMS_IRI + "source"
DCTERMS_IDENTIFIER = DCTERMS_IRI + "identifier"
DCTERMS_HAS_PART = DCTERMS_IRI + "hasPart"
PROV_DERIVED = PROV_IRI + "wasDerivedFrom"

MIL = Namespace(MIL_IRI)
ID = Namespace(ID_IRI)
DCTERMS = Namespace(DCTERMS_IRI)
PROV = Namespace(PROV_IRI)

# --------------------------------------------------------------------------- prefixes

PREFIXES: dict[str, str] = {
    "mil": MIL_IRI,
    "id": ID_IRI,
    "nation": ID_IRI + "nation/",
    "org": ID_IRI + "org/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS_IRI,
    "dcterms": DCTERMS_IRI,
    "prov": PROV_IRI,
    "sh": SH_IRI,
}
#: Prefixes used only to display IRIs in validation messages (the shapes' own included).
DISPLAY_PREFIXES: dict[str, str] = {**PREFIXES, "milsh": SHAPES_IRI}
#: Prefixes written into Turtle/TriG answers (CONSTRUCT/DESCRIBE) to keep them readable.
OUTPUT_PREFIXES: dict[str, str] = {"mil": MIL_IRI, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD}


def file_graph_iri(relpath: str) -> str:
    """Graph IRI for an input file, from its path relative to its root (e.g. ``data/nato.ttl``)."""
    return GRAPH_IRI + relpath.replace("\\", "/").lstrip("/")


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX lines for every prefix above (or those given), for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or PREFIXES).items())
