"""Datatype facts for literals (OWL 2 RL table 8), taken from owlrl so both agree.

owlrl types every literal whose datatype it knows (``"5"^^xsd:int rdf:type xsd:int``, plus the
supertypes ``xsd:long`` ... ``xsd:decimal``) and checks that the lexical form fits the datatype
(dt-not-type). Unlike owlrl on rdflib, a simple literal is an ``xsd:string`` and a language-tagged
one an ``rdf:langString`` here, as RDF 1.1 says (pyoxigraph cannot tell ``"a"`` from
``"a"^^xsd:string`` anyway).
"""

from __future__ import annotations

from collections.abc import Callable

from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

#: Datatypes OWL 2 RL (as owlrl implements it) knows; literals of other datatypes stay untyped.
KNOWN: frozenset[str] = frozenset(str(d) for d in OWL_RL_Datatypes)

#: datatype -> its supertypes (xsd:int -> xsd:long, xsd:integer, xsd:decimal).
SUPERTYPES: dict[str, tuple[str, ...]] = {
    str(d): tuple(str(s) for s in supers) for d, supers in OWL_Datatype_Subsumptions.items()
}

#: Pairs of disjoint primitive datatypes (owlrl adds those of datatypes in use).
DISJOINT: tuple[tuple[str, str], ...] = tuple(
    (str(a), str(b)) for a, _, b in OWLRL_Datatypes_Disjointness
)

def _with_subtypes(dt: str) -> list[str]:
    return [dt, *sorted(d for d, supers in SUPERTYPES.items() if dt in supers)]


#: DISJOINT extended to derived datatypes (xsd:int is disjoint with xsd:string too).
DISJOINT_ALL: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(
    (x, y) for a, b in DISJOINT for x in _with_subtypes(a) for y in _with_subtypes(b)
))

_CONVERTERS: dict[str, Callable[[str], object]] = {str(k): v for k, v in AltXSDToPYTHON.items()}


def is_valid_lexical(value: str, datatype: str) -> bool:
    """Whether ``value`` is in the lexical space of ``datatype`` (unknown datatypes: yes)."""
    convert = _CONVERTERS.get(datatype)
    if convert is None:
        return True
    try:
        convert(value)
    except (ValueError, TypeError, ArithmeticError):
        return False
    except Exception:  # owlrl's XML literal parser raises its own types
        return False
    return True
