"""A change to a curated Turtle file as the smallest textual edit, so ``git diff`` shows it.

Re-serialising a hand-written file would reorder and reformat all of it. Instead the file is
cut into its top-level statements (a small lexer that knows strings, IRIs, comments and
brackets); a statement that loses triples is re-written from what remains of it (the rest
of the file, comments and layout included, is untouched); added triples are appended at the
end, one block per subject, in the file's own prefixes. The result is parsed again and must
hold exactly the triples asked for, or the edit is refused (``TurtleEditError``).

Blank nodes cannot be named across two parses of a file, so triples of blank nodes can be
added but not removed or re-written here: such an edit is refused with the statement's line.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from milgraph.namespaces import RDF_TYPE, XSD_STRING


class TurtleEditError(ValueError):
    """The change cannot be written as an edit of the file's text (message for people)."""


@dataclass(frozen=True)
class Statement:
    start: int  # offset of the first character
    end: int  # offset just past the terminating '.' (or the directive's end of line)
    line: int  # 1-based line of ``start``
    directive: bool


_DIRECTIVE = re.compile(r"(@prefix|@base|prefix|base)(?=\s)", re.IGNORECASE)
_LOCAL_PLAIN = re.compile(r"[A-Za-z0-9_\-]")
_LOCAL_ESCAPABLE = set("_~.-!$&'()*+,;=/?#@%")


def statements(text: str) -> list[Statement]:
    """The top-level statements of a Turtle document, in order."""
    out: list[Statement] = []
    i, n = 0, len(text)
    start: int | None = None
    depth = 0
    while i < n:
        c = text[i]
        if start is None:
            if c.isspace():
                i += 1
                continue
            if c == "#":
                i = _line_end(text, i)
                continue
            start = i
            match = _DIRECTIVE.match(text, i)
            if match and match.group(1)[0] != "@":  # SPARQL-style: no '.', ends at the line
                end = _line_end(text, i)
                out.append(Statement(start, end, text.count("\n", 0, start) + 1, True))
                start, i = None, end
                continue
        if c == "#":
            i = _line_end(text, i)
        elif c in "\"'":
            i = _string_end(text, i)
        elif c == "<":
            close = text.find(">", i + 1)
            i = n if close < 0 else close + 1
        elif c in "[(":
            depth += 1
            i += 1
        elif c in "])":
            depth -= 1
            i += 1
        elif c == "\\":
            i += 2
        elif c == "." and depth == 0 and (i + 1 >= n or text[i + 1].isspace()
                                          or text[i + 1] == "#"):  # fmt: skip
            directive = bool(_DIRECTIVE.match(text, start))
            out.append(Statement(start, i + 1, text.count("\n", 0, start) + 1, directive))
            start = None
            i += 1
        else:
            i += 1
    if start is not None:
        raise TurtleEditError(f"line {text.count(chr(10), 0, start) + 1}: a statement is not "
                              "terminated with '.'")  # fmt: skip
    return out


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _string_end(text: str, i: int) -> int:
    quote = text[i]
    long = text.startswith(quote * 3, i)
    delim = quote * 3 if long else quote
    j = i + len(delim)
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(delim, j):
            return j + len(delim)
        if not long and text[j] == "\n":
            return j
        j += 1
    return len(text)


def parse_triples(text: str, base: str | None) -> list[ox.Triple]:
    quads = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=base)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _has_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def edit(
    text: str, removed: Iterable[ox.Triple], added: Sequence[ox.Triple], base: str | None
) -> str:
    """``text`` with ``removed`` taken out and ``added`` appended (see the module's note)."""
    removed = set(removed)
    if any(_has_blank(t) for t in removed):
        raise TurtleEditError("the update removes a triple of a blank node; blank nodes "
                              "cannot be named over HTTP: edit the file by hand")  # fmt: skip
    parser = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=base)
    before = [ox.Triple(q.subject, q.predicate, q.object) for q in parser]
    prefixes = dict(parser.prefixes)  # (known once the parser has run to the end)
    own_base = parser.base_iri if parser.base_iri != base else None
    out = text
    pending = list(added)
    if removed:
        out = _remove(text, removed, base, pending)
    if pending:
        block = render(pending, prefixes, own_base)
        out = out.rstrip("\n") + "\n\n" + block if out.strip() else block
    expected = [t for t in before if t not in removed]
    seen = set(expected)
    expected += [t for t in added if t not in seen]
    check_result(out, expected, base)
    return out


