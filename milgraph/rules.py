"""SPARQL rules: what OWL 2 RL cannot say (time, derived relations), as CONSTRUCT queries.

One model for every reader of a rule: the reasoner runs it, the point-in-time views propagate
day sets through it, explanations list its premises. A rule file (``ontology/rules/*.rq``)
starts with a header (read by :func:`milgraph.sparql.read_header`)::

    # rule: memberOf
    # summary: An actor is a member of an organisation while a full membership of it holds.
    # description: optional, may continue on lines that start with "#" and two spaces.

A rule runs as ``SELECT *`` over its WHERE clause (a text rewrite of the CONSTRUCT), so that
for every conclusion the matched triples are known: they become the derivation's premises.
The point in time ``?asOf`` is bound with a VALUES row at the head of the WHERE group, not
with pyoxigraph's ``substitutions``: pyoxigraph 0.5 folds ``BOUND(?asOf)`` to false for a
variable the pattern never binds, even when it is substituted, which would silently give the
"now" view. rdflib's SPARQL parser gives the rule's structure (once per text: it is slow);
the query itself always runs on Oxigraph as a string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from milgraph import sparql
from milgraph.errors import InputError, Location, RuleFileError
from milgraph.namespaces import RDF_TYPE, XSD_DATE
from milgraph.store.oxigraph import check_query
from milgraph.terms import from_rdflib

AS_OF = "asOf"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_OWL_RL_NAME = re.compile(r"(eq|prp|cls|cax|dt|scm)-", re.IGNORECASE)

PatternTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Variable
"""A pattern position: an RDF term or a variable (a WHERE blank node acts as a variable)."""
Pattern = tuple[PatternTerm, PatternTerm, PatternTerm]


@dataclass(frozen=True)
class Rule:
    """One SPARQL CONSTRUCT rule and what its readers need to run, follow and explain it."""

    name: str
    summary: str
    text: str
    description: str = ""
    path: Path | None = None
    #: The query rewritten to ``SELECT *`` (same WHERE clause).
    select: str = field(default="", repr=False)
    template: tuple[Pattern, ...] = field(default=(), repr=False)
    #: Positive triple patterns of the WHERE clause (OPTIONAL ones included, negated and
    #: MINUS ones not): the premises the reasoner records.
    patterns: tuple[Pattern, ...] = field(default=(), repr=False)
    #: IRIs of every predicate the query mentions (FILTER EXISTS and paths included), or
    #: None if it can match any predicate (a variable or negated path in predicate position).
    predicates: frozenset[str] | None = field(default=None, repr=False)
    #: Patterns every solution matches (the premises of each conclusion, for explanations).
    required: tuple[Pattern, ...] = field(default=(), repr=False)
    #: Patterns of OPTIONAL parts and UNION branches: premises when they matched.
    optional: tuple[Pattern, ...] = field(default=(), repr=False)
    #: Patterns under FILTER NOT EXISTS: conditions, never premises.
    negated: tuple[Pattern, ...] = field(default=(), repr=False)
    #: Predicate IRIs those patterns read; ``"*"`` if a predicate is a variable.
    reads: frozenset[str] = field(default=frozenset(), repr=False)
    #: Classes read by ``?x a <Class>`` patterns.
    reads_types: frozenset[str] = field(default=frozenset(), repr=False)
    #: The WHERE clause uses ``?asOf``: the rule's conclusions depend on the day asked about.
    uses_as_of: bool = False

    def select_query(self, as_of: date | None = None) -> str:
        """The SELECT form, with ``?asOf`` bound when a day is given."""
        return _at(self.select, as_of)

    def construct_query(self, as_of: date | str | None = None) -> str:
        """The rule itself, with ``?asOf`` bound to a day when it uses it."""
        return _at(self.text, as_of) if self.uses_as_of else self.text

    def concludes(self, predicate: str) -> bool:
        return any(isinstance(t[1], ox.NamedNode) and t[1].value == predicate
                   for t in self.template)  # fmt: skip


def _at(text: str, as_of: date | str | None) -> str:
    if as_of is None:
        return text
    day = as_of.isoformat() if isinstance(as_of, date) else as_of
    return sparql.values_row(text, [AS_OF], [[f'"{day}"^^<{XSD_DATE}>']])


# --------------------------------------------------------------------------- reading


def parse_rule(text: str, path: Path | None = None) -> Rule:
    """A rule from its text; :class:`RuleFileError` naming the file and line if it is not one.
    Parsed once per text (rdflib's SPARQL parser is slow)."""
    return _parse_rule(text, path)


@functools.lru_cache(maxsize=256)
def _parse_rule(text: str, path: Path | None) -> Rule:
    where = path.as_posix() if path else "(rule)"
    header = {h.key.lower(): h for h in _header(text, where)}
    name = header["rule"].value if "rule" in header else ""
    if not name:
        raise RuleFileError(
            Location(where, 1), "no '# rule: <name>' header line",
            "start the file with '# rule: myRule' and '# summary: what it derives'")
    line = header["rule"].line
    if not _NAME.fullmatch(name):
        raise RuleFileError(
            Location(where, line), f"rule name {name!r} is not a name",
            "use letters, digits, '_', '-' or '.', starting with a letter (e.g. memberOf)")
    if _OWL_RL_NAME.match(name):
        raise RuleFileError(
            Location(where, line), f"rule name {name!r} looks like an OWL 2 RL rule name",
            "pick a name that explanations cannot confuse with cax-sco, prp-dom, ...")
    summary = header["summary"].value if "summary" in header else ""
    if not summary:
        raise RuleFileError(
            Location(where, 1), f"rule {name!r} has no '# summary: ...' header line",
            "add one line saying what the rule derives")
    _check_syntax(text, where)
    select = _construct_to_select(text, where)
    algebra = _algebra(text, where)
    template = tuple(p for p in (_pattern(t) for t in algebra.get("template") or ()) if p)
    patterns = _positive_patterns(algebra.get("p"))
    by_mode: dict[str, list[Pattern]] = {"required": [], "optional": [], "negated": []}
    _walk(algebra["p"], "required", by_mode)
    required, optional, negated = by_mode["required"], by_mode["optional"], by_mode["negated"]
    every = required + optional + negated
    reads = frozenset("*" if not isinstance(p[1], ox.NamedNode) else p[1].value for p in every)
    reads_types = frozenset(
        p[2].value for p in every
        if isinstance(p[1], ox.NamedNode) and p[1].value == RDF_TYPE
        and isinstance(p[2], ox.NamedNode)
    )  # fmt: skip
    description = header["description"].value if "description" in header else ""
    return Rule(
        name=name, summary=summary, text=text, description=description, path=path,
        select=select, template=template, patterns=patterns,
        predicates=_predicates(algebra.get("p")), required=tuple(required),
        optional=tuple(optional), negated=tuple(negated), reads=reads, reads_types=reads_types,
        uses_as_of=_uses_as_of(algebra["p"]),
    )  # fmt: skip


def _header(text: str, where: str) -> list[sparql.HeaderLine]:
    lines = sparql.read_header(text)
    seen: set[str] = set()
    for h in lines:
        key = h.key.lower()
        if key in seen:
            raise RuleFileError(Location(where, h.line), f"header '{key}' given twice",
                                "keep one line per header key")  # fmt: skip
        seen.add(key)
    return lines


def load_rules(directory: Path | str) -> list[Rule]:
    """Every ``*.rq`` rule in a directory, in file-name order (the order the reasoner applies
    them); a bad file is a :class:`RuleFileError`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(directory.as_posix(), "rule directory not found",
                         "pass the directory holding the *.rq rule files")  # fmt: skip
    rules: list[Rule] = []
    by_name: dict[str, Path] = {}
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RuleFileError(path.as_posix(), f"not UTF-8 text ({exc.reason})",
                                "save the rule file as UTF-8") from None  # fmt: skip
        rule = parse_rule(text, path)
        if rule.name in by_name:
            raise RuleFileError(
                Location(path.as_posix(), 1),
                f"rule name {rule.name!r} is already used by {by_name[rule.name].as_posix()}",
                "give each rule its own name")
        by_name[rule.name] = path
        rules.append(rule)
    return rules


def _check_syntax(text: str, where: str) -> None:
    try:
        check_query(text)
    except SyntaxError as exc:
        message = str(exc)
        m = re.search(r"(\d+):(\d+)", message)
        loc = Location(where, int(m.group(1)), int(m.group(2))) if m else Location(where)
        raise RuleFileError(loc, f"SPARQL syntax error: {message}",
                            "fix the query; `milgraph query` runs it against a graph") from None


def _construct_to_select(text: str, where: str) -> str:
    tokens = sparql.tokens(text)
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
        select = text[:start] + "SELECT *" + text[sparql.closing_brace(text, offset) + 1:]
    if sparql.where_group(select) is None:
        raise RuleFileError(Location(where), "the rule has no WHERE clause",
                            "write CONSTRUCT { ... } WHERE { ... }")
    return select


def _algebra(text: str, where: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text).algebra
    except Exception as exc:  # rdflib raises pyparsing and its own errors
        raise RuleFileError(Location(where), f"cannot read the rule's structure: {exc}",
                            "keep to plain SPARQL 1.1 CONSTRUCT syntax") from None
    if algebra.name != "ConstructQuery":
        raise RuleFileError(Location(where), "rule is not a CONSTRUCT query",
                            "write it as CONSTRUCT {…} WHERE {…}")
    return algebra


# --------------------------------------------------------------------------- structure


def _positive_patterns(root: object) -> tuple[Pattern, ...]:
    """Triple patterns of the BGPs under the WHERE clause, MINUS and filters left out."""
    from rdflib.plugins.sparql.parserutils import CompValue

    patterns: list[Pattern] = []

    def walk(node: object) -> None:
        if not isinstance(node, CompValue):
            return
        if node.name == "BGP":
            patterns.extend(p for p in (_pattern(t) for t in node.get("triples") or ()) if p)
            return
        for key in ("p", "p1", "p2"):
            if key == "p2" and node.name == "Minus":
                continue
            if key in node:
                walk(node[key])

    walk(root)
    return tuple(dict.fromkeys(patterns))


def _walk(node: object, mode: str, out: dict[str, list[Pattern]]) -> None:
    """Every triple pattern under ``node``, by how a solution relates to it: ``required``,
    ``optional`` (inside OPTIONAL or a UNION branch) or ``negated`` (inside FILTER NOT
    EXISTS)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        name = node.name
        if name == "BGP":
            out[mode].extend(_strict_pattern(t) for t in node["triples"])
            return
        if name == "TriplesBlock":
            flat = [x for t in node["triples"] for x in t]
            out[mode].extend(_strict_pattern(tuple(flat[i: i + 3]))
                             for i in range(0, len(flat), 3))  # fmt: skip
            return
        if name == "LeftJoin":
            _walk(node["p1"], mode, out)
            _walk(node["p2"], "optional" if mode == "required" else mode, out)
            _walk(node.get("expr"), mode, out)
            return
        if name == "Union":  # a solution matches one branch: its patterns, when matched
            branch = "optional" if mode == "required" else mode
            _walk(node["p1"], branch, out)
            _walk(node["p2"], branch, out)
            return
        if name == "Builtin_NOTEXISTS":
            _walk(node["graph"], "negated", out)
            return
        for value in node.values():
            _walk(value, mode, out)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, mode, out)


