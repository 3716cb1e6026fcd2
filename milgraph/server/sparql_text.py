"""The one reading of a SPARQL request text: its tokens, what they do, and the text the
engine runs.

Why one reading: the server decides things before evaluation (the query form, for format
negotiation; whether it is an update; which ``SERVICE``/``LOAD`` endpoints it would reach,
refused unless allow-listed, since pyoxigraph really fetches them; whether the answer may be
cached; whether it is too deep to parse safely). pyoxigraph exposes neither its parsed
algebra nor a SERVICE handler, so a second, approximate reading of the text could disagree
with the engine's (an escape, a comment in a name) and a hidden ``SERVICE`` would go
through. Instead this module lexes the text with the terminals of the SPARQL 1.1 grammar
(plus the SPARQL 1.2 ones pyoxigraph accepts) and hands the engine a *canonical
re-serialisation of exactly those tokens*: prefixed names expanded to full ``<IRI>``\\ s,
relative IRIs resolved, strings re-escaped, comments dropped, one space between tokens.
Every IRI the engine sees is one this module classified; a text it cannot read is refused
(400, with the position), never passed through.

The lexer is linear: every token is matched once from its first character, possessive
patterns never backtrack over what they consumed, and a run of name characters is scanned
for a ``:`` at most once. Line numbers of the canonical text equal the client's (newlines
are kept), and columns are mapped back, so the engine's syntax errors point into the text
the client sent.
"""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Default bound on the parse-tree depth estimate (see ``QueryTextError`` and docs/http.md):
#: each open bracket counts ``BRACKET_WEIGHT``, each chained operator one.
MAX_DEPTH = 1500
BRACKET_WEIGHT = 5

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
}  # fmt: skip
#: Functions whose value changes between evaluations: such answers are not cached.
VOLATILE = {"NOW", "RAND", "UUID", "STRUUID", "BNODE"}
#: Keywords that chain graph patterns or expressions: the engine nests one node per use.
_CHAIN_WORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "SERVICE", "GRAPH", "EXISTS",
                "LATERAL", "VALUES", "NOT", "IN"}  # fmt: skip
_CHAIN_PUNCT = {"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "!", "^", "|"}

IRI, PNAME, VAR, BNODE, STRING, LANG, NUMBER, WORD, PUNCT = range(9)

# --------------------------------------------------------------------------- terminals

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEX = "[0-9A-Fa-f]"
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf\\"']"""

_WS = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)*+")
_IRIREF = re.compile(rf"<((?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*+)>")
_PREFIX = re.compile(rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?")
_LOCAL = re.compile(
    rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
)
_VARNAME = re.compile(rf"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+")
_BNODE = re.compile(rf"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?")
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*+")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?")
_NUMBER = re.compile(
    r"[+-]?(?:[0-9]++(?:\.[0-9]*+)?[eE][+-]?[0-9]++|[0-9]*+\.[0-9]++(?:[eE][+-]?[0-9]++)?"
    r"|[0-9]++)"
)
_STRINGS = {
    '"""': re.compile(rf'"""((?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+)"""'),
    "'''": re.compile(rf"'''((?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+)'''"),
    '"': re.compile(rf'"((?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*+)"'),
    "'": re.compile(rf"'((?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*+)'"),
}
_PUNCT = re.compile(r"<<\(|\)>>|<<|>>|\|\||&&|!=|<=|>=|\^\^|\{\||\|\}|[{}()\[\].,;*/+\-!=<>^|~?]")
_ESCAPE = re.compile(rf"{_UCHAR}|{_ECHAR}|\\[_~.\-!$&'()*+,;=/?#@%]")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
_NOT_IN_IRI = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_OPENERS = {"{": "}", "(": ")", "[": "]", "<<": ">>", "<<(": ")>>", "{|": "|}"}
_CLOSERS = {"}", ")", "]", ">>", ")>>", "|}"}
#: Tokens after which a value has ended (so ``<`` and ``-`` are operators, not an IRI or a
#: sign, inside an expression).
_OPERAND_END = {VAR, NUMBER, STRING, LANG, IRI, PNAME}
#: Tokens the source wrote side by side are written so too (pyoxigraph wants ``BNODE()``,
#: ``COALESCE(``), unless both sides are punctuation that could merge (``<`` ``<iri>``).
_SPACED = set("<>()[]{}|!=&^~.,;*/+-?@\"'")


