"""SPARQL rules: what OWL 2 RL cannot say (time, derived relations), as CONSTRUCT queries.

A rule file (``ontology/rules/*.rq``) starts with a header::

    # rule: memberOf
    # summary: An actor is a member of an organisation while a full membership of it holds.
    # description: optional, may continue on lines that start with "#" and two spaces.

Rules run on pyoxigraph over the current closure. Each runs as ``SELECT *`` over its WHERE
clause (a text rewrite of the CONSTRUCT), so that for every conclusion we also know the
matched triples: they become the derivation's premises. The point in time ``?asOf`` is bound
with ``VALUES ?asOf { "..."^^xsd:date }`` at the head of the WHERE group, not with pyoxigraph's
``substitutions``: pyoxigraph 0.5 folds ``BOUND(?asOf)`` to false for a variable the pattern
never binds, even when it is substituted, which would silently give the "now" view.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyoxigraph as ox

from milgraph.errors import InputError, Location, MilgraphError

AS_OF = "asOf"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_OWL_RL_NAME = re.compile(r"(eq|prp|cls|cax|dt|scm)-", re.IGNORECASE)
_HEADER = re.compile(r"#\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s?(.*)")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\s]*>')

PatternTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Variable
Pattern = tuple[PatternTerm, PatternTerm, PatternTerm]


class RuleFileError(InputError):
    """A rule file cannot be used: no header, not a CONSTRUCT, bad SPARQL, duplicate name."""


class RuleLoopError(MilgraphError):
    """The rules keep deriving new triples: one of them invents terms on every round."""


@dataclass(frozen=True)
class SparqlRule:
    """One SPARQL CONSTRUCT rule and what the engine needs to run and explain it."""

    name: str
    summary: str
    query: str
    description: str = ""
    path: Path | None = None
    #: The query rewritten to ``SELECT *`` (same WHERE clause).
    select: str = field(default="", repr=False)
    #: Offset in ``select`` just after the ``{`` that opens the WHERE group.
    where_body: int = field(default=0, repr=False)
    template: tuple[Pattern, ...] = field(default=(), repr=False)
    #: Triple patterns of the WHERE clause (OPTIONAL ones included, negated ones not).
    patterns: tuple[Pattern, ...] = field(default=(), repr=False)
    #: IRIs of every predicate the query mentions (FILTER EXISTS and paths included), or
    #: None if it can match any predicate (a variable or negated path in predicate position).
    predicates: frozenset[str] | None = field(default=None, repr=False)

    @classmethod
    def from_text(cls, text: str, path: Path | None = None) -> SparqlRule:
        """Parse a rule file's text; raise :class:`RuleFileError` naming the file and line."""
        where = path.as_posix() if path else "(rule)"
        header = _parse_header(text, where)
        name = header.get("rule")
        if not name:
            raise RuleFileError(
                Location(where, 1), "no '# rule: <name>' header line",
                "start the file with '# rule: myRule' and '# summary: what it derives'")
        if not _NAME.fullmatch(name):
            raise RuleFileError(
                Location(where, header.line("rule")), f"rule name {name!r} is not a name",
                "use letters, digits, '_', '-' or '.', starting with a letter (e.g. memberOf)")
        if _OWL_RL_NAME.match(name):
            raise RuleFileError(
                Location(where, header.line("rule")),
                f"rule name {name!r} looks like an OWL 2 RL rule name",
                "pick a name that explanations cannot confuse with cax-sco, prp-dom, ...")
        summary = header.get("summary")
        if not summary:
            raise RuleFileError(
                Location(where, 1), f"rule {name!r} has no '# summary: ...' header line",
                "add one line saying what the rule derives")
        _check_syntax(text, where)
        select, where_body = _construct_to_select(text, where)
        template, patterns, predicates = _structure(text, where)
        return cls(name=name, summary=summary, query=text, description=header.get("description"),
                   path=path, select=select, where_body=where_body, template=template,
                   patterns=patterns, predicates=predicates)

    def select_query(self, as_of: date | None = None) -> str:
        """The SELECT form, with ``?asOf`` bound when a date is given."""
        if as_of is None:
            return self.select
        values = f' VALUES ?{AS_OF} {{ "{as_of.isoformat()}"^^<{XSD_DATE}> }} '
        return self.select[: self.where_body] + values + self.select[self.where_body:]


class _Header(dict):
    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def _parse_header(text: str, where: str) -> _Header:
    header = _Header()
    last: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            last = None
            continue
        if not line.startswith("#"):
            break
        m = _HEADER.fullmatch(line)
        if m and not raw.lstrip().startswith("#  "):
            key = m.group(1).lower()
            if key in header:
                raise RuleFileError(Location(where, number), f"header '{key}' given twice",
                                    "keep one line per header key")
            header[key] = m.group(2).strip()
            header.lines[key] = number
            last = key
        elif last is not None and raw.lstrip().startswith("#  "):
            header[last] = f"{header[last]} {line.lstrip('#').strip()}".strip()
    header.setdefault("description", "")
    return header


def _check_syntax(text: str, where: str) -> None:
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        message = str(exc)
        m = re.search(r"(\d+):(\d+)", message)
        loc = Location(where, int(m.group(1)), int(m.group(2))) if m else Location(where)
        raise RuleFileError(loc, f"SPARQL syntax error: {message}",
                            "fix the query; `milgraph query` runs it against a graph") from None


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
        quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
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