def _uses_as_of(pattern: Any) -> bool:
    from rdflib import Variable

    return Variable(AS_OF) in getattr(pattern, "_vars", set())


def _predicates(root: object) -> frozenset[str] | None:
    """Every predicate IRI in any triple pattern under ``root``; None if any could match."""
    import rdflib
    from rdflib.paths import Path as PropertyPath

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
                        elif isinstance(pred, PropertyPath) and _path_iris(pred, found):
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
    from rdflib.paths import NegatedPath
    from rdflib.paths import Path as PropertyPath

    if isinstance(path, rdflib.URIRef):
        found.add(str(path))
        return True
    if isinstance(path, NegatedPath) or not isinstance(path, PropertyPath):
        return False
    parts: list[object] = []
    for value in vars(path).values():
        if isinstance(value, list | tuple):
            parts.extend(value)
        elif isinstance(value, rdflib.URIRef | PropertyPath):
            parts.append(value)
    return all(_path_iris(part, found) for part in parts)


def _pattern(triple: Iterable[object]) -> Pattern | None:
    """A triple pattern of plain terms; None for one with a property path or the like."""
    terms: list[PatternTerm] = []
    for x in triple:
        try:
            terms.append(from_rdflib(x))
        except TypeError:
            return None
    return (terms[0], terms[1], terms[2]) if len(terms) == 3 else None


def _strict_pattern(triple: Iterable[object]) -> Pattern:
    found = _pattern(triple)
    if found is None:
        raise TypeError(f"unexpected term in rule: {triple!r}")
    return found
