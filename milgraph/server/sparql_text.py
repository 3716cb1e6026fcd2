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

#: Tokens the checks look at; whitespace, comments, strings and any other character are
#: skipped (strings and comments are matched, so nothing inside them counts).
_SCAN = re.compile(
    r"""
    \#[^\n\r]*
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | '''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?:
              (?:[\w\-:%\\.\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(;])
    """,
    re.VERBOSE | re.DOTALL,
)
IRI, VAR, PNAME, WORD, PUNCT = range(5)
_NOTHING = ("",) * 5
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
}  # fmt: skip
#: Functions whose value changes between evaluations: such answers are not cached.
VOLATILE = {"NOW", "RAND", "UUID", "STRUUID", "BNODE"}


@dataclass
class QueryInfo:
    """What the server needs to know about a request text before running it."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE (None: not recognised)
    update: str | None = None  # the update keyword that starts an update request
    services: list[str | None] = field(default_factory=list)  # IRIs; None = SERVICE ?var
    volatile: bool = False
    has_base: bool = False
    relative_iris: bool = False  # an <iri> without a scheme, e.g. <s> or <#x>
    loads: list[str | None] = field(default_factory=list)  # LOAD sources (updates)
    dataset_clause: bool = False  # USING / USING NAMED / WITH (updates)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokens(text: str) -> list[tuple[int, str]]:
    """Significant tokens of ``text`` as (kind, text): kind is IRI, VAR, PNAME, WORD or
    PUNCT (only ``(`` and ``;``)."""
    out: list[tuple[int, str]] = []
    append = out.append
    for groups in _SCAN.findall(text):
        if groups != _NOTHING:
            for kind, value in enumerate(groups):
                if value:
                    append((kind, value))
                    break
    return out


def inspect_query(text: str) -> QueryInfo:
    """Classify a request text; never raises (the real parser reports syntax errors).

    Repeated texts (dashboards, named queries) are answered from a small cache."""
    info = _INFO_CACHE.get(text)
    if info is None:
        info = _inspect(text)
        if len(_INFO_CACHE) >= _INFO_CACHE_SIZE:
            _INFO_CACHE.pop(next(iter(_INFO_CACHE)))
        _INFO_CACHE[text] = info
    return info


_INFO_CACHE: dict[str, QueryInfo] = {}
_INFO_CACHE_SIZE = 1024


def _inspect(text: str) -> QueryInfo:
    info = QueryInfo()
    toks = tokens(text)
    n = len(toks)
    base = ""
    prefixes: dict[str, str] = {}
    i = 0
    # Prologue: BASE / PREFIX declarations, needed to resolve SERVICE IRIs.
    while i < n:
        kind, value = toks[i]
        word = value.upper() if kind == WORD else ""
        if word == "BASE" and i + 1 < n and toks[i + 1][0] == IRI:
            info.has_base = True
            base = _resolve(toks[i + 1][1][1:-1], base)
            i += 2
        elif word == "PREFIX" and i + 2 < n and toks[i + 2][0] == IRI:
            prefixes[toks[i + 1][1].rstrip(":")] = _resolve(toks[i + 2][1][1:-1], base)
            i += 3
        else:
            break
    for j in range(n):
        kind, value = toks[j]
        if kind == IRI:
            if not info.relative_iris and not _SCHEME.match(value, 1):
                info.relative_iris = True
            continue
        if kind != WORD or j < i:
            continue
        word = value.upper()
        if info.form is None and info.update is None:
            if word in QUERY_FORMS:
                info.form = word
            elif word in UPDATE_KEYWORDS:
                info.update = word
        if word == "SERVICE":
            info.services.append(_target(toks, j + 1, base, prefixes))
        elif word == "LOAD":
            info.loads.append(_target(toks, j + 1, base, prefixes))
            if info.update is None and j > 0 and toks[j - 1] == (PUNCT, ";"):
                info.update = "update"
        elif word in ("USING", "WITH"):
            info.dataset_clause = True
        elif word in VOLATILE and j + 1 < n and toks[j + 1] == (PUNCT, "("):
            info.volatile = True
        elif (
            info.update is None
            and word in ("LOAD", "INSERT", "CLEAR", "DROP")
            and j > 0
            and toks[j - 1] == (PUNCT, ";")
        ):
            info.update = "update"  # an update after a ';' following a query
    return info


def _target(
    toks: list[tuple[int, str]], k: int, base: str, prefixes: dict[str, str]
) -> str | None:
    """The IRI after SERVICE or LOAD (SILENT skipped), resolved; None for a variable."""
    n = len(toks)
    if k < n and toks[k][0] == WORD and toks[k][1].upper() == "SILENT":
        k += 1
    if k >= n:
        return None
    kind, value = toks[k]
    if kind == IRI:
        return _resolve(value[1:-1], base)
    if kind == PNAME:
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else value
    return None  # a variable: the target is only known at evaluation time


#: Tokens ``with_using`` looks at: the WHERE keyword and braces (to know the nesting depth).
_UPDATE_SCAN = re.compile(
    r"""
    \#[^\n\r]*
  | <[^<>"{}|^`\\\x00-\x20]*>
  | '''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
  | [?$][A-Za-z0-9_\u00B7-\uFFFF]+
  | (?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?:
    (?:[\w\-:%\\.\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{)
  | (?P<close>\})
    """,
    re.VERBOSE | re.DOTALL,
)


def with_using(text: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The update with ``USING <g>`` / ``USING NAMED <g>`` put before the ``WHERE`` of every
    ``DELETE``/``INSERT … WHERE`` operation: what the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri`` parameters mean. The IRIs must already be checked."""
    clause = " ".join(
        [f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs]
    )
    if not clause:
        return text
    depth = 0
    after_block = False  # the last token at depth 0 closed a block (a template)
    cuts: list[int] = []
    for m in _UPDATE_SCAN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            after_block = depth == 0
        elif depth == 0:
            if kind == "word" and m.group().upper() == "WHERE" and after_block:
                cuts.append(m.start())
            after_block = False
    for pos in reversed(cuts):
        text = f"{text[:pos]}{clause} {text[pos:]}"
    return text


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
