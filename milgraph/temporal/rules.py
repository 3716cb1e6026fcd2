"""The shape of a SPARQL CONSTRUCT rule: what it concludes, what it reads, whether it is temporal.

Rules live in ``ontology/rules/*.rq`` with a ``# rule: <name>`` header. The temporal index needs
to know which rules read time-bounded facts or the ``?asOf`` variable, and explanations need
each rule's body as triple patterns to list the premises of a conclusion. rdflib's SPARQL
parser gives the algebra; the query itself always runs on Oxigraph as a string.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from milgraph.errors import InputError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_NAME = re.compile(r"^#\s*rule:\s*(\S+)", re.MULTILINE)
_CONSTRUCT = re.compile(r"CONSTRUCT\s*\{.*?\}\s*WHERE", re.IGNORECASE | re.DOTALL)
_WHERE = re.compile(r"WHERE\s*\{", re.IGNORECASE)


def _blank_comments(text: str) -> str:
    """The text with comment lines replaced by spaces (same offsets), for searching code."""
    return "\n".join(
        " " * len(line) if line.lstrip().startswith("#") else line for line in text.split("\n")
    )


Term = ox.NamedNode | ox.Literal | str
"""A pattern position: an RDF term, or a variable name (a ``str``)."""
Pattern = tuple[Term, Term, Term]


@dataclass(frozen=True)
class RuleShape:
    name: str
    path: Path | None
    text: str
    template: tuple[Pattern, ...]
    required: tuple[Pattern, ...]
    """Patterns every solution matches (premises of each conclusion)."""
    optional: tuple[Pattern, ...]
    """Patterns of OPTIONAL parts: premises when they matched."""
    negated: tuple[Pattern, ...]
    """Patterns under FILTER NOT EXISTS: conditions, never premises."""
    uses_as_of: bool
    reads: frozenset[str] = field(default_factory=frozenset)
    """Predicate IRIs the body reads; ``"*"`` if a predicate is a variable."""
    reads_types: frozenset[str] = field(default_factory=frozenset)
    """Classes read by ``?x a <Class>`` patterns."""

    @property
    def select_text(self) -> str:
        """The rule as ``SELECT *`` over its body, to find the bindings behind a conclusion."""
        code = _blank_comments(self.text)
        m = _CONSTRUCT.search(code)
        if not m:
            return self.text
        return self.text[: m.start()] + "SELECT * WHERE" + self.text[m.end() :]

    def bound_to(self, text: str, day_iso: str | None) -> str:
        """``text`` (the rule or its SELECT form) with ``?asOf`` bound to a day, or as is.

        A VALUES clause at the start of the body rather than Oxigraph ``substitutions``:
        those only bind variables that patterns mention, and rules use ``?asOf`` in FILTERs.
        """
        if day_iso is None or not self.uses_as_of:
            return text
        m = _WHERE.search(_blank_comments(text))
        if not m:
            return text
        values = f'\n  VALUES ?asOf {{ "{day_iso}"^^<http://www.w3.org/2001/XMLSchema#date> }}'
        return text[: m.end()] + values + text[m.end() :]

    def concludes(self, predicate: str) -> bool:
        return any(
            isinstance(t[1], ox.NamedNode) and t[1].value == predicate for t in self.template
        )


def load_shapes(rules_dir: Path) -> list[RuleShape]:
    """Every rule of a directory, in file-name order (the order the reasoner applies them)."""
    if not rules_dir.is_dir():
        return []
    return [parse_rule(p.read_text(encoding="utf-8"), p) for p in sorted(rules_dir.glob("*.rq"))]


def parse_rule(text: str, path: Path | None = None) -> RuleShape:
    """A rule's shape; parsed once per text (rdflib's SPARQL parser is slow)."""
    return _parse_rule(text, path)


@functools.lru_cache(maxsize=256)
def _parse_rule(text: str, path: Path | None) -> RuleShape:
    where = path.as_posix() if path else "<rule>"
    m = _NAME.search(text)
    if not m:
        raise InputError(where, "rule has no '# rule: <name>' header", "add one on the first line")
    try:
        query = prepareQuery(text)
    except Exception as exc:  # pyparsing raises its own types; all carry a message
        raise InputError(where, f"rule is not valid SPARQL: {exc}", "fix the query") from None
    algebra = query.algebra
    if algebra.name != "ConstructQuery":
        raise InputError(
            where, "rule is not a CONSTRUCT query", "write it as CONSTRUCT {…} WHERE {…}"
        )
    required: list[Pattern] = []
    optional: list[Pattern] = []
    negated: list[Pattern] = []
    _walk(
        algebra["p"], "required", {"required": required, "optional": optional, "negated": negated}
    )
    template = tuple(_pattern(t) for t in algebra["template"])
    patterns = required + optional + negated
    reads = frozenset("*" if isinstance(p[1], str) else p[1].value for p in patterns)
    reads_types = frozenset(
        p[2].value
        for p in patterns
        if isinstance(p[1], ox.NamedNode)
        and p[1].value == RDF_TYPE
        and isinstance(p[2], ox.NamedNode)
    )
    return RuleShape(
        name=m.group(1),
        path=path,
        text=text,
        template=template,
        required=tuple(required),
        optional=tuple(optional),
        negated=tuple(negated),
        uses_as_of=Variable("asOf") in getattr(algebra["p"], "_vars", set()),
        reads=reads,
        reads_types=reads_types,
    )


def _walk(node: Any, mode: str, out: dict[str, list[Pattern]]) -> None:
    if isinstance(node, CompValue):
        name = node.name
        if name == "BGP":
            out[mode].extend(_pattern(t) for t in node["triples"])
            return
        if name == "TriplesBlock":
            flat = [x for t in node["triples"] for x in t]
            out[mode].extend(_pattern(tuple(flat[i : i + 3])) for i in range(0, len(flat), 3))
            return
        if name == "LeftJoin":
            _walk(node["p1"], mode, out)
            _walk(node["p2"], "optional" if mode == "required" else mode, out)
            _walk(node.get("expr"), mode, out)
            return
        if name == "Builtin_NOTEXISTS":
            _walk(node["graph"], "negated", out)
            return
        for value in node.values():
            _walk(value, mode, out)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, mode, out)


def _pattern(triple: Any) -> Pattern:
    s, p, o = triple
    return (_term(s), _term(p), _term(o))


def _term(t: Any) -> Term:
    if isinstance(t, Variable):
        return str(t)
    if isinstance(t, BNode):
        return "_bnode_" + str(t)
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"unexpected term in rule: {t!r}")