def _remove(
    text: str, removed: set[ox.Triple], base: str | None, pending: list[ox.Triple]
) -> str:
    """``text`` without ``removed``; a re-written statement also takes the triples of
    ``pending`` about its subject (a changed value stays where the old one was), which are
    then taken off ``pending``."""
    pieces: list[str] = []
    header: list[str] = []
    last = 0
    for st in statements(text):
        chunk = text[st.start:st.end]
        if st.directive:
            header.append(chunk)
            continue
        prologue = "\n".join(header) + "\n"
        triples = parse_triples(prologue + chunk, base)
        gone = [t for t in triples if t in removed]  # (from every statement asserting it)
        if not gone:
            continue
        if any(_has_blank(t) for t in triples):
            raise TurtleEditError(f"line {st.line}: the statement that holds a removed triple "
                                  "also has blank nodes; edit the file by hand")  # fmt: skip
        before_merge = list(pending)
        keep = _merge(triples, removed, pending)
        parser = ox.parse(prologue.encode(), format=ox.RdfFormat.TURTLE, base_iri=base)
        list(parser)  # the prefixes and base are known once it has run
        own_base = parser.base_iri if parser.base_iri != base else None
        prefixes = dict(parser.prefixes) | ({_BASE: own_base} if own_base else {})
        pieces.append(text[last:st.start])
        swapped = _in_place(chunk, gone, before_merge, keep, prologue, base, prefixes)
        if swapped is not None:
            pieces.append(swapped)
            last = st.end
        elif keep:
            pieces.append(render(keep, dict(parser.prefixes), own_base).rstrip("\n"))
            last = st.end
        else:  # the whole statement goes, with the rest of its line if that is empty
            end = st.end
            rest = _line_end(text, end)
            if not text[end:rest].strip():
                end = min(rest + 1, len(text))
            last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _in_place(
    chunk: str, gone: Sequence[ox.Triple], added: Sequence[ox.Triple], keep: Sequence[ox.Triple],
    prologue: str, base: str | None, prefixes: dict[str, str],
) -> str | None:  # fmt: skip
    """A changed value written over the old one in the statement's own text (a one-line
    diff), when each removed triple has one added triple of the same subject and predicate
    and the old value is written once in the statement; None otherwise."""
    if len(keep) != len(set(keep)):
        return None
    out = chunk
    for old in gone:
        new = [a for a in added if a.subject == old.subject and a.predicate == old.predicate]
        if len(new) != 1:
            return None
        before, after = term(old.object, prefixes), term(new[0].object, prefixes)
        if out.count(before) != 1 or isinstance(new[0].object, ox.BlankNode):
            return None
        out = out.replace(before, after)
    try:
        got = parse_triples(prologue + out, base)
    except SyntaxError:
        return None
    return out if sorted(map(str, got)) == sorted(map(str, keep)) else None


def _merge(
    triples: Sequence[ox.Triple], removed: set[ox.Triple], pending: list[ox.Triple]
) -> list[ox.Triple]:
    """A statement's triples without ``removed``: an added triple of the same subject and
    predicate takes a removed one's place, other added triples of its subjects follow."""
    subjects = {t.subject for t in triples}
    mine = [t for t in pending if t.subject in subjects]
    out: list[ox.Triple] = []
    for t in triples:
        if t not in removed:
            out.append(t)
            continue
        same = next((a for a in mine if a.subject == t.subject and a.predicate == t.predicate),
                    None)  # fmt: skip
        if same is not None:
            mine.remove(same)
            out.append(same)
    out.extend(mine)
    placed = set(out)
    pending[:] = [t for t in pending if t not in placed]
    return out


