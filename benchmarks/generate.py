"""Deterministic synthetic graph in the milgraph vocabulary, for benchmarks.

``python -m benchmarks.generate --triples 200000 --seed 1 --out DIR`` writes Turtle files
(nations, organisations, memberships, agreements, measures, exercises) holding about that many
asserted triples. The same arguments always give byte-identical files, so results measured
on one machine can be reproduced on another.

The data is *synthetic* and marked so everywhere: nations use the ISO 3166 user-assigned
codes ``XAA``–``XZZ`` (no real state has one, ever), labels say "Synthetic", and every
record's ``dcterms:source`` is the synthetic dataset node. Nations carry no Correlates-of-War
code: that number space (2–999, ``ontology/shapes.ttl``) has no range reserved against real
states. It can never be mistaken for, or merged with, the curated facts in ``data/``.
The output conforms to ``ontology/shapes.ttl`` (the serving benchmark builds it with SHACL
validation on).

Shape, chosen to resemble the real graph:
- nation activity is Zipf-skewed (``XAA`` takes part in far more exercises than ``XZZ``);
- organisations have dated memberships, some ended, some ongoing, some renewed, a few in an
  observer or partner role;
- exercise series recur yearly or every other year with a core of regular participants plus
  guests: 3–15 participants per edition, exactly one host (also a participant);
- agreements of each subclass with one adherence record per party (entry into force,
  occasional withdrawal or suspension, a few terminated agreements);
- trust-building measures of each subclass, established by an agreement, with parties drawn
  from that agreement's adherents.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

#: Bumped whenever the output for a given (triples, seed) changes; benchmarks key caches on it.
GENERATOR_VERSION = "2"

MIL = "https://w3id.org/milgraph/ontology#"
ID = "https://w3id.org/milgraph/id/"
DATASET = f"{ID}dataset/milgraph-synthetic-benchmark"

PREFIXES = {
    "mil": MIL,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "nation": f"{ID}nation/",
    "org": f"{ID}org/",
    "agreement": f"{ID}agreement/",
    "measure": f"{ID}measure/",
    "series": f"{ID}exercise-series/",
    "exercise": f"{ID}exercise/",
    "dataset": f"{ID}dataset/",
}

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TODAY = date(2025, 12, 31)
"""Latest date the generator writes: fixed so output never depends on when it runs."""

ORG_KINDS = (
    ("mil:Alliance", 60),
    ("mil:SecurityPartnership", 15),
    ("mil:RegionalOrganization", 25),
)
ROLES = ("mil:RoleObserver", "mil:RolePartner")
DOMAINS = ("mil:DomainLand", "mil:DomainSea", "mil:DomainAir", "mil:DomainJoint")
AGREEMENT_KINDS = (
    # (class, slug word, weight, min parties, max parties)
    ("mil:DefenceTreaty", "defence-treaty", 15, 2, 12),
    ("mil:StatusOfForcesAgreement", "sofa", 25, 2, 2),
    ("mil:MemorandumOfUnderstanding", "mou", 30, 2, 3),
    ("mil:ArmsControlAgreement", "arms-control", 15, 2, 40),
    ("mil:ConfidenceBuildingAgreement", "cbm", 15, 2, 50),
)
MEASURE_KINDS = (
    "mil:Hotline",
    "mil:PriorNotification",
    "mil:OnSiteInspection",
    "mil:ObservationFlight",
    "mil:DataExchange",
    "mil:IncidentPreventionMechanism",
    "mil:SatelliteTransparency",
    "mil:CyberCooperation",
    "mil:SharedIntelligencePlatform",
    "mil:MilitaryDialogue",
)
LOCATIONS = (
    "Baltic Sea", "North Sea", "Black Sea", "Mediterranean Sea", "Arabian Sea",
    "South China Sea", "Pacific Ocean", "Indian Ocean", "Caribbean Sea", "Arctic",
    "Sahel", "Gulf of Guinea", "Horn of Africa", "Central Asia", "Caucasus", "Andes",
)  # fmt: skip

#: Share of the triple budget per category; exercises fill whatever is left.
SHARES = {"memberships": 0.15, "agreements": 0.20, "measures": 0.07}


# --------------------------------------------------------------------------- writing


def lit(value: str, lang: str | None = None) -> str:
    """A Turtle string literal, escaped."""
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def dt(d: date) -> str:
    return f'"{d.isoformat()}"^^xsd:date'


def iri(value: str) -> str:
    return f"<{value}>"


@dataclass
class TurtleFile:
    """Turtle text for one file, written subject by subject, counting triples as it goes."""

    name: str
    comment: str
    lines: list[str] = field(default_factory=list)
    triples: int = 0

    def subject(self, subj: str, pairs: Sequence[tuple[str, str | Sequence[str]]]) -> int:
        """Write one subject block; objects given as a list share a predicate (``,``)."""
        parts: list[str] = []
        added = 0
        for pred, obj in pairs:
            objs = [obj] if isinstance(obj, str) else list(obj)
            if not objs:
                continue
            added += len(objs)
            parts.append(f"{pred} {' , '.join(objs)}")
        self.lines.append(f"{subj} " + " ;\n    ".join(parts) + " .\n")
        self.triples += added
        return added

    def render(self) -> str:
        head = [f"# {line}".rstrip() for line in self.comment.splitlines()]
        head += [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
        return "\n".join(head) + "\n\n" + "\n".join(self.lines)


# --------------------------------------------------------------------------- model


@dataclass
class Nation:
    code: str
    node: str
    weight: float


@dataclass
class Agreement:
    node: str
    slug: str
    parties: list[Nation]
    in_force: date | None


@dataclass
class Counts:
    """What was generated, for the data directory's README and the benchmark's report."""

    triples: int = 0
    per_file: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)


class Generator:
    """Builds the graph category by category from one seeded random stream."""

    def __init__(self, triples: int, seed: int) -> None:
        if triples < 500:
            raise ValueError(f"--triples {triples}: too small; use at least 500")
        self.target = triples
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_nations = max(12, min(200, triples // 500))
        self.n_orgs = max(4, min(1000, triples // 1000))
        self.files: dict[str, TurtleFile] = {}
        self.entities: dict[str, int] = {}
        self.nations: list[Nation] = []
        self.agreements: list[Agreement] = []

    # helpers ---------------------------------------------------------------

    def file(self, name: str, what: str) -> TurtleFile:
        if name not in self.files:
            comment = (
                f"Synthetic benchmark data ({what}), generated by benchmarks/generate.py "
                f"v{GENERATOR_VERSION}\n(--triples {self.target} --seed {self.seed}). "
                "Not real facts: every record cites the synthetic dataset."
            )
            self.files[name] = TurtleFile(name, comment)
        return self.files[name]

    @property
    def total(self) -> int:
        return sum(f.triples for f in self.files.values())

    def count(self, kind: str, n: int = 1) -> None:
        self.entities[kind] = self.entities.get(kind, 0) + n

    def day(self, start: date, end: date) -> date:
        """A uniformly random day in [start, end]."""
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def pick_nations(self, k: int, exclude: Sequence[Nation] = ()) -> list[Nation]:
        """k distinct nations, Zipf-weighted (active nations come up far more often)."""
        taken = {n.code for n in exclude}
        pool = [n for n in self.nations if n.code not in taken]
        k = min(k, len(pool))
        chosen: list[Nation] = []
        while len(chosen) < k:
            # Weighted sampling without replacement: draw, drop, repeat (pools are small).
            weights = [n.weight for n in pool]
            i = self.rng.choices(range(len(pool)), weights=weights)[0]
            chosen.append(pool.pop(i))
        return chosen

    # categories ------------------------------------------------------------

    def dataset(self) -> None:
        f = self.file("nations.ttl", "nations")
        f.subject(
            "dataset:milgraph-synthetic-benchmark",
            [
                ("rdfs:label", lit("milgraph synthetic benchmark graph", "en")),
                (
                    "rdfs:comment",
                    lit(
                        "Randomly generated records in the milgraph vocabulary, for "
                        "performance benchmarks only. None of it is true.",
                        "en",
                    ),
                ),
            ],
        )

    def make_nations(self) -> None:
        f = self.file("nations.ttl", "nations")
        for i in range(self.n_nations):
            code = "X" + LETTERS[i // 26] + LETTERS[i % 26]
            nation = Nation(code, f"nation:{code}", 1.0 / (i + 1) ** 0.9)
            self.nations.append(nation)
            born = self.day(date(1816, 1, 1), date(1995, 12, 31))
            f.subject(
                nation.node,
                [
                    ("a", "mil:Nation"),
                    ("rdfs:label", [lit(f"Synthetic Nation {code}", "en"),
                                    lit(f"Nation synthétique {code}", "fr")]),
                    ("mil:isoCode", lit(code)),
                    ("dcterms:source", "dataset:milgraph-synthetic-benchmark"),
                ],
            )  # fmt: skip
            period = iri(f"{ID}statehood/{code}/{born.isoformat()}")
            f.subject(
                period,
                [
                    ("a", "mil:StatehoodPeriod"),
                    ("mil:state", nation.node),
                    ("mil:startDate", dt(born)),
                    ("dcterms:source", "dataset:milgraph-synthetic-benchmark"),
                ],
            )
        self.count("nations", self.n_nations)

    def make_memberships(self) -> None:
        orgs = self.file("organizations.ttl", "organisations")
        mships = self.file("memberships.ttl", "memberships")
        budget = self.target * SHARES["memberships"]
        # ~5.6 triples per membership record, ~1.15 records per (member, organisation) pair.
        mean_size = max(2.0, budget / (self.n_orgs * 5.6 * 1.15))
        kinds, weights = zip(*ORG_KINDS, strict=True)
        for i in range(self.n_orgs):
            kind = self.rng.choices(kinds, weights=weights)[0]
            word = {"mil:Alliance": "Alliance", "mil:SecurityPartnership": "Partnership"}.get(
                kind, "Organisation"
            )
            short = f"SYN{i + 1:04d}"
            node = f"org:{short}"
            founded = self.day(date(1945, 1, 1), date(2015, 12, 31))
            orgs.subject(
                node,
                [
                    ("a", kind),
                    ("rdfs:label", lit(f"Synthetic {word} {i + 1:04d}", "en")),
                    ("skos:altLabel", lit(short)),
                    ("dcterms:source", "dataset:milgraph-synthetic-benchmark"),
                ],
            )
            # Skewed sizes: most organisations are small, a few are very large.
            size = round(self.rng.lognormvariate(math.log(mean_size) - 0.5, 1.0))
            size = max(2, min(self.n_nations, size))
            for member in self.pick_nations(size):
                self._member_periods(mships, short, node, member, founded)
        self.count("organizations", self.n_orgs)

    def _member_periods(
        self, f: TurtleFile, short: str, org: str, member: Nation, founded: date
    ) -> None:
        periods = self.rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        start = self.day(founded, TODAY - timedelta(days=400))
        for p in range(periods):
            end: date | None = None
            if p < periods - 1 or self.rng.random() < 0.4:
                end = start + timedelta(days=self.rng.randint(365, 30 * 365))
                if end >= TODAY:
                    end = None  # would end in the future: still ongoing
            pairs: list[tuple[str, str | Sequence[str]]] = [
                ("a", "mil:Membership"),
                ("mil:member", member.node),
                ("mil:organization", org),
                ("mil:startDate", dt(start)),
            ]
            if end is not None:
                pairs.append(("mil:endDate", dt(end)))
            if self.rng.random() < 0.08:
                pairs.append(("mil:role", self.rng.choice(ROLES)))
            pairs.append(("dcterms:source", "dataset:milgraph-synthetic-benchmark"))
            node = iri(f"{ID}membership/{short}/{member.code}/{start.isoformat()}")
            f.subject(node, pairs)
            self.count("memberships")
            if end is None:
                break
            start = self.day(end + timedelta(days=30), min(TODAY, end + timedelta(days=3650)))
            if start >= TODAY:
                break

    def make_agreements(self) -> None:
        f = self.file("agreements.ttl", "agreements and adherence records")
        budget = self.target * SHARES["agreements"]
        start_total = self.total
        n = 0
        while self.total - start_total < budget:
            n += 1
            cls, word, _, low, high = self.rng.choices(
                AGREEMENT_KINDS, weights=[k[2] for k in AGREEMENT_KINDS]
            )[0]
            k = low if low == high else min(high, low + int(self.rng.paretovariate(1.2)) - 1)
            slug = f"syn-{word}-{n:05d}"
            node = f"agreement:{slug}"
            signed = self.day(date(1950, 1, 1), date(2024, 6, 30))
            in_force = (
                self.day(signed, signed + timedelta(days=700)) if self.rng.random() < 0.9 else None
            )
            if in_force is not None and in_force > TODAY:
                in_force = None
            pairs: list[tuple[str, str | Sequence[str]]] = [
                ("a", cls),
                ("rdfs:label", lit(f"Synthetic {word.replace('-', ' ')} {n:05d}", "en")),
                ("mil:signatureDate", dt(signed)),
            ]
            terminated: date | None = None
            if in_force is not None:
                pairs.append(("mil:entryIntoForceDate", dt(in_force)))
                if self.rng.random() < 0.1 and in_force + timedelta(days=400) < TODAY:
                    terminated = self.day(in_force + timedelta(days=365), TODAY)
                    pairs.append(("mil:terminationDate", dt(terminated)))
            pairs.append(("dcterms:source", "dataset:milgraph-synthetic-benchmark"))
            f.subject(node, pairs)
            parties = self.pick_nations(k)
            for party in parties:
                self._adherence(f, slug, node, party, signed, in_force, terminated)
            self.agreements.append(Agreement(node, slug, parties, in_force))
            self.count("adherences", len(parties))
        self.count("agreements", n)

    def _adherence(
        self,
        f: TurtleFile,
        slug: str,
        agreement: str,
        party: Nation,
        signed: date,
        in_force: date | None,
        terminated: date | None,
    ) -> None:
        party_signed = self.day(signed, signed + timedelta(days=90))
        pairs: list[tuple[str, str | Sequence[str]]] = [
            ("a", "mil:Adherence"),
            ("mil:adherent", party.node),
            ("mil:agreement", agreement),
            ("mil:signatureDate", dt(party_signed)),
        ]
        if in_force is not None:
            horizon = terminated or TODAY
            # in force for the party on or after its own signature (a shape checks the order)
            joined = self.day(
                max(in_force, party_signed), min(horizon, in_force + timedelta(days=3650))
            )
            pairs.append(("mil:entryIntoForceDate", dt(joined)))
            r = self.rng.random()
            if r < 0.05 and horizon - joined > timedelta(days=800):
                left = self.day(joined + timedelta(days=400), horizon)
                pairs.append(("mil:withdrawalNoticeDate", dt(left - timedelta(days=180))))
                pairs.append(("mil:withdrawalDate", dt(left)))
            elif r < 0.07 and horizon - joined > timedelta(days=800):
                pairs.append(("mil:suspensionDate", dt(self.day(joined, horizon))))
        pairs.append(("dcterms:source", "dataset:milgraph-synthetic-benchmark"))
        f.subject(iri(f"{ID}adherence/{slug}/{party.code}"), pairs)

    def make_measures(self) -> None:
        f = self.file("measures.ttl", "trust-building measures")
        budget = self.target * SHARES["measures"]
        start_total = self.total
        eligible = [a for a in self.agreements if len(a.parties) >= 2 and a.in_force]
        n = 0
        while eligible and self.total - start_total < budget:
            n += 1
            agreement = self.rng.choice(eligible)
            k = self.rng.randint(2, min(6, len(agreement.parties)))
            parties = self.rng.sample(agreement.parties, k)
            assert agreement.in_force is not None
            cls = self.rng.choice(MEASURE_KINDS)
            word = cls.removeprefix("mil:")
            f.subject(
                f"measure:syn-{n:05d}",
                [
                    ("a", cls),
                    ("rdfs:label", lit(f"Synthetic {word} {n:05d}", "en")),
                    ("mil:establishedBy", agreement.node),
                    ("mil:party", [p.node for p in parties]),
                    ("mil:startDate", dt(self.day(agreement.in_force, TODAY))),
                    ("dcterms:source", "dataset:milgraph-synthetic-benchmark"),
                ],
            )
        self.count("measures", n)

    def make_exercises(self) -> None:
        f = self.file("exercises.ttl", "exercise series and editions")
        s = 0
        editions = 0
        while self.total < self.target:
            s += 1
            slug = f"syn-{s:04d}"
            core = self.pick_nations(self.rng.randint(2, 8))
            hosts = core[: self.rng.randint(1, 2)]
            f.subject(
                f"series:{slug}",
                [
                    ("a", "mil:ExerciseSeries"),
                    ("rdfs:label", lit(f"Synthetic Exercise {s:04d}", "en")),
                    ("dcterms:source", "dataset:milgraph-synthetic-benchmark"),
                ],
            )
            domain = self.rng.choice(DOMAINS)
            location = self.rng.choice(LOCATIONS)
            step = self.rng.choice((1, 1, 1, 2))
            first = self.rng.randint(1960, 2022)
            last = min(2025, first + self.rng.randint(0, 45))
            for year in range(first, last + 1, step):
                if self.total >= self.target:
                    break
                editions += 1
                self._edition(f, slug, s, year, core, hosts, domain, location)
        self.count("exercise_series", s)
        self.count("exercises", editions)

    def _edition(
        self,
        f: TurtleFile,
        slug: str,
        s: int,
        year: int,
        core: list[Nation],
        hosts: list[Nation],
        domain: str,
        location: str,
    ) -> None:
        size = min(15, 3 + int(self.rng.expovariate(1 / 4.0)))
        regulars = [n for n in core if self.rng.random() < 0.85]
        host = self.rng.choice(hosts)
        if host not in regulars:
            regulars.insert(0, host)
        participants = regulars[:size]
        participants += self.pick_nations(size - len(participants), exclude=participants)
        start = self.day(date(year, 1, 1), date(year, 11, 30))
        pairs: list[tuple[str, str | Sequence[str]]] = [
            ("a", "mil:MilitaryExercise"),
            ("rdfs:label", lit(f"Synthetic Exercise {s:04d} {year}", "en")),
            ("mil:partOfSeries", f"series:{slug}"),
            ("mil:startDate", dt(start)),
        ]
        if self.rng.random() < 0.9:  # some editions have no recorded end date
            pairs.append(("mil:endDate", dt(start + timedelta(days=self.rng.randint(4, 21)))))
        pairs += [
            ("mil:host", host.node),
            ("mil:participant", [p.node for p in participants]),
            ("mil:domain", domain),
        ]
        if self.rng.random() < 0.6:
            pairs.append(("mil:location", lit(location)))
        if self.rng.random() < 0.1:
            observer = self.pick_nations(1, exclude=participants)
            pairs.append(("mil:observer", [o.node for o in observer]))
        pairs.append(("dcterms:source", "dataset:milgraph-synthetic-benchmark"))
        f.subject(f"exercise:{slug}-{year}", pairs)

    # driver ----------------------------------------------------------------

    def run(self) -> Counts:
        self.dataset()
        self.make_nations()
        self.make_memberships()
        self.make_agreements()
        self.make_measures()
        self.make_exercises()
        return Counts(
            triples=self.total,
            per_file={name: f.triples for name, f in self.files.items()},
            entities=dict(self.entities),
        )


def generate(triples: int, seed: int, out: Path) -> Counts:
    """Write the synthetic graph to ``out`` (created if missing); return what was written.

    Existing ``*.ttl`` files in ``out`` are replaced, so a directory never mixes two sizes.
    """
    gen = Generator(triples, seed)
    counts = gen.run()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.ttl"):
        if stale.name not in gen.files:
            stale.unlink()
    for name, f in gen.files.items():
        (out / name).write_text(f.render(), encoding="utf-8")
    (out / "README.md").write_text(_readme(triples, seed, counts), encoding="utf-8")
    return counts


def _readme(triples: int, seed: int, counts: Counts) -> str:
    lines = [
        "# Synthetic benchmark graph",
        "",
        f"Generated by `python -m benchmarks.generate --triples {triples} --seed {seed}` "
        f"(generator v{GENERATOR_VERSION}). Synthetic: none of it is true.",
        "",
        f"Asserted triples: {counts.triples}",
        "",
        "| file | triples |",
        "|---|---:|",
        *(f"| {name} | {n} |" for name, n in counts.per_file.items()),
        "",
        "| records | count |",
        "|---|---:|",
        *(f"| {name} | {n} |" for name, n in counts.entities.items()),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Write a deterministic synthetic graph in the milgraph vocabulary.",
    )
    parser.add_argument("--triples", type=int, default=200_000, help="about this many triples")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same bytes)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    try:
        counts = generate(args.triples, args.seed, args.out)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {counts.triples} triples to {args.out}/ " + ", ".join(
        f"{name} {n}" for name, n in counts.per_file.items()
    ))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
