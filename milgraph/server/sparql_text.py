"""A small SPARQL lexer: what kind of request a text is, and where it would make us fetch.

Parsing every request with rdflib would cost milliseconds; this lexer costs microseconds and
is enough to answer the questions the server asks *before* evaluation: the query form (to
negotiate a result format), whether it is an update (refused: the endpoint is read-only),
which ``SERVICE`` endpoints it would call (refused unless allow-listed: pyoxigraph really
fetches them) and whether its answer can be cached (``NOW()``/``RAND()``… cannot).
Strings, comments and IRIs are skipped as units, so ``"SERVICE"`` in a literal or
``<http://x/service>`` never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?:
              (?:[\w\-:%\\.\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
}  # fmt: skip
#: Functions whose value changes between evaluations: such answers are not cached.
VOLATILE = {"NOW", "RAND", "UUID", "STRUUID", "BNODE"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


@dataclass
class QueryInfo:
    """What the server needs to know about a request text before running it."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None: not recognised)
    update: str | None = None  # the update keyword that starts an update request
    services: list[str | None] = field(default_factory=list)  # IRIs; None = SERVICE ?var
    volatile: bool = False
    has_base: bool = False
    relative_iris: bool = False  # an <iri> without a scheme, e.g. <s> or <#x>

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokens(text: str) -> list[Token]:
    """Significant tokens of ``text`` (whitespace and comments dropped)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start()))
    return out


def inspect_query(text: str) -> QueryInfo:
    """Classify a request text; never raises (the real parser reports syntax errors)."""
    info = QueryInfo()
    toks = tokens(text)
    base = ""
    prefixes: dict[str, str] = {}
    i = 0
    # Prologue: BASE / PREFIX declarations, needed to resolve SERVICE IRIs.
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            info.has_base = True
            base = _resolve(toks[i + 1].text[1:-1], base)
            i += 2
        elif word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = _resolve(toks[i + 2].text[1:-1], base)
            i += 3
        else:
            break
    info.relative_iris = any(t.kind == "iri" and not _SCHEME.match(t.text[1:]) for t in toks)
    for j in range(i, len(toks)):
        tok = toks[j]
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if info.form is None and info.update is None:
            if word in QUERY_FORMS:
                info.form = word
            elif word in UPDATE_KEYWORDS:
                info.update = word
        if word == "SERVICE":
            info.services.append(_service_target(toks, j + 1, base, prefixes))
        elif word in VOLATILE and j + 1 < len(toks) and toks[j + 1].text == "(":
            info.volatile = True
    # An update after a ';' following a query is still an update request.
    if info.update is None and any(
        t.kind == "word" and t.text.upper() in ("LOAD", "INSERT", "CLEAR", "DROP")
        and k > 0 and toks[k - 1].text == ";"
        for k, t in enumerate(toks)
    ):
        info.update = "update"
    return info


def _service_target(
    toks: list[Token], k: int, base: str, prefixes: dict[str, str]
) -> str | None:
    if k < len(toks) and toks[k].kind == "word" and toks[k].text.upper() == "SILENT":
        k += 1
    if k >= len(toks):
        return None
    tok = toks[k]
    if tok.kind == "iri":
        return _resolve(tok.text[1:-1], base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        return tok.text
    return None  # a variable: the target is only known at evaluation time


def _resolve(iri: str, base: str) -> str:
    return urljoin(base, iri) if base else iri


def service_allowed(iri: str | None, allowed_hosts: frozenset[str]) -> bool:
    """True when a SERVICE target is an http(s) IRI whose host is on the allow-list."""
    if iri is None or not allowed_hosts:
        return False
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    return host in allowed_hosts or with_port in allowed_hosts


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


def syntax_error_position(message: str) -> tuple[int | None, int | None, str]:
    """Split pyoxigraph's ``error at L:C: text`` into (line, column, text)."""
    m = _POSITION.search(message)
    if not m:
        return None, None, message
    return int(m.group(1)), int(m.group(2)), m.group(3).strip()


def excerpt(text: str, line: int, column: int) -> str:
    """The offending line with a caret under the column, for error messages."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    src = lines[line - 1]
    return f"{src}\n{' ' * max(column - 1, 0)}^"
