"""Error types. Each carries what went wrong, where, and how to fix it, for people to read."""

from __future__ import annotations

from dataclasses import dataclass


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


class ValidationFailed(MilgraphError):
    """SHACL or parse problems stop a build; carries the individual problems."""

    def __init__(self, problems: list, summary: str | None = None) -> None:
        self.problems = problems
        super().__init__(summary or f"{len(problems)} validation problem(s)")


class SnapshotError(MilgraphError):
    """A snapshot is missing, incomplete or unreadable."""


class QueryError(MilgraphError):
    """A SPARQL query is malformed or cannot be answered as asked."""
