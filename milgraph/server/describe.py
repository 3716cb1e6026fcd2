"""What the endpoint offers (SPARQL 1.1 Service Description) and what the dataset holds (VoID).

Both are written as Turtle text from the snapshot manifest (no query needed) and converted
by pyoxigraph to whichever RDF format the client negotiates.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from milgraph.namespaces import (
    ASSERTED_GRAPH,
    DCTERMS_IRI,
    ENTAILMENT,
    FORMATS,
    INFERRED_GRAPH,
    OWL_PROFILE,
    SD,
    VOID,
    XSD,
)
from milgraph.server.formats import FORMAT_IRIS, GRAPH_FORMATS, OX_RDF, SOLUTION_FORMATS

SD_PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcterms": DCTERMS_IRI,
    "xsd": XSD,
    "formats": FORMATS,
    "ent": ENTAILMENT,
    "prof": OWL_PROFILE,
}


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _prologue() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in SD_PREFIXES.items())


def service_description(
    endpoint: str, manifest: dict[str, Any] | None, *, federated: bool = False,
    writable: bool = False,
) -> str:  # fmt: skip
    """Turtle for the endpoint: languages, formats, features, the default dataset."""
    formats = " , ".join(f"<{FORMAT_IRIS[f.name]}>" for f in (*SOLUTION_FORMATS, *GRAPH_FORMATS))
    if writable:
        regime = []
        about = (
            "milgraph --writable-store: a plain store, not the curated graph (no reasoning, "
            "not built from data/; edits here never reach a snapshot). SPARQL Update at "
            "/update; SERVICE and LOAD reach only allow-listed hosts."
        )
    else:
        regime = ["  sd:defaultEntailmentRegime ent:OWL-RDF-Based ;",
                  "  sd:defaultSupportedEntailmentProfile prof:RL ;"]
        about = (
            "milgraph: military-diplomacy relationships between nations. The default graph "
            "holds asserted and inferred triples (OWL 2 RL + temporal rules); add "
            "inference=false for asserted triples only. Read-only: updates are refused; "
            "SERVICE calls only allow-listed hosts."
        )
    lines = [
        _prologue(),
        f"<{endpoint}> a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        "  sd:supportedLanguage sd:SPARQL11Query ;",
        f"  sd:resultFormat {formats} ;",
        *(["  sd:feature sd:BasicFederatedQuery ;"] if federated else []),
        *regime,
        "  dcterms:description " + _lit(about) + " ;",
        "  sd:defaultDataset [",
        "    a sd:Dataset ;",
    ]
    counts = (manifest or {}).get("counts", {})
    lines.append("    sd:defaultGraph [ a sd:Graph" + (
        f" ; void:triples {int(counts['total'])}" if "total" in counts else "") + " ] ;")
    graphs = dict(counts.get("per_graph", {}))
    if "asserted" in counts:
        graphs[ASSERTED_GRAPH] = counts["asserted"]
    if "inferred" in counts:
        graphs[INFERRED_GRAPH] = counts["inferred"]
    for name, n in sorted(graphs.items()):
        lines.append(
            f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ; "
            f"sd:graph [ a sd:Graph ; void:triples {int(n)} ] ] ;"
        )
    lines.append("  ] .")
    return "\n".join(lines) + "\n"


def void_description(base: str, manifest: dict[str, Any], partitions: dict[str, Any]) -> str:
    """VoID for the served snapshot: sizes, graphs, class and property partitions."""
    counts = manifest.get("counts", {})
    dataset = f"{base}void#dataset"
    lines = [
        _prologue(),
        f"<{dataset}> a void:Dataset ;",
        f"  void:sparqlEndpoint <{base}sparql> ;",
        f"  void:triples {int(counts.get('total', 0))} ;",
        f"  dcterms:identifier {_lit(str(manifest.get('key', '')))} ;",
    ]
    if manifest.get("created"):
        lines.append(f"  dcterms:created {_lit(manifest['created'])}^^xsd:dateTime ;")
    for name, key in (("asserted", ASSERTED_GRAPH), ("inferred", INFERRED_GRAPH)):
        if name in counts:
            lines.append(
                f"  void:subset [ a void:Dataset ; void:triples {int(counts[name])} ; "
                f"sd:name <{key}> ] ;"
            )
    for name, n in sorted(counts.get("per_graph", {}).items()):
        lines.append(
            f"  void:subset [ a void:Dataset ; void:triples {int(n)} ; sd:name <{name}> ] ;"
        )
    for key, prop in (("classes", "void:classes"), ("properties", "void:properties"),
                      ("entities", "void:entities"),
                      ("distinct_subjects", "void:distinctSubjects"),
                      ("distinct_objects", "void:distinctObjects")):  # fmt: skip
        if key in partitions:
            lines.append(f"  {prop} {int(partitions[key])} ;")
    for iri, n in partitions.get("class_partition", []):
        lines.append(f"  void:classPartition [ void:class <{iri}> ; void:entities {int(n)} ] ;")
    for iri, n in partitions.get("property_partition", []):
        lines.append(
            f"  void:propertyPartition [ void:property <{iri}> ; void:triples {int(n)} ] ;"
        )
    lines[-1] = lines[-1].rstrip(" ;") + " ."
    return "\n".join(lines) + "\n"


CLASS_PARTITION = (
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
)
PROPERTY_PARTITION = (
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p"
)


def render(turtle: str, fmt: str) -> bytes:
    """Turtle text in another RDF format (pyoxigraph round trip)."""
    if fmt == "turtle":
        return turtle.encode()
    quads = list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
    if fmt in ("nquads", "trig"):
        return ox.serialize(quads, format=OX_RDF[fmt]) or b""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return ox.serialize(triples, format=OX_RDF[fmt]) or b""
