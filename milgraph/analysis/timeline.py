"""A nation's timeline: its memberships, agreements, exercises, measures, training exchanges
and statehood, as dated events in date order (undated ones listed apart).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from milgraph.analysis import coverage
from milgraph.analysis.lookup import labels_of, resolve_nation, select_rows, short_class, value_of
from milgraph.analysis.models import Event, Timeline
from milgraph.analysis.periods import days_of, parse_bound, window_of
from milgraph.namespaces import MIL_IRI
from milgraph.store.snapshot import Snapshot

_TIMELINE = """
SELECT ?kind ?date ?fact ?related ?role WHERE {
  {
    ?fact mil:member ?n ; mil:organization ?related ; mil:startDate ?date .
    OPTIONAL { ?fact mil:role ?role }
    BIND("membership started" AS ?kind)
  } UNION {
    ?fact mil:member ?n ; mil:organization ?related ; mil:endDate ?date .
    OPTIONAL { ?fact mil:role ?role }
    BIND("membership ended" AS ?kind)
  } UNION {
    ?fact mil:member ?n ; mil:organization ?related .
    FILTER NOT EXISTS { ?fact mil:startDate ?any }
    OPTIONAL { ?fact mil:role ?role }
    BIND("membership (start unknown)" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:signatureDate ?date .
    BIND("signed" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:entryIntoForceDate ?date .
    BIND("entered into force" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:suspensionDate ?date .
    BIND("suspended" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:withdrawalNoticeDate ?date .
    BIND("gave notice of withdrawal" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:withdrawalDate ?date .
    BIND("withdrew" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related ; mil:endDate ?date .
    FILTER NOT EXISTS { ?fact mil:withdrawalDate ?date }
    FILTER NOT EXISTS { ?related mil:terminationDate ?date }
    BIND("ceased to be a party" AS ?kind)
  } UNION {
    ?fact mil:adherent ?n ; mil:agreement ?related . ?related mil:terminationDate ?date .
    FILTER NOT EXISTS { ?fact mil:withdrawalDate ?withdrawn }
    BIND("agreement terminated" AS ?kind)
  } UNION {
    ?related mil:participant ?n .
    ?related a mil:MilitaryExercise .
    BIND(?related AS ?fact)
    OPTIONAL { ?related mil:startDate ?date }
    BIND(IF(EXISTS { ?related mil:host ?n }, "hosted exercise", "took part in exercise") AS ?kind)
  } UNION {
    ?related mil:party ?n ; a mil:TrustBuildingMeasure .
    BIND(?related AS ?fact)
    OPTIONAL { ?related mil:startDate ?date }
    BIND("trust-building measure" AS ?kind)
  } UNION {
    ?related a mil:TrainingExchange .
    { ?related mil:provider ?n . BIND("provides training" AS ?kind) }
    UNION { ?related mil:recipient ?n . BIND("receives training" AS ?kind) }
    BIND(?related AS ?fact)
    OPTIONAL { ?related mil:startDate ?date }
  } UNION {
    ?fact mil:state ?n ; mil:startDate ?date .
    BIND("statehood began" AS ?kind)
  } UNION {
    ?fact mil:state ?n ; mil:endDate ?date .
    BIND("statehood ended" AS ?kind)
  }
}
"""

_ORDER = {
    "statehood began": 0,
    "membership ended": 1,
    "withdrew": 2,
    "ceased to be a party": 2,
    "agreement terminated": 3,
    "suspended": 4,
    "gave notice of withdrawal": 5,
    "signed": 6,
    "entered into force": 7,
    "membership started": 8,
    "membership (start unknown)": 8,
}


def timeline(
    snapshot: Snapshot, code: str, start: str | None = None, end: str | None = None
) -> Timeline:
    """A nation's dated events in date order (``start``/``end`` limit them, ``end`` inclusive);
    events without a date are listed apart."""
    lo = parse_bound(start, end=False, name="from")
    hi = parse_bound(end, end=True, name="to")
    nation = resolve_nation(snapshot, code, start=lo, end=hi)
    window = window_of(lo, hi)
    seen: set[tuple[str, str, str]] = set()
    dated: list[tuple[int, int, Event]] = []
    undated: list[Event] = []
    rows = select_rows(snapshot, _TIMELINE, n=ox.NamedNode(nation.iri))
    labels = labels_of(snapshot, (r["related"].value for r in rows if r.get("related") is not None))
    for r in rows:
        kind = r["kind"].value
        fact = r["fact"].value
        when = r.get("date")
        key = (kind, fact, value_of(when) or "")
        if key in seen:
            continue
        seen.add(key)
        related = value_of(r.get("related"))
        related_label = labels.get(related, related.rsplit("/", 1)[-1]) if related else None
        role = r.get("role")
        text = _event_text(kind, related_label, role)
        event = Event(value_of(when) or "", kind, text, fact, related, related_label)
        sort_day = days_of(when, end=False)
        if sort_day is None:
            undated.append(event)
            continue
        if sort_day not in window:
            continue
        dated.append((sort_day, _ORDER.get(kind, 9), event))
    dated.sort(key=lambda x: (x[0], x[1], x[2].label))
    undated.sort(key=lambda e: (e.kind, e.label))
    notes = coverage.notes(snapshot, coverage.TIMELINE, lo, hi)
    return Timeline(nation, [e for _, _, e in dated], undated, notes)


def _event_text(kind: str, related: str | None, role: Any) -> str:
    role_text = ""
    if role is not None and role.value != MIL_IRI + "RoleMember":
        role_text = f" ({short_class(role.value).removeprefix('Role').lower()})"
    what = related or "?"
    return {
        "membership started": f"joined {what}{role_text}",
        "membership ended": f"left {what}{role_text}",
        "membership (start unknown)": f"member of {what}{role_text} (start date unknown)",
        "signed": f"signed {what}",
        "entered into force": f"{what} entered into force for it",
        "suspended": f"suspended {what}",
        "gave notice of withdrawal": f"gave notice of withdrawal from {what}",
        "withdrew": f"withdrew from {what}",
        "ceased to be a party": f"ceased to be a party to {what}",
        "agreement terminated": f"{what} terminated",
        "hosted exercise": f"hosted {what}",
        "took part in exercise": f"took part in {what}",
        "trust-building measure": f"{what} established",
        "provides training": f"provides {what}",
        "receives training": f"receives {what}",
        "statehood began": "entered the state system",
        "statehood ended": "left the state system",
    }.get(kind, f"{kind} {what}")
