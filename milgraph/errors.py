"""Error types. Each carries what went wrong, where, and how to fix it, for people to read.

Every error milgraph reports to a user is a :class:`MilgraphError`; the command line prints
it and exits 1, the server answers it as an RFC 9457 problem (the one table of statuses is
``milgraph.server.problems``)::

    MilgraphError
    ├── InputError            a file or directory cannot be used as given (file:line: fix)
    │   ├── ParseError        not valid in the RDF syntax its extension promises
    │   ├── UnknownFormatError  an extension that maps to no RDF syntax
    │   ├── EmptyInputError   a directory without any RDF file
    │   └── RuleFileError     a rule file: no header, not a CONSTRUCT, bad SPARQL, a name twice
    ├── ValidationFailed      parse errors, SHACL violations or OWL inconsistencies stop a build
    ├── RuleLoopError         the rules never reach a fixpoint
    ├── SnapshotError         a snapshot is missing, incomplete or unreadable    (HTTP 503)
    ├── QueryError            a query or a parameter cannot be answered as asked (HTTP 400)
    ├── NameNotFound          no organisation/series/agreement has the name: did you mean (404)
    │   └── NationNotFound    no nation has the code, name or IRI given          (HTTP 404)
    ├── AmbiguousNation       a code names several nations: the choices         (HTTP 409)
    └── TripleNotHeld         a triple to explain is neither asserted nor inferred (HTTP 404)

The store behind a snapshot raises what pyoxigraph raises (``SyntaxError``, ``OSError``,
``RuntimeError``, see ``milgraph.store.base``); the server's query workers and the pool have
errors of their own, HTTP-free (``milgraph.server.pool.errors``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class MilgraphError(Exception):
    """Base of every error milgraph reports to a user (CLI exit 1, HTTP 4xx)."""


@dataclass
class Location:
    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out


class InputError(MilgraphError):
    """An input file or directory cannot be used as given."""

    def __init__(self, location: Location | str, message: str, hint: str | None = None) -> None:
        self.location = location if isinstance(location, Location) else Location(location)
        self.message = message
        self.hint = hint
        text = f"{self.location}: {message}"
        if hint:
            text += f" (fix: {hint})"
        super().__init__(text)


class ParseError(InputError):
    """A file is not valid in the RDF syntax its extension promises."""


class UnknownFormatError(InputError):
    """A file's extension maps to no RDF syntax we can read."""


class EmptyInputError(InputError):
    """A directory given as input holds no RDF file."""


class RuleFileError(InputError):
    """A rule file cannot be used: no header, not a CONSTRUCT, bad SPARQL, duplicate name."""


class ValidationFailed(MilgraphError):
    """SHACL or parse problems stop a build; carries the individual problems."""

    def __init__(self, problems: Sequence[object], summary: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(summary or f"{len(problems)} validation problem(s)")


class RuleLoopError(MilgraphError):
    """The rules keep deriving new triples: one of them invents terms on every round."""


class SnapshotError(MilgraphError):
    """A snapshot is missing, incomplete or unreadable."""


class QueryError(MilgraphError):
    """A SPARQL query is malformed or cannot be answered as asked."""


class NameNotFound(MilgraphError):
    """Nothing of the kind asked for has the name given; ``suggestions`` are near names
    (HTTP 404)."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        self.suggestions = list(suggestions)
        super().__init__(message)


class NationNotFound(NameNotFound):
    """No nation has the code, name or IRI given (HTTP 404)."""


class NationChoice(Protocol):
    """What an ambiguity error says of each nation a code may name."""

    iri: str
    label: str
    code: str | None

    def to_json(self) -> Mapping[str, Any]: ...


class AmbiguousNation(MilgraphError):
    """A code names several nations and the dates do not single one out (HTTP 409)."""

    def __init__(self, code: str, choices: Sequence[NationChoice]) -> None:
        self.code = code
        self.choices = list(choices)
        names = ", ".join(f"{c.code or c.iri} ({c.label})" for c in choices)
        super().__init__(
            f"{code!r} names several nations: {names}; give an ISO code or IRI, or a period "
            "(from/to) in which only one of them existed"
        )


class TripleNotHeld(MilgraphError):
    """A triple to explain is neither asserted nor inferred in the view asked about (HTTP 404)."""

    def __init__(self, s: str, p: str, o: str, as_of: str | None = None) -> None:
        view = f"as of {as_of}" if as_of else "in the current view"
        super().__init__(f"{s} {p} {o} does not hold {view}: it is neither asserted nor inferred")
