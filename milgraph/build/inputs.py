"""The input files of a build: found, bounded, read at most twice (digest, parse).

A build reads the ontology directory and data files or directories. Each RDF file becomes a
:class:`SourceFile` bound to its own named graph (``graph/<role>/<relative path>``). It is
read twice at most: once for its digest (the snapshot key, before anything is parsed, so an
unchanged graph is found without parsing), and once for its parse, whose bytes then also
serve the entity check of RDF/XML and the file:line of any problem found in it. A file that
goes away between the two is a clear error, never a half-built snapshot.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from milgraph import paths
from milgraph.errors import EmptyInputError, InputError, UnknownFormatError
from milgraph.namespaces import file_graph_iri

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".n3": ox.RdfFormat.N3,
}

#: Files a directory may hold beside RDF without being an error (notes, tables, queries).
IGNORED_SUFFIXES = {".md", ".txt", ".csv", ".tsv", ".rq", ".sparql", ".py", ".gitkeep", ".sha256"}
IGNORED_NAMES = {"SHA256SUMS", "README", "LICENSE", "NOTICE"}

#: Files under ontology/ that describe data rather than being part of it.
NOT_LOADED = {"shapes.ttl"}

#: Default bound on the total size of a build's (or a validation's) input files: parsing and
#: reasoning take some 80 times the input in memory. ``MILGRAPH_MAX_INPUT_MB`` overrides it.
DEFAULT_MAX_INPUT_MB = 256


@dataclass(frozen=True)
class SourceFile:
    """One RDF input file and the named graph it is loaded into; its bytes, read once."""

    path: Path
    relpath: str
    format: ox.RdfFormat
    _content: list[bytes] = field(default_factory=list, compare=False, repr=False)

    @property
    def graph(self) -> str:
        return file_graph_iri(self.relpath)

    def read(self) -> bytes:
        """The file's bytes for parsing (``OSError`` if it cannot be read), read on the first
        call only."""
        if not self._content:
            self._content.append(self.path.read_bytes())
        return self._content[0]

    def digest(self) -> str:
        """SHA-256 of the file as it is now."""
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(self.path.as_posix(), f"cannot be read: {exc.strerror or exc}",
                             "check that the file still exists (was it deleted or moved "
                             "during the build?)") from None  # fmt: skip

    def lines(self) -> list[str]:
        """The file as text lines (for file:line of problems); none if it cannot be read."""
        try:
            return self.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return []


def format_for(path: Path) -> ox.RdfFormat:
    """RDF syntax promised by a file's extension; ``.owl`` files that are Turtle are sniffed."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise UnknownFormatError(
            path.as_posix(),
            f"unknown RDF file extension {path.suffix or '(none)'!r}",
            f"rename the file to one of {known}, or move it out of the data directory",
        )
    if fmt == ox.RdfFormat.RDF_XML and path.suffix.lower() == ".owl":
        with path.open("rb") as f:
            head = f.read(512).lstrip()
        if head and not head.startswith(b"<"):
            return ox.RdfFormat.TURTLE
    return fmt


def discover(paths: Iterable[Path], role: str) -> list[SourceFile]:
    """RDF files under ``paths`` (files or directories), sorted, with relpaths ``role/...``.

    A directory without any RDF file is an error: loading "nothing" silently would hide a
    wrong path. Unknown extensions are errors too, except for notes and tables.
    """
    found: list[SourceFile] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(path.as_posix(), "no such file or directory", "check the path")
        if path.is_file():
            found.append(SourceFile(path, f"{role}/{path.name}", format_for(path)))
            continue
        before = len(found)
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if file.name in NOT_LOADED and role == "ontology":
                continue
            if file.suffix.lower() in IGNORED_SUFFIXES or file.name in IGNORED_NAMES:
                continue
            found.append(SourceFile(file, f"{role}/{rel.as_posix()}", format_for(file)))
        if len(found) == before:
            raise EmptyInputError(
                path.as_posix(),
                "directory holds no RDF file",
                f"add files with one of the extensions {', '.join(sorted(FORMATS))}",
            )
    seen: dict[str, Path] = {}
    for src in found:
        if src.relpath in seen and seen[src.relpath] != src.path:
            raise InputError(
                src.path.as_posix(),
                f"two inputs map to the same graph {src.relpath!r} (also {seen[src.relpath]})",
                "rename one of the files",
            )
        seen[src.relpath] = src.path
    return found


def max_input_bytes() -> int:
    """The input size bound in force: ``MILGRAPH_MAX_INPUT_MB`` (0: none) or the default."""
    raw = os.environ.get("MILGRAPH_MAX_INPUT_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_INPUT_MB
    except ValueError:
        mb = DEFAULT_MAX_INPUT_MB
    return int(mb * 1024 * 1024) if mb > 0 and mb == mb else 0


def check_input_size(sources: Sequence[SourceFile], limit: int | None = None) -> None:
    """Refuse inputs larger than ``limit`` bytes in all, before anything is parsed."""
    limit = max_input_bytes() if limit is None else limit
    sizes = []
    for src in sources:
        try:
            sizes.append((src.path.stat().st_size, src))
        except OSError as exc:
            raise InputError(src.path.as_posix(), f"cannot be read: {exc.strerror or exc}",
                             "check that the file still exists") from None  # fmt: skip
    total = sum(size for size, _ in sizes)
    if limit and total > limit:
        largest = ", ".join(f"{s.relpath} ({size / 1e6:.1f} MB)"
                            for size, s in sorted(sizes, key=lambda x: -x[0])[:3])  # fmt: skip
        raise InputError(
            "(inputs)", f"the input files hold {total / 1e6:.1f} MB, more than the bound of "
            f"{limit / 1e6:.1f} MB (largest: {largest})",
            "split the data, or raise the bound with MILGRAPH_MAX_INPUT_MB or "
            "--max-input-mb (building needs some 80 times the input in memory)",
        )  # fmt: skip


def collect_sources(
    ontology: Path | None = None, data: Sequence[Path] | None = None
) -> list[SourceFile]:
    """Input files of a build: the ontology directory plus data files or directories."""
    ontology_dir = Path(ontology) if ontology else paths.ONTOLOGY_DIR
    data_paths = [Path(d) for d in data] if data else [paths.DATA_DIR]
    return discover([ontology_dir], "ontology") + discover(data_paths, "data")


def rules_dir_for(ontology: Path | None) -> Path:
    return (Path(ontology) if ontology else paths.ONTOLOGY_DIR) / "rules"


def shapes_for(ontology: Path | None) -> Path:
    return (Path(ontology) if ontology else paths.ONTOLOGY_DIR) / "shapes.ttl"