class QueryTextError(ValueError):
    """The text cannot be read as SPARQL, or is deeper than the server parses (HTTP 400)."""

    def __init__(self, message: str, line: int, column: int, kind: str = "malformed") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind  # "malformed" or "too-deep"

    def __reduce__(self) -> tuple:  # crosses from the reader processes
        return type(self), (self.message, self.line, self.column, self.kind)


@dataclass
class QueryInfo:
    """What the server knows about a request text before running it, and what to run."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None: not recognised)
    update: str | None = None  # an update keyword the text holds (it is an update)
    services: list[str | None] = field(default_factory=list)  # IRIs; None = not an IRI
    volatile: bool = False
    has_base: bool = False
    loads: list[str | None] = field(default_factory=list)  # LOAD sources (updates)
    dataset_clause: bool = False  # USING / USING NAMED / WITH (updates)
    depth: int = 0  # the parse-tree depth estimate the text reached
    #: The canonical text the engine runs (see the module docstring).
    text: str = ""
    #: Where each rewritten token (or comment) starts and ends in ``text`` and in the
    #: client's text: the map from the engine's error positions back to the client's.
    _canon: array = field(default_factory=lambda: array("q"), repr=False)
    _canon_end: array = field(default_factory=lambda: array("q"), repr=False)
    _source: array = field(default_factory=lambda: array("q"), repr=False)
    _source_end: array = field(default_factory=lambda: array("q"), repr=False)
    _source_text: str = field(default="", repr=False)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    def source_position(self, line: int, column: int) -> tuple[int, int]:
        """A (line, column) of ``text`` (as the engine reports it) in the client's text."""
        offset = _offset_of(self.text, line, column)
        i = bisect.bisect_right(self._canon, offset) - 1
        if i < 0:
            source = offset
        elif offset < self._canon_end[i]:
            source = self._source[i]  # inside a rewritten token: its start
        else:
            source = self._source_end[i] + offset - self._canon_end[i]
        return _line_column(self._source_text, min(source, len(self._source_text)))


def _offset_of(text: str, line: int, column: int) -> int:
    pos = 0
    for _ in range(max(line, 1) - 1):
        nl = text.find("\n", pos)
        if nl < 0:
            break
        pos = nl + 1
    return min(pos + max(column, 1) - 1, len(text))


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --------------------------------------------------------------------------- reading


def inspect_query(
    text: str, base: str | None = None, *, prefixes: dict[str, str] | None = None,
    max_depth: int = MAX_DEPTH, using: str = "",
) -> QueryInfo:  # fmt: skip
    """Read a request text; raise ``QueryTextError`` if it cannot be read or is too deep.

    ``base``: IRI relative IRIs resolve against when the text has no ``BASE``. ``prefixes``:
    predeclared prefixes (the CLI's). ``using``: a clause put before the ``WHERE`` of each
    ``DELETE``/``INSERT … WHERE`` operation (the protocol's ``using-graph-uri``).
    Repeated short texts (dashboards, named queries) are answered from a small cache."""
    key = (text, base, max_depth, using) if not prefixes and len(text) <= _CACHE_TEXT else None
    if key is not None:
        info = _INFO_CACHE.get(key)
        if info is not None:
            return info
    info = _Reader(text, base, prefixes or {}, max_depth, using).read()
    if key is not None:
        if len(_INFO_CACHE) >= _INFO_CACHE_SIZE:
            _INFO_CACHE.pop(next(iter(_INFO_CACHE)))
        _INFO_CACHE[key] = info
    return info


_INFO_CACHE: dict[tuple[str, str | None, int, str], QueryInfo] = {}
_INFO_CACHE_SIZE = 1024
_CACHE_TEXT = 16 * 1024


_NAME_CLASS = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+"
_PNAME = re.compile(
    rf"(?:[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?)?:"
    rf"(?:(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?)?"
)
#: One token (after whitespace and comments), named by its group; ``ws`` alone: the end or
#: a character no token starts with. Words come before prefixed names so that a run like
#: ``a.a.a`` is never scanned for a ``:`` from each of its letters.
_TOKEN = re.compile(
    "(?P<ws>(?:[ \\t\\r\\n]++|#[^\\r\\n]*+)*+)(?:"
    f"(?P<var>[?$]{_NAME_CLASS})"
    f"|(?P<word>[A-Za-z][A-Za-z0-9_]*+)(?![{_CHARS}:])"
    f"|(?P<iri>{_IRIREF.pattern})"
    f"|(?P<pname>{_PNAME.pattern})"
    f"|(?P<num>{_NUMBER.pattern[5:]})"
    f"|(?P<str>{_STRINGS[chr(34) * 3].pattern}|{_STRINGS[chr(39) * 3].pattern}"
    f"|{_STRINGS[chr(34)].pattern}|{_STRINGS[chr(39)].pattern})"
    f"|(?P<lang>{_LANGTAG.pattern})"
    f"|(?P<bnode>{_BNODE.pattern})"
    f"|(?P<punct>{_PUNCT.pattern})"
    ")?"
)
_KINDS = {"var": VAR, "word": WORD, "iri": IRI, "pname": PNAME, "num": NUMBER,
          "str": STRING, "lang": LANG, "bnode": BNODE, "punct": PUNCT}  # fmt: skip