def check_result(text: str, expected: Sequence[ox.Triple], base: str | None) -> None:
    """The edited text must hold exactly ``expected`` (blank nodes: as many triples)."""
    try:
        got = parse_triples(text, base)
    except SyntaxError as exc:
        raise TurtleEditError(f"the edited file would not parse ({exc}); nothing was "
                              "written") from None  # fmt: skip
    plain_got = {t for t in got if not _has_blank(t)}
    plain_want = {t for t in expected if not _has_blank(t)}
    blank_got = sum(1 for t in set(got) if _has_blank(t))
    blank_want = sum(1 for t in set(expected) if _has_blank(t))
    if plain_got != plain_want or blank_got != blank_want:
        raise TurtleEditError("the change could not be written as a textual edit of the file "
                              "(the result would not hold exactly the triples asked for); "
                              "nothing was written: edit the file by hand")  # fmt: skip


# --------------------------------------------------------------------------- rendering


def render(
    triples: Sequence[ox.Triple], prefixes: dict[str, str], base: str | None = None
) -> str:
    """Turtle for ``triples``: one block per subject (in order of first appearance),
    ``;`` between predicates, ``,`` between objects, the file's prefixes (and its ``@base``
    for IRIs no prefix is closer to)."""
    labels: dict[str, str] = {}
    if base:
        prefixes = {**prefixes, _BASE: base}
    by_subject: dict[object, dict[object, list[object]]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate, []).append(t.object)
    blocks = []
    for subject, predicates in by_subject.items():
        lines = []
        for predicate, objects in predicates.items():
            shown = "a" if predicate == ox.NamedNode(RDF_TYPE) else term(predicate, prefixes)
            values = ", ".join(term(o, prefixes, labels) for o in objects)
            lines.append(f"{shown} {values}")
        blocks.append(term(subject, prefixes, labels) + " " + " ;\n    ".join(lines) + " .\n")
    return "".join(blocks)


def term(value: object, prefixes: dict[str, str], labels: dict[str, str] | None = None) -> str:
    if isinstance(value, ox.NamedNode):
        return iri(value.value, prefixes)
    if isinstance(value, ox.BlankNode):
        labels = {} if labels is None else labels
        if value.value not in labels:  # fresh labels: never one the file already uses
            labels[value.value] = f"_:edit{secrets.token_hex(6)}"
        return labels[value.value]
    if isinstance(value, ox.Literal):
        text = '"' + _escape(value.value) + '"'
        if value.language:
            return f"{text}@{value.language}"
        if value.datatype.value != XSD_STRING:
            return f"{text}^^{iri(value.datatype.value, prefixes)}"
        return text
    raise TurtleEditError(f"cannot write {value!r} in Turtle")


#: Marks the file's ``@base`` among the prefixes handed to ``iri``.
_BASE = "\0base"
_RELATIVE = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_\-./]*")


def iri(value: str, prefixes: dict[str, str]) -> str:
    best = None
    base = prefixes.get(_BASE)
    if base and value.startswith(base) and _RELATIVE.fullmatch(value[len(base):]) and not any(
        ns and value.startswith(ns) and len(ns) > len(base)
        for p, ns in prefixes.items() if p != _BASE
    ):  # fmt: skip
        return f"<{value[len(base):]}>"
    for prefix, namespace in prefixes.items():
        if prefix == _BASE:
            continue
        if namespace and value.startswith(namespace) and (
            best is None or len(namespace) > len(prefixes[best])
        ) and _local(value[len(namespace):]) is not None:
            best = prefix
    if best is not None:
        return f"{best}:{_local(value[len(prefixes[best]):])}"
    return "<" + value.replace("\\", "\\\\").replace(">", "\\u003E") + ">"


def _local(local: str) -> str | None:
    """``local`` as a prefixed name's local part (escaped), or None if it cannot be one."""
    out = []
    for i, c in enumerate(local):
        if _LOCAL_PLAIN.fullmatch(c) and not (i == 0 and c == "-"):
            out.append(c)
        elif c in _LOCAL_ESCAPABLE:
            out.append("\\" + c)
        else:
            return None
    return "".join(out)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))  # fmt: skip
