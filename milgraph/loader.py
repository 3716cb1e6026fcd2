"""Find RDF files and parse each into its own named graph, with errors that name file:line:col.

pyoxigraph parses (it is ~10x faster than rdflib); rdflib is asked only when pyoxigraph
cannot say where an RDF/XML error is.
"""

from __future__ import annotations

import hashlib
import os
import re
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

#: RDF/XML entities (``<!ENTITY owl "http://…#">``, as ontology editors write them) are
#: allowed up to this expansion each, and this much for all references of a file together:
#: a few hundred bytes of nested entities could otherwise expand to gigabytes.
MAX_ENTITY_CHARS = 64 * 1024
MAX_EXPANSION_CHARS = 8 * 1024 * 1024

#: Default bound on the total size of a build's (or a validation's) input files: parsing and
#: reasoning take some 80 times the input in memory. ``MILGRAPH_MAX_INPUT_MB`` overrides it.
DEFAULT_MAX_INPUT_MB = 256


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
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(self.path.as_posix(), f"cannot be read: {exc.strerror or exc}",
                             "check that the file still exists (was it deleted or moved "
                             "during the build?)") from None  # fmt: skip


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


def parse(source: SourceFile) -> ParsedFile:
    """Parse one file into quads of its own graph; raise ParseError with file:line:col."""
    graph = ox.NamedNode(source.graph)
    if source.format == ox.RdfFormat.RDF_XML:
        check_entities(source.path)
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


_ENTITY = re.compile(
    r"""<!ENTITY\s+(%\s*)?([^\s"'>]+)\s+(?:(SYSTEM|PUBLIC)\b|"([^"]*)"|'([^']*)')"""
)
_REFERENCE = re.compile(r"&([A-Za-z_:][A-Za-z0-9_.:\-]*);")
_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}


def check_entities(path: Path) -> None:
    """Refuse an XML file whose entities are external, parameter entities, or expand beyond
    ``MAX_ENTITY_CHARS`` each or ``MAX_EXPANSION_CHARS`` in all (ParseError at file:line).

    Runs before any XML parser sees the file (pyoxigraph expands internal entities; rdflib's
    expat does too): reading the declarations and counting references is linear."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path.as_posix(), str(exc), "check that the file is readable") from None
    if b"<!ENTITY" not in data:
        return
    text = data.decode("utf-8", errors="replace")
    where = path.as_posix()

    def line_of(offset: int) -> Location:
        return Location(where, text.count("\n", 0, offset) + 1)

    values: dict[str, str] = {}
    declared_at: dict[str, int] = {}
    end_of_dtd = 0
    for m in _ENTITY.finditer(text):
        parameter, name, external = m.group(1), m.group(2), m.group(3)
        if parameter or external:
            what = "a parameter entity" if parameter else "an external entity"
            raise ParseError(line_of(m.start()), f"{what} ({name}) is declared; milgraph reads "
                             "neither parameter nor external entities",
                             "replace the entity by its text")  # fmt: skip
        values[name] = m.group(4) if m.group(4) is not None else m.group(5) or ""
        declared_at[name] = m.start()
        end_of_dtd = m.end()
    sizes: dict[str, int] = {}

    def size(name: str, visiting: tuple[str, ...]) -> int:
        if name in sizes:
            return sizes[name]
        if name in visiting:
            raise ParseError(line_of(declared_at[name]), f"entity {name} refers to itself",
                             "remove the cycle")  # fmt: skip
        value = values[name]
        total = len(value)
        for ref in _REFERENCE.finditer(value):
            if ref.group(1) in values:
                total += size(ref.group(1), (*visiting, name)) - len(ref.group())
            if total > MAX_ENTITY_CHARS:
                break
        if total > MAX_ENTITY_CHARS:
            raise ParseError(line_of(declared_at[name]), f"entity {name} expands to more than "
                             f"{MAX_ENTITY_CHARS:,} characters (nested entities)",
                             "write the text out, or use shorter entities")  # fmt: skip
        sizes[name] = total
        return total

    for name in values:
        size(name, ())
    expanded = 0
    for ref in _REFERENCE.finditer(text, end_of_dtd):
        name = ref.group(1)
        if name in values:
            expanded += sizes[name]
            if expanded > MAX_EXPANSION_CHARS:
                raise ParseError(line_of(ref.start()), "entity references in this file expand "
                                 f"to more than {MAX_EXPANSION_CHARS:,} characters",
                                 "write the text out instead of using entities")  # fmt: skip
        elif name not in _PREDEFINED:
            raise ParseError(line_of(ref.start()), f"entity &{name}; is not declared",
                             "declare it in the DOCTYPE or write the text out")  # fmt: skip


class _CountingReader:
    """A binary file handed out in small pieces, remembering how far the parser read."""

    def __init__(self, path: Path, piece: int = 32) -> None:
        self.file = path.open("rb")
        self.piece = piece
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(self.piece if size < 0 else min(size, self.piece))
        self.offset += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _line_read_to(path: Path, fmt: ox.RdfFormat) -> int | None:
    """The line pyoxigraph had read up to when it failed (RDF/XML errors carry no position)."""
    reader = _CountingReader(path)
    try:
        for _ in ox.parse(reader, format=fmt, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError:
        with path.open("rb") as f:
            return f.read(reader.offset).count(b"\n") + 1
    except (OSError, ValueError):
        return None
    finally:
        reader.file.close()
    return None


def _rdfxml_position(path: Path, fallback: str) -> tuple[int | None, int | None, str]:
    """Ask rdflib's SAX-based RDF/XML parser where the error is (pyoxigraph does not say);
    if rdflib reads the file, the line pyoxigraph had read to when it failed."""
    line, column, message = _rdflib_position(path, fallback)
    if line is None:
        line = _line_read_to(path, ox.RdfFormat.RDF_XML)
        if line is not None:
            message = f"{message} (at or before this line)"
    return line, column, message


def _rdflib_position(path: Path, fallback: str) -> tuple[int | None, int | None, str]:
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
