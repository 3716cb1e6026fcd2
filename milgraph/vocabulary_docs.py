"""Generated HTML reference of the vocabulary (docs/vocabulary.html), rendered with pyLODE.

The hand-written guide is docs/vocabulary.md; this page is the term-by-term reference, generated
from ontology/milgraph.ttl and ontology/concepts.ttl so that it never drifts from them.

Why the extra work around pyLODE (OntPub profile, 3.3):
* it shows labels, comments, sub-/super-properties, domains and ranges, but none of the OWL
  axioms analysts reason with (inverses, property chains, functional/symmetric/irreflexive/
  asymmetric characteristics, disjointness). We state them as skos:note on a copy of the graph,
  which pyLODE does print, worded from the axioms themselves;
* it treats every skos:ConceptScheme in the graph as the ontology (their titles get merged into
  the page title) and has no section for SKOS concepts. So the ontology is rendered alone, and a
  "Concept schemes" section built here is inserted before pyLODE's namespace list.
"""

from __future__ import annotations

import html
import logging
from collections import defaultdict
from pathlib import Path

from rdflib import OWL, RDF, SKOS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from milgraph.namespaces import MIL

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_PATH = ROOT / "ontology" / "milgraph.ttl"
CONCEPTS_PATH = ROOT / "ontology" / "concepts.ttl"
DEFAULT_OUT = ROOT / "docs" / "vocabulary.html"

_CHARACTERISTICS = [
    (OWL.FunctionalProperty, "functional (at most one value per subject)"),
    (OWL.InverseFunctionalProperty, "inverse-functional"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.IrreflexiveProperty, "irreflexive (never relates a thing to itself)"),
]


def _name(g: Graph, term) -> str:
    if isinstance(term, URIRef) and str(term).startswith(str(MIL)):
        return "mil:" + str(term)[len(str(MIL)):]
    return g.namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term)


def axiom_notes(g: Graph) -> dict[Node, list[str]]:
    """One sentence per OWL axiom pyLODE would not show, keyed by the term it is about."""
    notes: dict[Node, list[str]] = defaultdict(list)
    for a, b in g.subject_objects(OWL.inverseOf):
        notes[a].append(f"Inverse of {_name(g, b)}.")
        notes[b].append(f"Inverse of {_name(g, a)}.")
    for p, chain in g.subject_objects(OWL.propertyChainAxiom):
        steps = " then ".join(_name(g, s) for s in Collection(g, chain))
        notes[p].append(f"Entailed by the property chain: {steps}.")
    for p in set(g.subjects(RDF.type, None)):
        kinds = [text for cls, text in _CHARACTERISTICS if (p, RDF.type, cls) in g]
        if kinds:
            notes[p].append("Characteristics: " + ", ".join(kinds) + ".")
    for a, b in g.subject_objects(OWL.propertyDisjointWith):
        notes[a].append(f"Disjoint with {_name(g, b)}: no pair of things is related by both.")
        notes[b].append(f"Disjoint with {_name(g, a)}: no pair of things is related by both.")
    for a, b in g.subject_objects(OWL.disjointWith):
        notes[a].append(f"Disjoint with {_name(g, b)}: nothing is both.")
        notes[b].append(f"Disjoint with {_name(g, a)}: nothing is both.")
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        head = g.value(node, OWL.members)
        members = list(Collection(g, head)) if head is not None else []
        for m in members:
            others = ", ".join(_name(g, o) for o in members if o != m)
            notes[m].append(f"Disjoint with {others}: nothing is both.")
    return {k: sorted(v) for k, v in notes.items()}


def _concept_row(g: Graph, c: Node, depth: int) -> str:
    local = str(c)[len(str(MIL)):]
    label = html.escape(str(g.value(c, SKOS.prefLabel)))
    alt = ", ".join(sorted(str(a) for a in g.objects(c, SKOS.altLabel)))
    definition = html.escape(str(g.value(c, SKOS.definition)))
    indent = "&#160;&#160;&#160;&#160;" * depth + ("↳ " if depth else "")
    alt_html = f" <em>({html.escape(alt)})</em>" if alt else ""
    return (f'<tr id="{local}"><td>{indent}<code>mil:{local}</code></td>'
            f"<td>{label}{alt_html}</td><td>{definition}</td></tr>")


def concept_schemes_html(concepts: Graph) -> tuple[str, str]:
    """The "Concept schemes" section and its table-of-contents entry, as HTML strings."""
    schemes = sorted(concepts.subjects(RDF.type, SKOS.ConceptScheme), key=str)
    parts = ['<div id="conceptschemes" class="section">', "<h2>Concept schemes</h2>",
             "<p>Values of mil:role, mil:domain, mil:purpose, mil:objective, mil:challenge, "
             "mil:principle, mil:obligation and mil:dateKind are concepts of these schemes "
             "(ontology/concepts.ttl); the SHACL shapes reject any other value.</p>"]
    toc = ['<li><h4><a href="#conceptschemes">Concept schemes</a></h4><ul class="second">']
    for scheme in schemes:
        local = str(scheme)[len(str(MIL)):]
        label = html.escape(str(concepts.value(scheme, SKOS.prefLabel)))
        parts.append(f'<div class="property entity" id="{local}"><h3>{label}</h3>')
        parts.append(f"<p><code>mil:{local}</code>: "
                     f"{html.escape(str(concepts.value(scheme, SKOS.definition)))}</p>")
        parts.append('<table class="entity"><tr><th>concept</th><th>label</th>'
                     "<th>definition</th></tr>")

        def walk(c: Node, depth: int) -> None:
            parts.append(_concept_row(concepts, c, depth))
            for n in sorted(concepts.subjects(SKOS.broader, c), key=str):
                walk(n, depth + 1)

        tops = sorted(concepts.subjects(SKOS.topConceptOf, scheme),
                      key=lambda c: str(concepts.value(c, SKOS.prefLabel)))
        for top in tops:
            walk(top, 0)
        parts.append("</table></div>")
        toc.append(f'<li><a href="#{local}">{label}</a></li>')
    parts.append("</div>")
    toc.append("</ul></li>")
    return "\n".join(parts), "\n".join(toc)


def render_html(
    out_path: Path | str = DEFAULT_OUT,
    ontology_path: Path | str = ONTOLOGY_PATH,
    concepts_path: Path | str = CONCEPTS_PATH,
) -> Path:
    """Render the vocabulary reference to ``out_path`` (default docs/vocabulary.html)."""
    from pylode import OntPub  # the 'docs' extra; imported here so the package works without it

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    ontology = Graph().parse(ontology_path)
    concepts = Graph().parse(concepts_path)
    for term, notes in axiom_notes(ontology).items():
        for note in notes:
            ontology.add((term, SKOS.note, Literal(note, lang="en")))
    page = OntPub(ontology, sort_subjects=True).make_html()
    section, toc_entry = concept_schemes_html(concepts)
    marker = '<div id="namespaces">'
    toc_marker = '<li>\n          <h4>\n            <a href="#namespaces">'
    if marker not in page or toc_marker not in page:
        raise RuntimeError("pyLODE's page layout changed: cannot place the concept schemes")
    page = page.replace(marker, section + "\n" + marker, 1)
    page = page.replace(toc_marker, toc_entry + "\n" + toc_marker, 1)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


if __name__ == "__main__":
    print(render_html())
