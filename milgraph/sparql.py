"""SPARQL texts as the package edits them: a ``VALUES`` row at the head of the WHERE group, and
the ``# key: value`` comment header of ``.rq`` files (rules and named queries).

Why a VALUES row rather than Oxigraph's ``substitutions``: those bind only variables the
query projects, and ``BOUND(?v)`` stays false for them; a rule compares ``?asOf`` in FILTERs
and an analysis binds variables it does not select. A VALUES row joins with the whole group,
as the query's author would have written it, and any SPARQL 1.1 store understands it.

The scanner skips comments, IRIs and strings, so a ``{`` or ``WHERE`` inside them is never
taken for syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

_IRIREF = re.compile(r'<[^<>"{}|^`\\\s]*>')
_HEADER_LINE = re.compile(r"#\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*)")

# --------------------------------------------------------------------------- scanning


def _skip(text: str, i: int) -> int:
    """If ``text[i]`` opens a comment, IRI or string, the index just past it; else ``i``."""
    c = text[i]
    if c == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end + 1
    if c == "<":
        m = _IRIREF.match(text, i)
        return m.end() if m else i
    if c in "\"'":
        quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
        j = i + len(quote)
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text.startswith(quote, j):
                return j + len(quote)
            j += 1
        return len(text)
    return i


def tokens(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(offset, token) for braces and words outside comments, IRIs and strings; variables
    (``?where``) are not words."""
    i = start
    n = len(text)
    while i < n:
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c in "{}":
            yield i, c
            i += 1
        elif c.isalpha():
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            if i == 0 or text[i - 1] not in "?$":
                yield i, text[i:j]
            i = j
        else:
            i += 1


def closing_brace(text: str, opening: int) -> int:
    """Offset of the ``}`` that closes the ``{`` at ``opening`` (the last offset if none)."""
    depth = 0
    for offset, token in tokens(text, opening):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return offset
    return len(text) - 1


def where_group(text: str) -> tuple[int, int] | None:
    """(start of the ``WHERE`` keyword, offset just past the ``{`` opening its group), or None
    for a text without a WHERE keyword."""
    found: int | None = None
    for offset, token in tokens(text):
        if found is None and token.upper() == "WHERE":
            found = offset
        elif found is not None and token == "{":
            return found, offset + 1
    return None


# --------------------------------------------------------------------------- VALUES


def values_row(
    text: str, names: Sequence[str], rows: Sequence[Sequence[str]], *, comment: str | None = None
) -> str:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) … }`` at the head of its WHERE group (the
    keyword written ``WHERE {``). ``rows`` hold terms in SPARQL syntax; a text without a WHERE
    keyword is returned as it is."""
    at = where_group(text)
    if at is None or not names:
        return text
    start, body = at
    head = "(" + " ".join(f"?{n}" for n in names) + ")"
    data = " ".join("(" + " ".join(row) + ")" for row in rows)
    clause = f"\n  VALUES {head} {{ {data} }}"
    rest = text[body:]
    if comment:
        clause += f"  # {comment}"
        if not rest.startswith(("\n", "\r\n")):
            clause += "\n"
    return text[:start] + "WHERE {" + clause + rest


def bind(
    text: str,
    bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal],
    *,
    inline: bool = False,
) -> str:
    """``text`` with each variable of ``bindings`` fixed to its term by a VALUES row.

    ``inline`` also writes the constant in place of the variable inside the WHERE group (the
    VALUES row still gives it to the projection): Virtuoso's FILTERs inside OPTIONAL do not
    see variables an outer VALUES or BIND gave, so the remote store is sent this form."""
    if not bindings:
        return text
    if inline:
        text = _inline(text, {k: str(t) for k, t in bindings.items()})
    return values_row(text, list(bindings), [[str(t) for t in bindings.values()]])


def inline_values(text: str) -> str:
    """A text whose WHERE group opens with a one-row ``VALUES`` (what :func:`values_row` and
    :func:`bind` write) with the row's constants also written in place of its variables in
    that group (``bind(..., inline=True)``'s form); any other text is returned as it is.

    For Virtuoso, which fails such queries (``SP031 … SPART_VARR_FIXED``) or does not give
    the VALUES variables to FILTERs inside OPTIONAL."""
    at = where_group(text)
    if at is None:
        return text
    m = re.compile(r"\s*VALUES\s*\(([^)]*)\)\s*\{\s*\(", re.I).match(text, at[1])
    if not m:
        return text
    names = [v.lstrip("?$") for v in m.group(1).split()]
    terms: list[str] = []
    i, word = m.end(), ""
    while i < len(text) and text[i] != ")":
        j = _skip(text, i)
        if j != i:
            word += text[i:j]
            i = j
            continue
        if text[i].isspace():
            if word:
                terms.append(word)
            word = ""
        else:
            word += text[i]
        i += 1
    if word:
        terms.append(word)
    rest = re.compile(r"\)\s*\}").match(text, i)
    if rest is None or len(terms) != len(names) or not names:
        return text  # more than one row, or UNDEF-free parsing failed: leave it
    inlined = _inline(text[: at[1]] + text[rest.end() :], dict(zip(names, terms, strict=True)))
    return text[: at[1]] + text[at[1] : rest.end()] + inlined[at[1] :]


def _inline(text: str, terms: Mapping[str, str]) -> str:
    """``text`` with ``?name``/``$name`` of ``terms`` replaced inside the first WHERE group
    (comments, IRIs and strings are left alone)."""
    at = where_group(text)
    if at is None:
        return text
    start = at[1]
    end = closing_brace(text, start - 1)
    pieces, last, i = [text[:start]], start, start
    while i < end:
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        if text[i] in "?$":
            k = i + 1
            while k < end and (text[k].isalnum() or text[k] == "_"):
                k += 1
            name = text[i + 1 : k]
            if name in terms:
                pieces += [text[last:i], terms[name]]
                last = k
            i = max(k, i + 1)
            continue
        i += 1
    pieces.append(text[last:])
    return "".join(pieces)


def with_prefixes(text: str, prefixes: Mapping[str, str]) -> str:
    """``text`` with PREFIX declarations in front (a prologue may hold them in any order)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + text


# --------------------------------------------------------------------------- headers


@dataclass(frozen=True)
class HeaderLine:
    """One ``# key: value`` line of a header (continuation lines joined to its value)."""

    key: str
    value: str
    line: int


def read_header(text: str) -> list[HeaderLine]:
    """The comment header of an ``.rq`` file: the ``# key: value`` lines before the first line
    that is not a comment. A line indented after the ``#`` (``#  more``, ``#\\tmore``)
    continues the value above it; a blank line or any other comment ends that."""
    out: list[HeaderLine] = []
    open_entry = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            open_entry = False
            continue
        if not line.startswith("#"):
            break
        indented = raw.lstrip().startswith(("#  ", "#\t"))
        if indented and open_entry:
            last = out[-1]
            more = line.lstrip("#").strip()
            out[-1] = HeaderLine(last.key, f"{last.value} {more}".strip(), last.line)
            continue
        m = _HEADER_LINE.fullmatch(line)
        if m and not indented:
            out.append(HeaderLine(m.group(1), m.group(2).strip(), number))
            open_entry = True
        else:
            open_entry = False
    return out
