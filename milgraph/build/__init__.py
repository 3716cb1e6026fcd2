"""Building snapshots: one staged pipeline (``pipeline``) over the input files (``inputs``):
parse (``sources``), reason, check (``check``: SHACL and OWL consistency), the point-in-time
views, write (``write``). ``validate`` is the same pipeline stopped before the views."""

from milgraph.build.check import Problem
from milgraph.build.pipeline import BuildReport, build_snapshot, ensure_snapshot, validate_inputs

__all__ = ["BuildReport", "Problem", "build_snapshot", "ensure_snapshot", "validate_inputs"]
