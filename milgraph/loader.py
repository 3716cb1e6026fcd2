"""Find RDF files and parse each into its own named graph, with errors that name file:line:col.

pyoxigraph parses (it is ~10x faster than rdflib); rdflib is asked only when pyoxigraph
cannot say where an RDF/XML error is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from milgraph.errors import EmptyInputError, InputError, Location, ParseError, UnknownFormatError
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


@dataclass(frozen=True)
class SourceFile:
    """One RDF input file and the named graph it is loaded into."""

    path: Path
    relpath: str
    format: ox.RdfFormat

    @property
    def graph(self) -> str:
        return file_graph_iri(self.relpath)

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class ParsedFile:
    source: SourceFile
    quads: list[ox.Quad] = field(default_factory=list)


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
        head = path.read_bytes()[:512].lstrip()
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


def parse(source: SourceFile) -> ParsedFile:
    """Parse one file into quads of its own graph; raise ParseError with file:line:col."""
    graph = ox.NamedNode(source.graph)
    try:
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in ox.parse(
                path=str(source.path),
                format=source.format,
                base_iri=source.path.resolve().as_uri(),
                rename_blank_nodes=True,
            )
        ]
    except SyntaxError as exc:
        raise _parse_error(source, exc) from None
    except (OSError, ValueError) as exc:
        raise ParseError(
            source.path.as_posix(), str(exc), "check that the file is readable"
        ) from None
    return ParsedFile(source, quads)


def parse_all(sources: Sequence[SourceFile]) -> tuple[list[ParsedFile], list[ParseError]]:
    """Parse every file, collecting all errors so a steward sees them in one run."""
    parsed: list[ParsedFile] = []
    errors: list[ParseError] = []
    for src in sources:
        try:
            parsed.append(parse(src))
        except ParseError as exc:
            errors.append(exc)
    return parsed, errors


def _parse_error(source: SourceFile, exc: SyntaxError) -> ParseError:
    message = str(exc.args[0]) if exc.args else str(exc)
    line, column = exc.lineno, exc.offset
    if line is None and source.format == ox.RdfFormat.RDF_XML:
        line, column, message = _rdfxml_position(source.path, message)
    message = _strip_position_prefix(message)
    hint = "fix the syntax at that position"
    if source.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) and "prefix" in message.lower():
        hint = "declare the prefix with @prefix at the top of the file, or use a full <IRI>"
    elif "dot is expected" in message.lower():
        hint = "end the statement with ' .' (or continue it with ';' or ',')"
    return ParseError(Location(source.path.as_posix(), line, column), message, hint)


def _strip_position_prefix(message: str) -> str:
    """pyoxigraph repeats the position inside the message; keep only the explanation."""
    if message.startswith("Parser error") and ": " in message:
        return message.split(": ", 1)[1]
    return message


def _rdfxml_position(path: Path, fallback: str) -> tuple[int | None, int | None, str]:
    """Ask rdflib's SAX-based RDF/XML parser where the error is (pyoxigraph does not say)."""
    import rdflib

    try:
        rdflib.Graph().parse(path, format="xml")
    except Exception as exc:  # rdflib raises SAX and its own errors; all carry text
        line = getattr(exc, "getLineNumber", lambda: None)()
        column = getattr(exc, "getColumnNumber", lambda: None)()
        text = str(exc.getMessage()) if hasattr(exc, "getMessage") else str(exc)
        if line is None:
            import re

            m = re.search(r":(\d+):(\d+):", str(exc))
            if m:
                line, column = int(m.group(1)), int(m.group(2))
        return line, column, f"{fallback} ({text})" if text and text not in fallback else fallback
    return None, None, fallback