_NAME_START = re.compile(f"[{_CHARS}]")


class _Reader:
    """One pass over a text: tokens, classification, canonical text, position map.

    The canonical text is the source with the tokens that need it rewritten (IRIs resolved,
    prefixed names expanded, strings re-escaped, comments removed) and everything else,
    whitespace included, as it was: line numbers stay the source's, columns move only
    after a rewrite on the same line (``QueryInfo.source_position`` maps them back)."""

    def __init__(
        self, text: str, base: str | None, prefixes: dict[str, str], max_depth: int,
        using: str,
    ) -> None:  # fmt: skip
        self.src = text
        self.base = base
        self.prefixes = dict(prefixes)
        self.max_depth = max_depth
        self.using = using
        self.info = QueryInfo(_source_text=text)
        #: Rewrites, in source order: (source start, source end, canonical text).
        self.rewrites: list[tuple[int, int, str]] = []
        #: Open brackets: [opener, is_expression, operators chained at this level, outer].
        self.stack: list[list] = []
        self.chain = 0  # operators chained at the top level
        self.load = 0  # weights of the open levels and of the chains around them
        self.prev_kind = -1
        self.prev = ""
        self.prev2_kind = -1
        self.prev2 = ""
        self.select_clause = False
        self.select_level = -1  # bracket depth of the SELECT whose clause is being read
        self.after_block = False  # the last depth-0 token closed a block (an update template)

    def error(self, pos: int, message: str, kind: str = "malformed") -> QueryTextError:
        line, column = _line_column(self.src, pos)
        return QueryTextError(message, line, column, kind)

    # -- the pass

    def read(self) -> QueryInfo:
        src = self.src
        n = len(src)
        info = self.info
        given_base = self.base
        match = _TOKEN.match
        kinds = _KINDS
        rewrites = self.rewrites
        no_colon_until = -1
        pos = 0
        while True:
            m = match(src, pos)
            ws_end = m.end("ws")
            if ws_end > pos and "#" in src[pos:ws_end]:
                self.comments(pos, ws_end)
            group = m.lastgroup
            if group is None or group == "ws":
                if ws_end >= n:
                    break
                raise self.unreadable(ws_end)
            kind = kinds[group]
            start, pos = m.span(group)
            value = m.group(group)
            if kind == WORD:
                if (
                    pos < n and src[pos] == "." and pos >= no_colon_until
                    and _NAME_START.match(src, pos + 1)
                ):  # a prefix with dots (a.b:c)? scanned once per run of name characters
                    pm = _PREFIX.match(src, start)
                    end = pm.end() if pm is not None else pos
                    no_colon_until = end
                    if src.startswith(":", end):
                        pn = _PNAME.match(src, start)
                        assert pn is not None
                        kind, value, pos = PNAME, pn.group(), pn.end()
            elif kind == IRI:
                if self.operator_context():  # ?a<?b&&?b>?c compares, as pyoxigraph reads it
                    pm = _PUNCT.match(src, start)
                    assert pm is not None
                    kind, value, pos = PUNCT, pm.group(), pm.end()
                else:
                    inner = value[1:-1]
                    iri = self.iri(inner, start)
                    value = f"<{iri}>"
                    if iri != inner:
                        rewrites.append((start, pos, value))
            elif kind == STRING:
                quote = 3 if value.startswith(('"""', "'''")) else 1
                if "\\" in value or value[0] == "'" or quote == 3:
                    rewrites.append(
                        (start, pos, _quote(_unescape(value[quote:-quote], start, self))))
            elif kind == PUNCT and value in ("+", "-") and (
                _starts_number(src, start, value) and not self.operator_context()
            ):
                nm = _NUMBER.match(src, start)
                assert nm is not None
                kind, value, pos = NUMBER, nm.group(), nm.end()
            if kind == PNAME and not (self.prev_kind == WORD and self.prev.upper() == "PREFIX"):
                prefix, _, local = value.partition(":")
                value = f"<{self.expand(prefix, local, start)}>"
                rewrites.append((start, pos, value))
            self.token(kind, value, start)
        if self.stack:
            opener = self.stack[-1][0]
            raise self.error(n, f"'{opener}' is never closed (expected '{_OPENERS[opener]}')")
        self.build(f"BASE <{given_base}> " if given_base and not info.has_base else "")
        return info

    def unreadable(self, pos: int) -> QueryTextError:
        c = self.src[pos]
        if c in "\"'":
            return self.error(pos, "unterminated or malformed string (a quote is not closed, "
                                   "or a backslash escape is invalid)")  # fmt: skip
        if c == "$":
            return self.error(pos, "'$' must start a variable name")
        if c == "@":
            return self.error(pos, "'@' must start a language tag (e.g. @en)")
        if c == "_":
            return self.error(pos, "'_:' must start a blank node label")
        if c == "<":
            return self.error(pos, "'<' starts neither an IRI nor a comparison here")
        if c.isalpha() or c > "\x7f":
            return self.error(pos, f"unexpected character {c!r}: not the start of a keyword, "
                                   "a prefixed name or a variable")  # fmt: skip
        return self.error(pos, f"unexpected character {c!r}")

    def comments(self, start: int, end: int) -> None:
        src = self.src
        pos = src.find("#", start, end)
        while pos >= 0:
            eol = pos
            while eol < end and src[eol] not in "\r\n":
                eol += 1
            self.rewrites.append((pos, eol, ""))
            pos = src.find("#", eol, end)

    def build(self, head: str) -> None:
        """The canonical text from the source and the rewrites, and the position map."""
        src = self.src
        info = self.info
        parts = [head] if head else []
        size = len(head)
        first = [0] if head else []
        canon, canon_end = array("q", first), array("q", [size] if head else [])
        source, source_end = array("q", first), array("q", first)
        at = 0
        n = len(src)
        for start, end, text in self.rewrites:
            if start > at:
                parts.append(src[at:start])
                size += start - at
            if text:  # kept apart from neighbours it could merge with (``<`` ``<iri>``)
                if start > 0 and not src[start - 1].isspace():
                    text = " " + text
                if end < n and not src[end].isspace():
                    text += " "
            canon.append(size)
            parts.append(text)
            size += len(text)
            canon_end.append(size)
            source.append(start)
            source_end.append(end)
            at = end
        parts.append(src[at:])
        info.text = "".join(parts)
        info._canon, info._canon_end = canon, canon_end
        info._source, info._source_end = source, source_end

    def operator_context(self) -> bool:
        """True after a value inside an expression: ``<`` compares, ``-`` subtracts."""
        if self.prev_kind in _OPERAND_END or (self.prev_kind == PUNCT and self.prev == ")"):
            return bool(self.stack) and self.stack[-1][1]
        return False

    # -- one token: classify, bound

    def token(self, kind: int, value: str, start: int) -> None:
        info = self.info
        if kind == WORD:
            word = value.upper()
            if word in QUERY_FORMS:
                if info.form is None and info.update is None:
                    info.form = word
                if word == "SELECT":
                    self.select_clause = True
                    self.select_level = len(self.stack)
            elif word in UPDATE_KEYWORDS:
                if info.update is None:
                    info.update = word
                if word == "LOAD":
                    info.loads.append(None)
                elif word == "WITH":
                    info.dataset_clause = True
            elif word == "USING":
                info.dataset_clause = True
            elif word == "BASE":
                info.has_base = True
            elif word in ("WHERE", "FROM"):
                self.select_clause = False
                if word == "WHERE" and self.using and not self.stack and self.after_block:
                    self.rewrites.append((start, start, self.using))
            if word in VOLATILE:
                info.volatile = True
            elif word == "SERVICE":
                info.services.append(None)
                info.volatile = True  # a remote answer may change at any time
            if word in _CHAIN_WORDS:
                self.chained(start)
        elif kind in (IRI, PNAME):
            self.target(value)
            if kind == IRI and self.prev_kind == WORD and self.prev.upper() == "BASE":
                self.base = value[1:-1]
            elif kind == IRI and self.prev_kind == PNAME and self.prev2.upper() == "PREFIX":
                self.prefixes[self.prev[:-1]] = value[1:-1]
        elif kind == PUNCT:
            self.bracket(value, start)
        self.after_block = not self.stack and kind == PUNCT and value == "}"
        self.prev2_kind, self.prev2 = self.prev_kind, self.prev
        self.prev_kind, self.prev = kind, value

    def target(self, value: str) -> None:
        """An IRI right after SERVICE/LOAD (SILENT skipped) is what they reach."""
        info = self.info
        word = self.prev.upper() if self.prev_kind == WORD else ""
        if word == "SILENT" and self.prev2_kind == WORD:
            word = self.prev2.upper()
        if word == "SERVICE" and info.services and info.services[-1] is None:
            info.services[-1] = value[1:-1]
        elif word == "LOAD" and info.loads and info.loads[-1] is None:
            info.loads[-1] = value[1:-1]

    def bracket(self, value: str, start: int) -> None:
        stack = self.stack
        if value in _OPENERS:
            expression = value == "(" and self.opens_expression()
            chain = stack[-1][2] if stack else self.chain
            stack.append([value, expression, 0])
            self.load += BRACKET_WEIGHT + chain
            if stack[-2:-1]:
                stack[-2][2] = 0
            else:
                self.chain = 0
            stack[-1].append(chain)  # restored when this level closes
            self.check_depth(start)
            if value == "{":
                self.select_clause = False
        elif value in _CLOSERS:
            pops = 2 if value == ")>>" and stack and stack[-1][0] != "<<(" else 1
            for _ in range(pops):
                if not stack:
                    raise self.error(start, f"'{value}' closes nothing")
                _, _, _, outer = stack.pop()
                self.load -= BRACKET_WEIGHT + outer
                if stack:
                    stack[-1][2] = outer
                else:
                    self.chain = outer
        elif value in _CHAIN_PUNCT:
            self.chained(start)

    def chained(self, start: int) -> None:
        if self.stack:
            self.stack[-1][2] += 1
        else:
            self.chain += 1
        self.check_depth(start)

    def check_depth(self, start: int) -> None:
        depth = self.load + (self.stack[-1][2] if self.stack else self.chain)
        if depth > self.info.depth:
            self.info.depth = depth
            if depth > self.max_depth:
                raise self.error(start, (
                    f"the query nests too deeply to be parsed safely: its depth reaches "
                    f"{self.max_depth} here (each open bracket counts {BRACKET_WEIGHT}, each "
                    "chained operator, UNION, OPTIONAL or FILTER 1); flatten it, e.g. with "
                    "VALUES or IN (…) instead of long chains of || or UNION"
                ), "too-deep")  # fmt: skip

    def opens_expression(self) -> bool:
        """Whether a ``(`` starts an expression (not a collection or a VALUES row)."""
        kind, prev = self.prev_kind, self.prev
        inside = bool(self.stack) and self.stack[-1][1]
        if kind == WORD:
            return prev.upper() not in ("VALUES", "A") and prev != "a"
        if kind == PUNCT:
            if prev in ("(", ","):
                return inside
            return prev in _CHAIN_PUNCT or (
                prev == ")" and self.select_clause and len(self.stack) == self.select_level
            )
        if kind in (IRI, PNAME):
            return inside or (self.prev2_kind == WORD and self.prev2.upper() in (
                "FILTER", "BY", "HAVING", "ASC", "DESC"))  # fmt: skip
        if kind == VAR:
            return self.select_clause and len(self.stack) == self.select_level
        return False

    # -- IRIs

    def iri(self, raw: str, pos: int) -> str:
        value = _unescape(raw, pos, self) if "\\" in raw else raw
        if _NOT_IN_IRI.search(value):
            raise self.error(pos, "an IRI may not contain spaces, quotes, <>{}|^` or "
                                  "backslashes, escaped or not")  # fmt: skip
        if self.base and not _SCHEME.match(value):
            value = resolve(self.base, value)
        return value

    def expand(self, prefix: str, local: str, pos: int) -> str:
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            raise self.error(pos, f"the prefix '{prefix}:' is not declared (add PREFIX "
                                  f"{prefix}: <…> before the query)")  # fmt: skip
        value = namespace + (_unescape(local, pos, self) if "\\" in local else local)
        if _NOT_IN_IRI.search(value):
            raise self.error(pos, "this prefixed name does not make a valid IRI")
        return value



