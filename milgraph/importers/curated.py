"""The labels the curated data (``data/*.ttl``) already gives, so importers do not add rivals.

A node such as ``id/nation/SWZ`` is described both by the curated data ("Eswatini") and by an
import (COW: "Swaziland"). Two English ``rdfs:label`` values on one node break the
one-label-per-language rule (SHACL ``milsh:LabelOnePerLanguage``) and leave analysts guessing
which name is preferred. The curated spelling wins: for a node the curated data labels in a
language, an importer writes its own name for that language as ``skos:altLabel`` (when it
differs) and no ``rdfs:label``. Reading the curated files keeps this deterministic: the same
repository state always gives the same imported file, and the import tests flag an imported
file made stale by a curated relabelling.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from milgraph.errors import InputError, Location
from milgraph.importers.csvfile import PROJECT_ROOT, shown
from milgraph.namespaces import MIL_IRI, RDFS_LABEL
from milgraph.store.oxigraph import OxigraphStore

CURATED_DIR = PROJECT_ROOT / "data"


class CuratedLabels:
    """``rdfs:label`` values of the curated Turtle files, by node IRI and language."""

    def __init__(self, labels: dict[str, dict[str, set[str]]] | None = None) -> None:
        self._labels: dict[str, dict[str, set[str]]] = labels or {}

    @classmethod
    def read(cls, folder: Path = CURATED_DIR) -> CuratedLabels:
        """Labels from ``folder/*.ttl`` (not sub-folders: ``data/imported`` is import output)."""
        return cls.from_files(sorted(folder.glob("*.ttl")))

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> CuratedLabels:
        labels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for path in paths:
            try:
                quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            except (SyntaxError, ValueError, OSError) as exc:
                raise InputError(Location(shown(path)), f"cannot read curated labels: {exc}",
                                 "fix the curated file (milgraph validate names the line)"
                                 ) from exc
            for q in quads:
                if (q.predicate.value == RDFS_LABEL and isinstance(q.object, ox.Literal)
                        and isinstance(q.subject, ox.NamedNode)):
                    labels[q.subject.value][q.object.language or ""].add(q.object.value)
        return cls({s: dict(by_lang) for s, by_lang in labels.items()})

    def labels(self, iri: str, language: str) -> set[str]:
        """The curated labels of ``iri`` in ``language`` ("" = no language tag)."""
        return set(self._labels.get(iri, {}).get(language, set()))

    def __len__(self) -> int:
        return len(self._labels)


class CuratedTreaties:
    """Curated agreements with a signature day, their English label and parties: ATOP alliances
    signed the same day by the same founders take the treaty's name (atop.py)."""

    def __init__(self, rows: list[tuple[str, str, str, frozenset[str]]] | None = None) -> None:
        #: (agreement IRI, label, signature day, parties)
        self.rows = rows or []

    @classmethod
    def read(cls, folder: Path = CURATED_DIR) -> CuratedTreaties:
        quads: list[ox.Quad] = []
        for path in sorted(folder.glob("*.ttl")):
            try:
                quads.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            except (SyntaxError, ValueError, OSError) as exc:
                raise InputError(Location(shown(path)), f"cannot read curated treaties: {exc}",
                                 "fix the curated file (milgraph validate names the line)"
                                 ) from exc
        store = OxigraphStore.memory(quads)
        mil = MIL_IRI
        query = f"""SELECT ?a ?label ?signed ?party WHERE {{
            ?a <{mil}signatureDate> ?signed ; <{RDFS_LABEL}> ?label .
            FILTER(LANGMATCHES(LANG(?label), "en"))
            {{ ?a <{mil}party> ?party }} UNION
            {{ ?ad <{mil}agreement> ?a ; <{mil}adherent> ?party }} }}"""
        found: dict[tuple[str, str, str], set[str]] = {}
        answer = store.query(query)
        assert isinstance(answer, ox.QuerySolutions)
        for row in answer:
            key = (row[0].value, row[1].value, row[2].value)
            found.setdefault(key, set()).add(row[3].value)
        return cls(sorted((a, label, signed, frozenset(p))
                          for (a, label, signed), p in found.items()))

    def match(self, signed: str, founders: set[str]) -> tuple[str, str] | None:
        """The one curated treaty signed that day whose parties include all the founders."""
        hits = sorted({(a, label) for a, label, day, parties in self.rows
                       if day == signed and founders and founders <= parties})
        return hits[0] if len(hits) == 1 else None
