"""Parsing the input files, each into its own named graph, with errors that name file:line:col.

pyoxigraph parses (it is ~10x faster than rdflib) the bytes :class:`SourceFile` read once;
rdflib is asked only when pyoxigraph cannot say where an RDF/XML error is. RDF/XML entities
are bounded before any XML parser sees a file.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from milgraph.build.inputs import SourceFile
from milgraph.errors import Location, ParseError

#: RDF/XML entities (``<!ENTITY owl "http://…#">``, as ontology editors write them) are
#: allowed up to this expansion each, and this much for all references of a file together:
#: a few hundred bytes of nested entities could otherwise expand to gigabytes.
MAX_ENTITY_CHARS = 64 * 1024
MAX_EXPANSION_CHARS = 8 * 1024 * 1024


@dataclass
class ParsedFile:
    source: SourceFile
    quads: list[ox.Quad] = field(default_factory=list)


def parse(source: SourceFile) -> ParsedFile:
    """Parse one file into quads of its own graph; raise ParseError with file:line:col."""
    graph = ox.NamedNode(source.graph)
    try:
        data = source.read()
    except OSError as exc:
        raise ParseError(
            source.path.as_posix(), str(exc), "check that the file is readable"
        ) from None
    if source.format == ox.RdfFormat.RDF_XML:
        check_entities(source.path, data)
    try:
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in ox.parse(
                input=data,
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


class ParseCache:
    """The quads of files parsed before, by path and content: a process that builds again
    (``serve --watch``, an edit over HTTP) parses only the files that changed. It holds the
    files of the last run only, so it never grows beyond one graph."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], list[ox.Quad]] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(source: SourceFile) -> tuple[str, str, str]:
        digest = hashlib.sha256(source.read()).hexdigest()
        return (source.relpath, source.path.resolve().as_posix(), digest)

    def get(self, key: tuple[str, str, str]) -> list[ox.Quad] | None:
        return self._entries.get(key)

    def keep(self, entries: dict[tuple[str, str, str], list[ox.Quad]]) -> None:
        self._entries = entries


def parse_all(
    sources: Sequence[SourceFile], *, cache: ParseCache | None = None
) -> tuple[list[ParsedFile], list[ParseError]]:
    """Parse every file, collecting all errors so a steward sees them in one run."""
    parsed: list[ParsedFile] = []
    errors: list[ParseError] = []
    kept: dict[tuple[str, str, str], list[ox.Quad]] = {}
    for src in sources:
        key = None
        if cache is not None:
            try:
                key = ParseCache.key(src)
            except OSError:
                key = None
            quads = cache.get(key) if key else None
            if quads is not None and key is not None:
                cache.hits += 1
                kept[key] = quads
                parsed.append(ParsedFile(src, quads))
                continue
            cache.misses += 1
        try:
            pf = parse(src)
        except ParseError as exc:
            errors.append(exc)
            continue
        parsed.append(pf)
        if key is not None:
            kept[key] = pf.quads
    if cache is not None:
        cache.keep(kept)
    return parsed, errors


def _parse_error(source: SourceFile, exc: SyntaxError) -> ParseError:
    message = str(exc.args[0]) if exc.args else str(exc)
    line, column = exc.lineno, exc.offset
    if line is None and source.format == ox.RdfFormat.RDF_XML:
        line, column, message = _rdfxml_position(source, message)
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


def check_entities(path: Path, data: bytes | None = None) -> None:
    """Refuse an XML file whose entities are external, parameter entities, or expand beyond
    ``MAX_ENTITY_CHARS`` each or ``MAX_EXPANSION_CHARS`` in all (ParseError at file:line).

    Runs before any XML parser sees the file (pyoxigraph expands internal entities; rdflib's
    expat does too): reading the declarations and counting references is linear."""
    if data is None:
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
    """Bytes handed out in small pieces, remembering how far the parser read."""

    def __init__(self, data: bytes, piece: int = 32) -> None:
        self.file = io.BytesIO(data)
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


def _line_read_to(path: Path, data: bytes, fmt: ox.RdfFormat) -> int | None:
    """The line pyoxigraph had read up to when it failed (RDF/XML errors carry no position)."""
    reader = _CountingReader(data)
    try:
        # the reader is file-like (read, readinto): what pyoxigraph reads from
        for _ in ox.parse(cast(IO[bytes], reader), format=fmt, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError:
        return data[: reader.offset].count(b"\n") + 1
    except (OSError, ValueError):
        return None
    finally:
        reader.file.close()
    return None


def _rdfxml_position(source: SourceFile, fallback: str) -> tuple[int | None, int | None, str]:
    """Ask rdflib's SAX-based RDF/XML parser where the error is (pyoxigraph does not say);
    if rdflib reads the file, the line pyoxigraph had read to when it failed."""
    line, column, message = _rdflib_position(source.path, fallback)
    if line is None:
        line = _line_read_to(source.path, source.read(), ox.RdfFormat.RDF_XML)
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
