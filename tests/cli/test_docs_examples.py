"""The transcripts in README.md and docs/ are run: every fenced block that starts with
``$ milgraph …`` is that command on the bundled data, and what the doc shows under it must be
what the command prints, so counts and labels that drift fail the build.

In the expected text a line ``…`` stands for any number of lines, and a line ending in ``…``
for any line that starts with what comes before it; everything else is compared exactly
(trailing spaces aside).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.support.analysis import bundled

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```[a-z]*\n(\$ milgraph .*?)^```", re.M | re.S)


def transcripts() -> list[tuple[str, str, list[str]]]:
    found = []
    for doc in DOCS:
        for block in FENCE.findall(doc.read_text(encoding="utf-8")):
            command, *expected = block.rstrip("\n").split("\n")
            where = f"{doc.relative_to(ROOT)}: {command}"
            found.append((where, command[2:], expected))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Expected lines against actual ones, ``…`` lines matching any run of lines."""
    if not expected:
        return not actual
    head, rest = expected[0].rstrip(), expected[1:]
    if head == "…":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    line = actual[0].rstrip()
    ok = line.startswith(head[:-1]) if head.endswith("…") else line == head
    return ok and matches(rest, actual[1:])


EXAMPLES = transcripts()


def test_the_docs_have_transcripts() -> None:
    assert len(EXAMPLES) >= 4, [w for w, _, _ in EXAMPLES]


@pytest.mark.parametrize("where, command, expected", EXAMPLES, ids=[w for w, _, _ in EXAMPLES])
def test_a_documented_transcript_prints_what_the_doc_shows(cli, where, command, expected):
    args = shlex.split(command)[1:]
    result = cli(*args, "--store", str(bundled().path.parent))
    assert result.exit_code == 0, result.output
    actual = result.stdout.rstrip("\n").split("\n")
    assert matches(expected, actual), (
        f"{where}\n--- the doc shows:\n" + "\n".join(expected)
        + "\n--- the command prints:\n" + "\n".join(actual[:60]))