def _starts_number(src: str, pos: int, c: str) -> bool:
    nxt = src[pos + 1 : pos + 3]
    if c == ".":
        return nxt[:1].isdigit()
    return nxt[:1].isdigit() or (nxt[:1] == "." and nxt[1:2].isdigit())


def _unescape(raw: str, pos: int, reader: _Reader) -> str:
    if "\\" not in raw:
        return raw

    def one(m: re.Match[str]) -> str:
        s = m.group()
        if s[1] in "uU":
            code = int(s[2:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise reader.error(pos, f"{s} is not a Unicode character")
            return chr(code)
        return _ECHARS.get(s[1], s[1])

    return _ESCAPE.sub(one, raw)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\r", "\\r") + '"'  # fmt: skip


# --------------------------------------------------------------------------- IRIs


_URI = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?"
                  r"(?:#(.*))?", re.DOTALL)  # fmt: skip


def resolve(base: str, ref: str) -> str:
    """``ref`` resolved against ``base`` (RFC 3986 §5.2), for any scheme."""
    r = _URI.fullmatch(ref)
    b = _URI.fullmatch(base)
    if r is None or b is None:
        return ref
    r_scheme, r_auth, r_path, r_query, r_frag = r.groups()
    b_scheme, b_auth, b_path, b_query, _ = b.groups()
    if r_scheme is not None:
        scheme, auth, path, query = r_scheme, r_auth, _remove_dots(r_path), r_query
    else:
        scheme = b_scheme
        if r_auth is not None:
            auth, path, query = r_auth, _remove_dots(r_path), r_query
        else:
            auth = b_auth
            if r_path == "":
                path = b_path
                query = r_query if r_query is not None else b_query
            else:
                if r_path.startswith("/"):
                    path = _remove_dots(r_path)
                elif b_auth is not None and b_path == "":
                    path = _remove_dots("/" + r_path)
                else:
                    path = _remove_dots(b_path[: b_path.rfind("/") + 1] + r_path)
                query = r_query
    out = f"{scheme}:" if scheme is not None else ""
    if auth is not None:
        out += "//" + auth
    out += path
    if query is not None:
        out += "?" + query
    if r_frag is not None:
        out += "#" + r_frag
    return out


def _remove_dots(path: str) -> str:
    if "." not in path:
        return path
    absolute = path.startswith("/")
    segments = path.split("/")[1:] if absolute else path.split("/")
    out: list[str] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg == ".":
            if i == last:
                out.append("")
        elif seg == "..":
            if out:
                out.pop()
            if i == last:
                out.append("")
        else:
            out.append(seg)
    joined = "/".join(out)
    return "/" + joined if absolute else joined


_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?")


def service_allowed(iri: str | None, allowed_hosts: frozenset[str]) -> bool:
    """True when a SERVICE/LOAD target is a plain http(s) IRI whose host is on the allow-list.

    Strict on purpose: no user info, a host of letters, digits, dots and hyphens (or an IPv4
    address) and a numeric port, so that what is checked is what an HTTP client connects to.
    """
    if iri is None or not allowed_hosts:
        return False
    try:
        parts = urlsplit(iri)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or not parts.hostname:
        return False
    host = parts.hostname
    if not _HOST.fullmatch(host) or parts.netloc.lower() not in (
        host, f"{host}:{port}" if port is not None else host
    ):
        return False
    with_port = f"{host}:{port}" if port is not None else host
    return host in allowed_hosts or with_port in allowed_hosts


# --------------------------------------------------------------------------- errors

_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_CHAR_CLASS = re.compile(r"\[[^\]\n]*(?:\.\.=|\\u\{)[^\]]*\]", re.DOTALL)


def syntax_error_position(message: str) -> tuple[int | None, int | None, str]:
    """Split pyoxigraph's ``error at L:C: text`` into (line, column, short text)."""
    m = _POSITION.search(message)
    if not m:
        return None, None, short_message(message)
    return int(m.group(1)), int(m.group(2)), short_message(m.group(3).strip())


def short_message(text: str, limit: int = 240) -> str:
    """The engine's message without its lists of Unicode ranges, at most ``limit`` chars."""
    text = _CHAR_CLASS.sub("a name character", text)
    text = re.sub(r"(a name character, )+a name character", "a name character", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(", ") + "…"


def excerpt(text: str, line: int, column: int, width: int = 120) -> str:
    """The offending line (at most ``width`` characters around the column) with a caret."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    src = lines[line - 1].rstrip("\r")
    col = max(column - 1, 0)
    if len(src) > width:
        start = max(0, min(col - width // 2, len(src) - width))
        src = src[start : start + width]
        col -= start
    return f"{src}\n{' ' * col}^"
