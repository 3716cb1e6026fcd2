"""``turtle_edit``: the smallest textual edit of a Turtle file, checked by parsing it again."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from milgraph.server.turtle_edit import TurtleEditError, edit, statements

TEXT = '''@prefix ex: <https://example.org/> .
@base <https://example.org/id/> .
# a comment with a full stop. And "quotes".
ex:a ex:label "one. two" ; ex:next <b> .   # trailing comment.
ex:b ex:label """multi
line . text""" ;
    ex:value 1.5 .

<c> ex:label "c"@en .
'''
BASE = "file:///tmp/x.ttl"
EX = "https://example.org/"


def t(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(EX + p), o)


def test_statements_know_strings_comments_and_numbers():
    found = [TEXT[s.start:s.end] for s in statements(TEXT)]
    assert len(found) == 5
    assert found[2].startswith("ex:a") and found[2].endswith("<b> .")
    assert found[3].endswith("ex:value 1.5 .")


def test_removing_a_whole_statement_and_appending_in_the_files_prefixes_and_base():
    gone = t(EX + "id/c", "label", ox.Literal("c", language="en"))
    new = t(EX + "id/d", "next", ox.NamedNode(EX + "id/e"))
    out = edit(TEXT, {gone}, [new], BASE)
    assert "<c>" not in out
    assert out.endswith('line . text""" ;\n    ex:value 1.5 .\n\n<d> ex:next <e> .\n')
    assert out.startswith(TEXT[: TEXT.index("<c>")].rstrip("\n"))


def test_a_changed_value_is_written_in_place():
    old = t(EX + "a", "label", ox.Literal("one. two"))
    new = t(EX + "a", "label", ox.Literal('say "x"'))
    out = edit(TEXT, {old}, [new], BASE)
    changed = [(a, b) for a, b in zip(TEXT.splitlines(), out.splitlines(), strict=True) if a != b]
    assert changed == [('ex:a ex:label "one. two" ; ex:next <b> .   # trailing comment.',
                        'ex:a ex:label "say \\"x\\"" ; ex:next <b> .   # trailing comment.')]


def test_blank_nodes_cannot_be_removed():
    text = "@prefix ex: <https://example.org/> .\nex:a ex:p [ ex:q 1 ] .\n"
    (triple, _) = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]  # fmt: skip
    with pytest.raises(TurtleEditError, match="blank node"):
        edit(text, {triple}, [], BASE)


def test_a_triple_asserted_twice_goes_from_both_statements():
    text = "@prefix ex: <https://example.org/> .\nex:a ex:p ex:b .\nex:a ex:p ex:b ; ex:q ex:c .\n"
    gone = t(EX + "a", "p", ox.NamedNode(EX + "b"))
    out = edit(text, {gone}, [], BASE)
    assert out == "@prefix ex: <https://example.org/> .\nex:a ex:q ex:c .\n"
