"""What every importer shares: vocabulary IRIs, dataset nodes, writing the output file."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from milgraph.errors import InputError, Location
from milgraph.importers.csvfile import PROJECT_ROOT, shown
from milgraph.importers.dates import PartialDate
from milgraph.importers.turtle import XSD, Iri, TurtleDocument, integer, text, typed
from milgraph.namespaces import DCAT as DCAT
from milgraph.namespaces import DCTERMS_IRI, ID_IRI, MIL_IRI, PROV_IRI, SKOS_IRI
from milgraph.namespaces import GEO as GEO
from milgraph.namespaces import RDF_TYPE as RDF_TYPE
from milgraph.namespaces import RDFS as RDFS
from milgraph.namespaces import VOID as VOID

#: The vocabulary the importers write with, by the names their modules import from here.
DCT, PROV, SKOS = DCTERMS_IRI, PROV_IRI, SKOS_IRI

IMPORTED_DIR = PROJECT_ROOT / "data" / "imported"


def mil(name: str) -> str:
    return MIL_IRI + name


def ident(path: str) -> str:
    return ID_IRI + path


@dataclass(frozen=True)
class Dataset:
    """A source dataset as published: its node carries the citation every record points to."""

    slug: str
    label: str
    citation: str
    public_page: str
    copied_from: str
    version: str
    observed_until: str | None = None
    #: Time windows the dataset covers, as (first day, last day) ISO dates; several when the
    #: coverage has gaps (FMTR has no FY 2006). Written as dcterms:temporal periods.
    coverage: tuple[tuple[str, str], ...] = ()

    @property
    def iri(self) -> str:
        return ident(f"dataset/{self.slug}")


COW_STATES = Dataset(
    "cow-states-2016",
    "Correlates of War State System Membership List, v2016",
    'Correlates of War Project. 2017. "State System Membership List, v2016." '
    "correlatesofwar.org.",
    "https://correlatesofwar.org/data-sets/state-system-membership/",
    "https://github.com/dieghernan/igoR/blob/02c0b3f0c0f97bd44cc9d5f3aabd705c61d1ea2e/"
    "data-raw/states2016.csv",
    "2016",
    "2016-12-31",
    (("1816-01-01", "2016-12-31"),),
)
ATOP = Dataset(
    "atop-5.1",
    "Alliance Treaty Obligations and Provisions (ATOP), version 5.1",
    'Leeds, Ritter, Mitchell & Long (2002), "Alliance Treaty Obligations and Provisions, '
    '1815-1944", International Interactions 28: 237-260.',
    "http://www.atopdata.org/",
    "https://github.com/jandresgannon/DoDL/tree/8f347cd4a7f6068b7502c71e54176212a9895555/"
    "inst/extdata/ATOP",
    "5.1",
    "2018-12-31",
    (("1815-01-01", "2018-12-31"),),
)
MME = Dataset(
    "mme-v7",
    "Multinational Military Exercises, 1980-2010 (MME), version 7",
    "D'Orazio, Vito; Galambos, Kevin (2021), \"Multinational Military Exercises, 1980-2010\", "
    "doi:10.7910/DVN/KHFODX, Harvard Dataverse, V1.",
    "https://doi.org/10.7910/DVN/KHFODX",
    "https://github.com/meflynn/troopdata/blob/788b3749aa60be58959de15a30e342137160c965/"
    "data-raw/mme_v7.csv",
    "7",
    None,
    (("1980-01-01", "2010-12-31"),),
)
COUNTRYCODE = Dataset(
    "countrycode",
    "countrycode: country-name and country-code crosswalk",
    "Arel-Bundock, Vincent, Nils Enevoldsen, and CJ Yetman (2018). countrycode: An R package "
    "to convert country names and country codes. Journal of Open Source Software, 3(28), 848.",
    "https://github.com/vincentarelbundock/countrycode",
    "https://github.com/vincentarelbundock/countrycode/blob/"
    "2dfe47724b132daeb0db018c6b0db3309693c138/dictionary/codelist_without_cldr.csv",
    "2dfe477",
)


def add_dataset(doc: TurtleDocument, ds: Dataset) -> None:
    """The dataset node: label, citation, public page, the exact copy read."""
    s = ds.iri
    doc.add_iri(s, RDF_TYPE, mil("ResearchDataset"))
    doc.add_iri(s, RDF_TYPE, DCAT + "Dataset")
    doc.add(s, RDFS + "label", text(ds.label, "en"))
    doc.add(s, DCT + "title", text(ds.label, "en"))
    doc.add(s, DCT + "bibliographicCitation", text(ds.citation))
    doc.add_iri(s, DCT + "source", ds.public_page)
    doc.add_iri(s, PROV + "wasDerivedFrom", ds.copied_from)
    doc.add(s, DCT + "hasVersion", text(ds.version))
    if ds.observed_until:
        doc.add(s, mil("observedUntil"), typed(ds.observed_until, XSD + "date"))
    add_coverage(doc, ds)


def coverage_iri(ds: Dataset, index: int) -> str:
    return ident(f"dataset/{ds.slug}/coverage" + (f"-{index + 1}" if index else ""))


def add_coverage(doc: TurtleDocument, ds: Dataset) -> None:
    """The dataset's time window(s): VoID dataset with dcterms:temporal periods (DCAT 2).

    Later code tells an answer outside coverage by comparing the asked date with
    ``dcat:startDate``/``dcat:endDate`` of the periods of the datasets that hold the records.
    """
    if not ds.coverage:
        return
    doc.add_iri(ds.iri, RDF_TYPE, VOID + "Dataset")
    for i, (first, last) in enumerate(ds.coverage):
        period = coverage_iri(ds, i)
        doc.add_iri(ds.iri, DCT + "temporal", period)
        doc.add_iri(period, RDF_TYPE, DCT + "PeriodOfTime")
        doc.add(period, RDFS + "label", text(f"{ds.label}: coverage {first} to {last}", "en"))
        doc.add(period, DCAT + "startDate", typed(first, XSD + "date"))
        doc.add(period, DCAT + "endDate", typed(last, XSD + "date"))
        add_source(doc, period, ds)


def add_class_partition(doc: TurtleDocument, ds: Dataset, cls: str, count: int,
                        coverage: tuple[str, str] | None = None) -> None:
    """VoID class partition: how many records of a class the dataset contributes (and, when
    they cover less than the whole dataset, their own time window)."""
    part = ident(f"dataset/{ds.slug}/class/{cls}")
    doc.add_iri(ds.iri, VOID + "classPartition", part)
    doc.add_iri(part, VOID + "class", mil(cls))
    doc.add(part, VOID + "entities", integer(count))
    add_source(doc, part, ds)
    if coverage:
        period = part + "/coverage"
        doc.add_iri(part, DCT + "temporal", period)
        doc.add_iri(period, RDF_TYPE, DCT + "PeriodOfTime")
        doc.add(period, RDFS + "label", text(
            f"{ds.label}, {cls} records: coverage {coverage[0]} to {coverage[1]}", "en"))
        doc.add(period, DCAT + "startDate", typed(coverage[0], XSD + "date"))
        doc.add(period, DCAT + "endDate", typed(coverage[1], XSD + "date"))
        add_source(doc, period, ds)


def add_date(doc: TurtleDocument, subject: str, predicate: str, value: PartialDate) -> None:
    doc.add(subject, predicate, typed(value.lexical, value.datatype))


def add_source(doc: TurtleDocument, subject: str, ds: Dataset) -> None:
    doc.add(subject, DCT + "source", Iri(ds.iri))


def write_turtle(doc: TurtleDocument, out: Path) -> int:
    """Write atomically (temp file + rename) so a failed run never leaves half a file."""
    write_text(doc.render(), out)
    return len(doc)


def unmapped_path(out: Path) -> Path:
    """Where the unmapped-name report of an output goes: ``fmtr.ttl`` -> ``fmtr.unmapped.tsv``."""
    return out.with_name(out.stem + ".unmapped.tsv")


def write_text(body: str, out: Path) -> None:
    """Write a text file atomically (temp file + rename)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(Location(shown(out)), f"cannot write output: {exc.strerror}",
                         "choose a writable --out path") from exc
