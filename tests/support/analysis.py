"""Snapshots shared by the analysis tests (point-in-time views, explanations, profiles).

Built once per test session with the real pipeline (loader, reasoner, snapshot writer) into a
temporary directory; module-level caching rather than a conftest fixture so that several test
modules can share them without owning the repository's conftest.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from milgraph.build import build_snapshot
from milgraph.store import Snapshot, open_snapshot

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "analysis"
WORLD = FIXTURES / "world.ttl"
PARTIAL = FIXTURES / "partial-dates.ttl"
RULE_KINDS = FIXTURES / "rule-kinds.ttl"
ADHERENCE_END = FIXTURES / "adherence-end.ttl"
PACTS = FIXTURES / "pacts.ttl"
YEAR_ONLY = FIXTURES / "year-only.ttl"

MIL = "https://w3id.org/milgraph/ontology#"
ID = "https://w3id.org/milgraph/id/"
PREFIXES = f"PREFIX mil: <{MIL}>\nPREFIX id: <{ID}>\n"

_TMP = Path(tempfile.mkdtemp(prefix="milgraph-analysis-tests-"))
atexit.register(shutil.rmtree, _TMP, True)


def build(*data: Path, name: str, validate: bool = True) -> Snapshot:
    out = _TMP / name
    report = build_snapshot(data=list(data), out=out, validate=validate)
    return open_snapshot(out, report.key)


@functools.cache
def world() -> Snapshot:
    """The fixture world: full dates and partial dates."""
    return build(WORLD, PARTIAL, RULE_KINDS, name="world")


@functools.cache
def world_full_dates() -> Snapshot:
    """Only full dates: the reasoner's own ``?asOf`` evaluation must agree with it exactly.
    With an adherence that ends by ``mil:endDate`` (kept out of :func:`world`, whose GDR
    timeline tests list every event)."""
    return build(WORLD, RULE_KINDS, ADHERENCE_END, name="world-full-dates")


@functools.cache
def world_pacts() -> Snapshot:
    """:func:`world_full_dates` plus alliances whose obligations are stated per member (ATOP's
    coding: an asymmetric defence pact, a non-aggression pact), for the pact-kind rules."""
    return build(WORLD, RULE_KINDS, ADHERENCE_END, PACTS, name="world-pacts")


@functools.cache
def world_year_only() -> Snapshot:
    """:func:`world_full_dates` plus an adherence in force from some day of a year (validated:
    the shapes accept a year- or month-precision entry into force)."""
    return build(WORLD, RULE_KINDS, ADHERENCE_END, YEAR_ONLY, name="world-year-only")


@functools.cache
def bundled() -> Snapshot:
    """The real bundled data (curated and imported), reasoned. SHACL validation is left to
    the data tests: here it would only add minutes."""
    return build(ROOT / "data", name="bundled", validate=False)


SHARED = ROOT.parent / "shared"


def nation(code: str) -> str:
    return f"{ID}nation/{code}"


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]
