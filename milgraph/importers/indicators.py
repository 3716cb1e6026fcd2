"""Yearly indicators (mil:YearlyIndicator) from research panels: signals and troop presence.

Both panels are country-year tables. A value becomes one observation node
``id/indicator/{dataset}/{indicator}/{counterpart}/{actor}/{year}`` with the concept, the actor
it is about, the counterpart (the major power that signalled, the state whose troops are
stationed), the year (xsd:gYear) and the value (xsd:integer). Only positive values are
written: the panels code "no signal" and "no troops" as 0, and within a panel's coverage (its
dataset node's dcterms:temporal) an absent observation is that zero.

A COW code is resolved on 1 July of the year (a state whose node changes within the year, e.g.
COW 365 in 1991, is the one that held most of it); where the code stands for no state on that
day (COW 255 in 1990: united Germany only from 3 October) the year's last day is used, then
its first.
"""

from __future__ import annotations

from datetime import date

from milgraph.importers.common import RDF_TYPE, Dataset, add_source, ident, mil
from milgraph.importers.nations import NationResolver, UnknownCode, nation_iri
from milgraph.importers.turtle import XSD, TurtleDocument, integer, typed

CONCEPTS = {
    "vis": "IndicatorHighLevelVisit",
    "ex": "IndicatorJointExercise",
    "pact": "IndicatorDefencePact",
    "troops": "IndicatorTroopsStationed",
}


def node_in_year(resolver: NationResolver, ccode: int, year: int) -> str | None:
    """The nation node a COW code stands for in a year (1 July, else 31 Dec, else 1 Jan)."""
    if not resolver.knows(ccode):
        return None
    for day in (date(year, 7, 1), date(year, 12, 31), date(year, 1, 1)):
        try:
            return nation_iri(resolver.at(ccode, day))
        except UnknownCode:
            continue
    return None


def add_observation(doc: TurtleDocument, ds: Dataset, indicator: str, actor: str,
                    counterpart: str | None, year: int, value: int) -> str:
    actor_slug = actor.rsplit("/", 1)[1]
    other = counterpart.rsplit("/", 1)[1] if counterpart else "none"
    s = ident(f"indicator/{ds.slug}/{indicator}/{other}/{actor_slug}/{year}")
    doc.add_iri(s, RDF_TYPE, mil("YearlyIndicator"))
    doc.add_iri(s, mil("indicator"), mil(CONCEPTS[indicator]))
    doc.add_iri(s, mil("indicatorOf"), actor)
    if counterpart:
        doc.add_iri(s, mil("indicatorCounterpart"), counterpart)
    doc.add(s, mil("indicatorYear"), typed(year, XSD + "gYear"))
    doc.add(s, mil("indicatorValue"), integer(value))
    add_source(doc, s, ds)
    return s
