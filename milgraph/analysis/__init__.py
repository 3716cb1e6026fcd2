"""Analyses on a snapshot, the analysts' wing: why a triple holds (``explain``), what two nations
share (``profile``), a nation's dated events (``timeline``) and per-year indicators
(``indicators``), what a snapshot holds (``stats``); nations looked up by ``lookup``, periods
read by ``periods``, every result with one schema (``models``).

The wing knows no HTTP and no command line: ``milgraph.server.analysis`` and
``milgraph.cli.analysis`` are its faces.
"""

from milgraph.analysis.explain import explain, holds
from milgraph.analysis.indicators import nation_indicators
from milgraph.analysis.lookup import resolve_nation
from milgraph.analysis.models import Explanation, Holds, Nation, Profile, Timeline
from milgraph.analysis.periods import parse_bound
from milgraph.analysis.profile import profile
from milgraph.analysis.timeline import timeline

__all__ = [
    "Explanation",
    "Holds",
    "Nation",
    "Profile",
    "Timeline",
    "explain",
    "holds",
    "nation_indicators",
    "parse_bound",
    "profile",
    "resolve_nation",
    "timeline",
]
