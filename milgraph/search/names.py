"""The one name resolver: which organisation, nation, exercise series or agreement a name
means, the same in every command and endpoint.

A name is matched folded (case, accents and punctuation ignored) against labels, alt
labels (acronyms such as NATO are alt labels), codes (ISO 3166 alpha-3, COW number and
abbreviation) and the IRI's last segment (``org/WarsawPact``: ``warsawpact``); an IRI or
prefixed name is taken as it is. Nothing found is :class:`~milgraph.errors.NameNotFound`
with the nearest names ("no organisation named 'Natoo'; did you mean NATO …?").
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from milgraph.errors import NameNotFound, NationNotFound, QueryError
from milgraph.namespaces import ID_IRI
from milgraph.search.index import Hit, index_of, normalize
from milgraph.store.snapshot import Snapshot
from milgraph.terms import parse_term

#: Resolver kinds: the search types (or classes) each covers and the word a message uses.
RESOLVABLE: dict[str, tuple[tuple[str, ...], str]] = {
    "organization": (("organization",), "organisation"),
    "org": (("organization",), "organisation"),
    "nation": (("nation",), "nation"),
    "series": (("ExerciseSeries",), "exercise series"),
    "agreement": (("agreement",), "agreement"),
}


#: Characters no name has: query syntax, not a spelling (``NATO> . ?s ?p ?o`` is refused, not
#: folded into "nato").
_NOT_IN_NAMES = re.compile(r"[<>{}\[\]\"\\;?^`|$#*=!~@+]")


def resolve(snapshot: Snapshot, kind: str, name: str) -> list[Hit]:
    """Every thing of ``kind`` that ``name`` names exactly (several for a shared code);
    ``NameNotFound`` (``NationNotFound`` for nations) with suggestions when none does."""
    kinds, word = RESOLVABLE[kind]
    text = name.strip()
    if not text:
        raise _not_found(kind, f"empty {word} name", [])
    if len(text) > 200:
        raise QueryError(f"{word} name is {len(text)} characters; at most 200")
    index = index_of(snapshot)
    if text.startswith("<") or (":" in text and " " not in text):
        try:
            iri = parse_term(text, word, literal=False).value
        except QueryError:
            raise _not_found(kind, f"{name!r} is not a {word} name or IRI", []) from None
        return index.named(iri, kinds) or [Hit(iri, iri.rsplit("/", 1)[-1], kinds[0], "")]
    if _NOT_IN_NAMES.search(text):
        article = "an" if word[0] in "aeiou" else "a"
        raise _not_found(kind, f"{name!r} cannot be {article} {word} name (names hold letters, "
                         "digits, spaces and - . , ' ( ) & /; or give an IRI as <https://…>)", [])
    hits = index.named(text, kinds)
    if hits:
        return sorted(hits, key=lambda h: h.iri)
    known = _by_convention(snapshot, kind, text)
    if known is not None:
        return [known]
    search_kind = "exercise" if kind == "series" else RESOLVABLE[kind][0][0]
    near = [h for h in index.find(text, search_kind, 8) if h.type in kinds or h.cls in kinds]
    suggestions = _suggest(near[:3])
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    what = "has the code" if kind == "nation" else "named"
    if kind == "nation" and not hint:
        hint = (" (use an ISO 3166-1 alpha-3 code such as FIN, a Correlates of War number "
                "such as 375, a name such as Finland, or an IRI such as id:nation/FIN)")
    raise _not_found(kind, f"no {word} {what} {name!r}{hint}", suggestions)


#: Where a code's IRI is by the project's convention (``identifiers.md``), per kind.
_CONVENTION: dict[str, tuple[str, bool]] = {  # folder, upper-case the code
    "nation": ("nation/", True), "organization": ("org/", False), "org": ("org/", False),
    "agreement": ("agreement/", False), "series": ("exercise-series/", False),
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _by_convention(snapshot: Snapshot, kind: str, text: str) -> Hit | None:
    """A code whose conventional IRI the graph uses without describing it (a data set that
    names ``id:nation/ARM`` but holds no nations): that IRI, as before names were indexed."""
    if not _CODE.match(text):
        return None
    folder, upper = _CONVENTION[kind]
    code = text.upper() if upper else text
    iri = ox.NamedNode(ID_IRI + folder + code).value
    used = snapshot.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")
    if not isinstance(used, ox.QueryBoolean) or not bool(used):
        return None
    return Hit(iri, code, RESOLVABLE[kind][0][0], "")


def resolve_one(snapshot: Snapshot, kind: str, name: str) -> Hit:
    """The one thing ``name`` names; ``QueryError`` listing them when it names several."""
    hits = resolve(snapshot, kind, name)
    if len(hits) > 1:
        word = RESOLVABLE[kind][1]
        listed = ", ".join(f"{h.label} <{h.iri}>" for h in hits[:5])
        raise QueryError(f"{name!r} names {len(hits)} {word}s: {listed}; give the IRI")
    return hits[0]


def _suggest(hits: list[Hit]) -> list[str]:
    """Near names as a person can type them back: the IRI's last segment, then the label."""
    out: list[str] = []
    for h in hits:
        short = h.iri.rsplit("/", 1)[-1]
        text = h.label if normalize(short) == normalize(h.label) else f"{short} ({h.label})"
        if text not in out:
            out.append(text)
    return out


def _not_found(kind: str, message: str, suggestions: list[str]) -> NameNotFound:
    if kind == "nation":
        return NationNotFound(message, suggestions)
    return NameNotFound(message, suggestions)
