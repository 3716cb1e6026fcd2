"""The SPARQL rules of ontology/rules/ with the ontology, now and as of a date, alternating
with OWL 2 RL; and load_rules' errors for broken rule files."""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.errors import RuleFileError
from milgraph.reasoning import ReasoningResult, reason
from milgraph.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reasoning"
RULES = ROOT / "ontology" / "rules"
MIL = "https://w3id.org/milgraph/ontology#"
ID = "https://w3id.org/milgraph/id/"


def mil(local: str) -> ox.NamedNode:
    return ox.NamedNode(MIL + local)


def node(path: str) -> ox.NamedNode:
    return ox.NamedNode(ID + path)


def nation(code: str) -> ox.NamedNode:
    return node(f"nation/{code}")


@functools.cache
def inputs() -> tuple[ox.Triple, ...]:
    triples: list[ox.Triple] = []
    for path in (ROOT / "ontology" / "milgraph.ttl", FIXTURES / "rules-data.ttl"):
        triples += [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    return tuple(triples)


@functools.cache
def reasoned(as_of: str | None = None) -> ReasoningResult:
    return reason(inputs(), rules=load_rules(RULES), as_of=as_of)


def holds(result: ReasoningResult, s: ox.NamedNode, p: str, o: ox.NamedNode) -> bool:
    return ox.Triple(s, mil(p), o) in set(result.inferred)


def members(result: ReasoningResult, org: str = "AL") -> set[str]:
    o = node(f"org/{org}")
    return {t.subject.value.rsplit("/", 1)[1] for t in result.inferred
            if t.predicate == mil("memberOf") and t.object == o}


def allies(result: ReasoningResult) -> set[tuple[str, str]]:
    return {(t.subject.value[-3:], t.object.value[-3:]) for t in result.inferred
            if t.predicate == mil("alliedWith")}


def parties(result: ReasoningResult, agreement: str) -> set[str]:
    a = node(f"agreement/{agreement}")
    return {t.subject.value[-3:] for t in result.inferred
            if t.predicate == mil("partyTo") and t.object == a}


def test_bundled_rules_load_with_names_and_summaries() -> None:
    rules = load_rules(RULES)
    assert [r.name for r in rules] == ["alliedWith", "consultationPartnerOf", "exercisedWith",
                                       "memberOf", "neutralityPartnerOf", "nonAggressionPartnerOf",
                                       "partyTo"]
    assert all(r.summary and r.path and r.path.suffix == ".rq" for r in rules)
    member_of = next(r for r in rules if r.name == "memberOf")
    assert "end date" in member_of.description


def test_member_of_now_excludes_ended_memberships_and_other_roles() -> None:
    assert members(reasoned()) == {"AAA", "BBB"}
    assert members(reasoned(), "SP") == {"EEE", "FFF"}


@pytest.mark.parametrize(("day", "expected"), [
    ("1950-01-01", {"AAA"}),                 # BBB starts 1952
    ("1980-01-01", {"AAA", "BBB", "CCC"}),   # CCC ended 1990-10-03
    ("1990-10-02", {"AAA", "BBB", "CCC"}),
    ("1990-10-03", {"AAA", "BBB"}),          # end dates are exclusive
    ("1949-08-24", {"AAA"}),                 # start dates are inclusive
    ("1900-01-01", set()),
])
def test_member_of_as_of_a_date(day: str, expected: set[str]) -> None:
    result = reasoned(day)
    assert members(result) == expected
    assert result.stats["as_of"] == day


def test_allied_with_needs_a_shared_alliance_at_the_same_time() -> None:
    assert allies(reasoned()) == {("AAA", "BBB"), ("BBB", "AAA")}
    assert allies(reasoned("1980-01-01")) == {
        (a, b) for a in ("AAA", "BBB", "CCC") for b in ("AAA", "BBB", "CCC") if a != b}
    assert allies(reasoned("1950-01-01")) == set()


def test_party_to_ends_with_withdrawal_suspension_or_termination() -> None:
    assert parties(reasoned(), "t1") == {"AAA"}
    assert parties(reasoned(), "t2") == set()
    assert parties(reasoned("2015-01-01"), "t1") == {"AAA", "BBB", "CCC"}
    assert parties(reasoned("2019-08-02"), "t1") == {"AAA", "CCC"}   # BBB's withdrawal
    assert parties(reasoned("2023-02-21"), "t1") == {"AAA"}          # CCC's suspension
    assert parties(reasoned("2000-01-01"), "t2") == {"AAA"}
    assert parties(reasoned("2019-08-02"), "t2") == set()            # termination
    assert parties(reasoned("1980-01-01"), "t1") == set()            # before entry into force


def test_party_to_ends_with_the_adherence_end_date() -> None:
    assert "EEE" not in parties(reasoned(), "t1")                    # ended: not party now
    assert "EEE" in parties(reasoned("1995-01-01"), "t1")
    assert "EEE" in parties(reasoned("2000-12-31"), "t1")
    assert "EEE" not in parties(reasoned("2001-01-01"), "t1")        # end dates are exclusive


def test_exercised_with_uses_owl_first_and_feeds_it_back() -> None:
    result = reasoned()
    pairs = {(t.subject.value[-3:], t.object.value[-3:]) for t in result.inferred
             if t.predicate == mil("exercisedWith")}
    assert pairs == {(a, b) for a in ("AAA", "BBB", "CCC") for b in ("AAA", "BBB", "CCC")
                     if a != b}
    # AAA is only a host: mil:host ⊑ mil:participant (OWL) made it a participant first.
    d = result.derivations[ox.Triple(nation("AAA"), mil("exercisedWith"), nation("BBB"))]
    assert d.rule == "exercisedWith"
    participant = ox.Triple(node("exercise/ex1-2020"), mil("participant"), nation("AAA"))
    assert participant in d.premises
    assert result.derivations[participant].rule == "prp-spo1"
    assert result.stats["rule_rounds"] >= 2


def test_rule_conclusions_feed_owl_and_name_their_premises() -> None:
    result = reasoned()
    aaa, al = nation("AAA"), node("org/AL")
    d = result.derivations[ox.Triple(aaa, mil("memberOf"), al)]
    assert d.rule == "memberOf"
    m = node("membership/AL/AAA")
    assert set(d.premises) == {
        ox.Triple(m, mil("member"), aaa),
        ox.Triple(m, mil("organization"), al),
        ox.Triple(m, mil("startDate"), ox.Literal(
            "1949-08-24", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
    }
    inverse = result.derivations[ox.Triple(al, mil("hasMember"), aaa)]
    assert inverse.rule.startswith("prp-inv")
    assert ox.Triple(aaa, mil("memberOf"), al) in inverse.premises
    assert result.stats["per_rule"]["memberOf"] == 4  # AAA, BBB in AL; EEE, FFF in SP


def test_as_of_must_be_a_date() -> None:
    from milgraph.errors import InputError

    with pytest.raises(InputError, match="not a date"):
        reason(inputs(), rules=load_rules(RULES), as_of="last tuesday")


# --------------------------------------------------------------------------- broken files


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


GOOD = """# rule: knows
# summary: Knowing is mutual here.
PREFIX ex: <http://example.org/>
CONSTRUCT { ?b ex:knows ?a } WHERE { ?a ex:knows ?b }
"""


def test_a_good_rule_file_loads_and_runs(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "knows.rq", GOOD))
    ex = "http://example.org/"
    result = reason([ox.Triple(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "knows"),
                               ox.NamedNode(ex + "b"))], rules=rules)
    assert [str(t) for t in result.inferred] == [
        "<http://example.org/b> <http://example.org/knows> <http://example.org/a>"]
    assert next(iter(result.derivations.values())).rule == "knows"


@pytest.mark.parametrize(("text", "message", "line"), [
    ("PREFIX ex: <http://example.org/>\nCONSTRUCT { ?a ex:p ?b } WHERE { ?a ex:p ?b }\n",
     "no '# rule: <name>' header", 1),
    ("# rule: x\nCONSTRUCT { ?a <http://e/p> ?b } WHERE { ?a <http://e/p> ?b }\n",
     "no '# summary: ...' header", 1),
    ("# rule: has space\n# summary: s\nCONSTRUCT WHERE { ?a <http://e/p> ?b }\n",
     "is not a name", 1),
    ("# rule: cax-sco\n# summary: s\nCONSTRUCT WHERE { ?a <http://e/p> ?b }\n",
     "looks like an OWL 2 RL rule name", 1),
    ("# rule: sel\n# summary: s\nSELECT * WHERE { ?a <http://e/p> ?b }\n",
     "must be a CONSTRUCT query, not SELECT", 3),
    ("# rule: bad\n# summary: s\nCONSTRUCT { ?a <http://e/p> ?b }\nWHERE { ?a <http://e/p> }\n",
     "SPARQL syntax error", 4),
])
def test_a_broken_rule_file_is_an_error_naming_file_and_line(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    write(tmp_path, "broken.rq", text)
    with pytest.raises(RuleFileError, match=message) as info:
        load_rules(tmp_path)
    assert str(info.value).startswith(f"{(tmp_path / 'broken.rq').as_posix()}:{line}")
    assert "(fix: " in str(info.value)


def test_two_rules_with_one_name_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.rq", GOOD)
    write(tmp_path, "b.rq", GOOD)
    with pytest.raises(RuleFileError, match=r"already used by .*a\.rq"):
        load_rules(tmp_path)


def test_a_missing_rule_directory_is_an_error(tmp_path: Path) -> None:
    from milgraph.errors import InputError

    with pytest.raises(InputError, match="rule directory not found"):
        load_rules(tmp_path / "nowhere")


def test_short_form_and_blank_node_templates(tmp_path: Path) -> None:
    write(tmp_path, "short.rq", "# rule: copy\n# summary: s\n"
          "CONSTRUCT WHERE { ?a <http://example.org/p> ?b }\n")
    write(tmp_path, "wrap.rq", "# rule: wrap\n# summary: one fresh node per match\n"
          "PREFIX ex: <http://example.org/>\n"
          "CONSTRUCT { _:n ex:about ?a ; ex:says \"{ not a brace }\" } WHERE { ?a ex:p ?b }\n")
    ex = "http://example.org/"
    triples = [ox.Triple(ox.NamedNode(ex + s), ox.NamedNode(ex + "p"), ox.NamedNode(ex + "o"))
               for s in ("a", "b")]
    result = reason(triples, rules=load_rules(tmp_path))
    about = [t for t in result.inferred if t.predicate == ox.NamedNode(ex + "about")]
    assert len(about) == 2
    assert all(isinstance(t.subject, ox.BlankNode) for t in about)
    assert len({t.subject for t in about}) == 2


def test_a_rule_that_never_stops_is_an_error_not_a_hang(tmp_path: Path) -> None:
    from milgraph.errors import RuleLoopError

    write(tmp_path, "count.rq", "# rule: count\n# summary: counts up forever\n"
          "PREFIX ex: <http://example.org/>\n"
          "CONSTRUCT { ?a ex:n ?m } WHERE { ?a ex:n ?k BIND(?k + 1 AS ?m) }\n")
    start = ox.Triple(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/n"),
                      ox.Literal("1", datatype=ox.NamedNode(
                          "http://www.w3.org/2001/XMLSchema#integer")))
    with pytest.raises(RuleLoopError, match="count"):
        reason([start], rules=load_rules(tmp_path))
