"""Finding and parsing input files: what a steward sees when a file is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from milgraph.build.inputs import discover
from milgraph.build.sources import parse
from milgraph.errors import EmptyInputError, InputError, ParseError, UnknownFormatError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_file_gets_its_own_graph_named_by_relative_path(core: Path) -> None:
    sources = discover([core / "data"], "data")
    assert [s.relpath for s in sources] == ["data/more.nt", "data/nations.ttl"]
    assert sources[1].graph == "https://w3id.org/milgraph/graph/data/nations.ttl"
    parsed = parse(sources[1])
    assert {q.graph_name.value for q in parsed.quads} == {sources[1].graph}
    assert len(parsed.quads) == 6


def test_notes_and_tables_beside_data_are_ignored(tmp_path: Path) -> None:
    write(tmp_path / "a.ttl", "<http://x/a> <http://x/b> <http://x/c> .\n")
    write(tmp_path / "README.md", "# notes\n")
    write(tmp_path / "table.csv", "a,b\n")
    write(tmp_path / ".hidden.ttl", "not turtle at all")
    assert [s.relpath for s in discover([tmp_path], "data")] == ["data/a.ttl"]


def test_unknown_extension_names_the_file_and_the_fix(tmp_path: Path) -> None:
    write(tmp_path / "nato.tll", "<http://x/a> <http://x/b> <http://x/c> .\n")
    with pytest.raises(UnknownFormatError) as info:
        discover([tmp_path], "data")
    text = str(info.value)
    assert "nato.tll" in text and "unknown RDF file extension '.tll'" in text
    assert ".ttl" in text and "rename" in text


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyInputError, match="directory holds no RDF file"):
        discover([tmp_path / "empty"], "data")


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        discover([tmp_path / "nope"], "data")


def test_turtle_error_gives_file_line_column(core: Path) -> None:
    [src] = discover([core / "bad" / "broken.ttl"], "data")
    with pytest.raises(ParseError) as info:
        parse(src)
    err = info.value
    assert err.location.path.endswith("bad/broken.ttl")
    assert err.location.line == 6
    assert err.location.column is not None
    assert str(err).startswith(f"{err.location.path}:6:")


def test_undeclared_prefix_hint(tmp_path: Path) -> None:
    src = discover(
        [write(tmp_path / "p.ttl", "@prefix a: <http://a/> .\na:x b:y a:z .\n")], "data"
    )[0]
    with pytest.raises(ParseError) as info:
        parse(src)
    assert info.value.location.line == 2
    assert "b:" in info.value.message
    assert "@prefix" in (info.value.hint or "")


def test_ntriples_and_jsonld_errors_are_located(tmp_path: Path) -> None:
    nt = write(
        tmp_path / "x.nt", '<http://a> <http://b> <http://c> .\n<http://a> <http://b> "open .\n'
    )
    with pytest.raises(ParseError) as info:
        parse(discover([nt], "data")[0])
    assert info.value.location.line == 2
    js = write(tmp_path / "y.jsonld", '{"@id": "http://a",\n "http://p": [}\n')
    with pytest.raises(ParseError) as info:
        parse(discover([js], "data")[0])
    assert info.value.location.line == 2


def test_rdfxml_error_is_located_through_rdflib(tmp_path: Path) -> None:
    xml = write(
        tmp_path / "z.rdf",
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="http://a">\n    <broken>\n  </rdf:Description>\n</rdf:RDF>\n',
    )
    with pytest.raises(ParseError) as info:
        parse(discover([xml], "data")[0])
    assert info.value.location.line is not None
    assert info.value.location.path.endswith("z.rdf")


def test_owl_extension_holding_turtle_is_sniffed(tmp_path: Path) -> None:
    owl = write(tmp_path / "t.owl", "@prefix a: <http://a/> .\na:x a:y a:z .\n")
    assert len(parse(discover([owl], "data")[0]).quads) == 1


def test_lubm_rdfxml_loads_as_it_is(core: Path) -> None:
    lubm = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "lubm" / "data" / "University0_0.owl"
    if not lubm.is_file():
        pytest.fail(f"shared benchmark data missing at {lubm}")
    parsed = parse(discover([lubm], "data")[0])
    assert len(parsed.quads) > 5000