def _tokens(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(offset, token) for braces and words outside comments, IRIs and strings."""
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
            yield i, text[i:j]
            i = j
        else:
            i += 1


def _closing_brace(text: str, opening: int) -> int:
    depth = 0
    for offset, token in _tokens(text, opening):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return offset
    return len(text) - 1


def _construct_to_select(text: str, where: str) -> tuple[str, int]:
    tokens = _tokens(text)
    for offset, token in tokens:
        if token.upper() == "CONSTRUCT":
            start = offset
            break
        if token.upper() in ("SELECT", "ASK", "DESCRIBE"):
            raise RuleFileError(Location(where, text.count("\n", 0, offset) + 1),
                                f"a rule must be a CONSTRUCT query, not {token.upper()}",
                                "write CONSTRUCT { <what is derived> } WHERE { ... }")
    else:
        raise RuleFileError(Location(where), "a rule must be a CONSTRUCT query",
                            "write CONSTRUCT { <what is derived> } WHERE { ... }")
    offset, token = next(tokens)
    if token.upper() == "WHERE":  # short form: CONSTRUCT WHERE { ... }
        select = text[:start] + "SELECT *" + text[start + len("CONSTRUCT"):]
    else:
        select = text[:start] + "SELECT *" + text[_closing_brace(text, offset) + 1:]
    for offset, token in _tokens(select, start):
        if token == "{":
            return select, offset + 1
    raise RuleFileError(Location(where), "the rule has no WHERE clause",
                        "write CONSTRUCT { ... } WHERE { ... }")


def _structure(
    text: str, where: str
) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...], frozenset[str] | None]:
    """Template, positive triple patterns and predicates used, via rdflib's SPARQL algebra."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = prepareQuery(text).algebra
    except Exception as exc:  # rdflib raises pyparsing and its own errors
        raise RuleFileError(Location(where), f"cannot read the rule's structure: {exc}",
                            "keep to plain SPARQL 1.1 CONSTRUCT syntax") from None
    template = tuple(p for p in (_pattern(t) for t in algebra.get("template") or ()) if p)
    patterns: list[Pattern] = []

    def walk(node: object) -> None:
        if not isinstance(node, CompValue):
            return
        if node.name == "BGP":
            patterns.extend(p for p in (_pattern(t) for t in node.get("triples", ())) if p)
            return
        for key in ("p", "p1", "p2"):
            if key == "p2" and node.name == "Minus":
                continue
            if key in node:
                walk(node[key])

    walk(algebra.get("p"))
    return template, tuple(dict.fromkeys(patterns)), _predicates(algebra.get("p"))


def _predicates(root: object) -> frozenset[str] | None:
    """Every predicate IRI in any triple pattern under ``root``; None if any could match."""
    import rdflib
    from rdflib.paths import Path

    found: set[str] = set()
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):  # CompValue is an OrderedDict
            for key, value in node.items():
                if key == "triples":
                    for t in value:
                        pred = t[1]
                        if isinstance(pred, rdflib.URIRef):
                            found.add(str(pred))
                        elif isinstance(pred, Path) and _path_iris(pred, found):
                            continue
                        else:
                            return None
                else:
                    stack.append(value)
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return frozenset(found)


def _path_iris(path: object, found: set[str]) -> bool:
    """Add a property path's IRIs to ``found``; False if it can match any predicate."""
    import rdflib
    from rdflib.paths import NegatedPath, Path

    if isinstance(path, rdflib.URIRef):
        found.add(str(path))
        return True
    if isinstance(path, NegatedPath) or not isinstance(path, Path):
        return False
    parts: list[object] = []
    for value in vars(path).values():
        if isinstance(value, list | tuple):
            parts.extend(value)
        elif isinstance(value, rdflib.URIRef | Path):
            parts.append(value)
    return all(_path_iris(part, found) for part in parts)


def _pattern(triple: tuple) -> Pattern | None:
    terms = [_term(x) for x in triple]
    if any(t is None for t in terms):
        return None
    return (terms[0], terms[1], terms[2])  # type: ignore[return-value]


def _term(x: object) -> PatternTerm | None:
    import rdflib

    if isinstance(x, rdflib.Variable):
        return ox.Variable(str(x))
    if isinstance(x, rdflib.URIRef):
        return ox.NamedNode(str(x))
    if isinstance(x, rdflib.BNode):
        return ox.BlankNode(str(x))
    if isinstance(x, rdflib.Literal):
        if x.language:
            return ox.Literal(str(x), language=x.language)
        if x.datatype:
            return ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype)))
        return ox.Literal(str(x))
    return None  # property paths and the like: not a single triple


def load_rules(directory: Path | str) -> list[SparqlRule]:
    """Every ``*.rq`` rule in a directory, in file-name order; a bad file is a RuleFileError."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(directory.as_posix(), "rule directory not found",
                         "pass the directory holding the *.rq rule files")
    rules: list[SparqlRule] = []
    by_name: dict[str, Path] = {}
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RuleFileError(path.as_posix(), f"not UTF-8 text ({exc.reason})",
                                "save the rule file as UTF-8") from None
        rule = SparqlRule.from_text(text, path)
        if rule.name in by_name:
            raise RuleFileError(
                Location(path.as_posix(), 1),
                f"rule name {rule.name!r} is already used by {by_name[rule.name].as_posix()}",
                "give each rule its own name")
        by_name[rule.name] = path
        rules.append(rule)
    return rules


def as_date(value: date | datetime | str | None) -> date | None:
    """Normalise an ``as_of`` argument (a date, or an ISO ``YYYY-MM-DD`` string)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError("(as_of)", f"{value!r} is not a date",
                         "give the date as YYYY-MM-DD, e.g. 2014-03-18") from None
