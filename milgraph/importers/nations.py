"""Which nation node a Correlates of War code (on a date) or a country name stands for.

Policy (docs/identifiers.md): a current state is ``id/nation/{ISO 3166-1 alpha-3}``; a historical
state with an ISO 3166-3 former code uses that code (``SUN``, ``DDR``, ``CSK``, ``YUG``...); any
other historical state is ``id/nation/cow-{COW abbreviation}``.

COW codes are mapped to ISO alpha-3 with the countrycode crosswalk (../shared/datasets/
country-codes). Where COW keeps one code across what are distinct states (255, 345, 365), the
crosswalk lacks a code (260, 730) or maps it to a different state (327), the hand-written
tables below decide, each entry with its reason. A code is therefore always resolved *with a
date*: 365 in 1980 is the Soviet Union, in 1995 the Russian Federation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from milgraph.errors import InputError, Location
from milgraph.importers.csvfile import DATASETS_DIR, read_rows, shown
from milgraph.namespaces import ID_IRI

CODES_FILE = "countrycode_codelist_without_cldr.csv"
DEFAULT_CODES = DATASETS_DIR / "country-codes" / CODES_FILE


def nation_iri(slug: str) -> str:
    return f"{ID_IRI}nation/{slug}"


@dataclass(frozen=True)
class HistoricalNation:
    """A nation node the crosswalk alone does not give (or gives wrongly)."""

    label: str
    iso: str | None
    reason: str
    alt_labels: tuple[str, ...] = ()


# --- Historical-state decisions -------------------------------------------------------------
# Every node below exists because COW and ISO disagree about what "one state" is, or because
# the crosswalk has no row for the COW code. The reason is written into the data as rdfs:comment.
HISTORICAL: dict[str, HistoricalNation] = {
    "DEU": HistoricalNation(
        "Germany", "DEU",
        "Today's Germany. The Federal Republic (COW 260 GFR, 1955-1990) is the same state: "
        "ISO DEU was its code and it continued after the GDR acceded on 1990-10-03, from "
        "when COW codes it 255 again.",
        ("German Federal Republic",),
    ),
    "cow-GMY": HistoricalNation(
        "Germany (Prussia and the German Reich, to 1945)", None,
        "COW code 255 from 1816 (Prussia, from 1871 the German Reich) to 1945-05-08. "
        "COW reuses 255 for united Germany from 1990-10-03, a different node (DEU).",
        ("Prussia", "German Reich"),
    ),
    "DDR": HistoricalNation(
        "German Democratic Republic", "DDR",
        "COW 265 GDR, 1954-1990; ISO 3166-3 former code DDR (DDDE).",
        ("East Germany",),
    ),
    "CSK": HistoricalNation(
        "Czechoslovakia", "CSK",
        "COW 315 (abbreviation CZE), 1918-1939 and 1945-1992; ISO 3166-3 former code CSK "
        "(CSHH). Not today's Czechia (ISO CZE, COW 316 CZR).",
    ),
    "YUG": HistoricalNation(
        "Yugoslavia", "YUG",
        "COW 345 from 1878 (Kingdom of Serbia, from 1918 the Kingdom of Yugoslavia, from 1945 "
        "the Socialist Federal Republic) until the Federal Republic of Yugoslavia was "
        "proclaimed on 1992-04-27; ISO 3166-3 former code YUG. COW keeps 345 to today.",
        ("Socialist Federal Republic of Yugoslavia",),
    ),
    "SRB": HistoricalNation(
        "Serbia", "SRB",
        "COW 345 from 1992-04-27: the Federal Republic of Yugoslavia, renamed Serbia and "
        "Montenegro on 2003-02-04 and continued by Serbia from 2006-06-05; the UN admitted it "
        "as a new Member on 2000-11-01 and lists it as Serbia. One node for the three names, "
        "as in data/un.ttl; the crosswalk has Serbia without a COW code because COW keeps 345.",
        ("Federal Republic of Yugoslavia", "Serbia and Montenegro"),
    ),
    "cow-RUS": HistoricalNation(
        "Russia (Russian Empire and Soviet Russia, to 1922)", None,
        "COW 365 from 1816 until the Soviet Union was founded on 1922-12-30. COW keeps 365 "
        "without a break to today; the Soviet Union (SUN) and the Russian Federation (RUS, "
        "mil:successorOf SUN) are separate nodes.",
    ),
    "SUN": HistoricalNation(
        "Soviet Union", "SUN",
        "COW 365 from 1922-12-30 (Treaty on the Creation of the USSR) to 1991-12-26 "
        "(dissolution); ISO 3166-3 former code SUN (SUHH).",
        ("Union of Soviet Socialist Republics", "USSR"),
    ),
    "RUS": HistoricalNation(
        "Russia", "RUS",
        "COW 365 from 1991-12-26: the Russian Federation, continuing state of the Soviet Union.",
        ("Russian Federation",),
    ),
    "cow-YAR": HistoricalNation(
        "Yemen Arab Republic", None,
        "COW 678 YAR, 1926-1990 (North Yemen). United Yemen (COW 679, ISO YEM) is a new state "
        "formed on 1990-05-22; the YAR gets its own node although ISO reused its code YEM.",
    ),
    "YMD": HistoricalNation(
        "Democratic Yemen", "YMD",
        "COW 680 YPR, 1967-1990 (South Yemen); ISO 3166-3 former code YMD (YDYE).",
        ("Yemen People's Republic", "South Yemen"),
    ),
    "cow-RVN": HistoricalNation(
        "Republic of Vietnam", None,
        "COW 817 RVN, 1954-1975 (South Vietnam). Today's Vietnam (VNM) continues the "
        "Democratic Republic of Vietnam, COW 816.",
    ),
    "cow-PAP": HistoricalNation(
        "Papal States", None,
        "COW 327 PAP, 1816-1860. The crosswalk maps 327 to ISO VAT (Vatican City), a state "
        "founded in 1929 that COW does not list; the Papal States get their own node.",
    ),
    "cow-KOR": HistoricalNation(
        "Korea (to 1905)", None,
        "COW 730 KOR, 1887-1905 (Joseon Korea / Korean Empire); not in the crosswalk and not "
        "the Republic of Korea (COW 732, ISO KOR).",
    ),
}

# --- COW code -> node by date ---------------------------------------------------------------
# Each code maps to windows (first day, node); a window lasts until the next one starts. A node
# of None is a gap: the code stands for no state then, and a lookup there is an error.
# Codes not listed use the crosswalk's ISO alpha-3, or cow-{abbreviation} when it has none.
CODE_WINDOWS: dict[int, tuple[tuple[date | None, str | None], ...]] = {
    # Code reused: the Reich to its surrender, nothing while Germany was divided (the FRG is
    # 260, the GDR 265), united Germany from reunification.
    255: ((None, "cow-GMY"), (date(1945, 5, 9), None), (date(1990, 10, 3), "DEU")),
    260: ((None, "DEU"),),  # missing from the crosswalk; the FRG is today's Germany
    265: ((None, "DDR"),),
    315: ((None, "CSK"),),
    # The SFRY dissolved; the FRY (today's Serbia) was proclaimed on 1992-04-27.
    345: ((None, "YUG"), (date(1992, 4, 27), "SRB")),
    365: ((None, "cow-RUS"), (date(1922, 12, 30), "SUN"), (date(1991, 12, 26), "RUS")),
    327: ((None, "cow-PAP"),),  # not Vatican City (VAT), as the crosswalk has it
    678: ((None, "cow-YAR"),),
    680: ((None, "YMD"),),
    730: ((None, "cow-KOR"),),  # missing from the crosswalk
    817: ((None, "cow-RVN"),),
    # A state whose code means nothing before it existed (South Sudan, independent on
    # 2011-07-09): MME's "South Sudan" in Africa Endeavour 2010 is no state, not SSD.
    626: ((None, None), (date(2011, 7, 9), "SSD")),
}

#: First day of statehood of successor states that some datasets list, under today's name,
#: with actions of their predecessor (UNODA: "Slovakia" signing the Open Skies Treaty in 1992
#: for Czechoslovakia, "Montenegro" signing in 1967 for Yugoslavia, "Yemen" in 1968 for one
#: of the two Yemens). Importers of such datasets pass it to ``resolve`` so that the action is
#: reported, not given to the successor. (Not a global window: ATOP and COW use the codes
#: for earlier states too, e.g. COW 341 for the Kingdom of Montenegro, 1878-1915.)
SUCCESSOR_STATES_FROM: dict[int, date] = {
    316: date(1993, 1, 1),  # Czechia
    317: date(1993, 1, 1),  # Slovakia
    341: date(2006, 6, 3),  # Montenegro (independence from Serbia and Montenegro)
    679: date(1990, 5, 22),  # united Yemen
    626: date(2011, 7, 9),  # South Sudan
}

# --- successor links (successor, predecessor, reason) ---------------------------------------
SUCCESSORS: tuple[tuple[str, str, str], ...] = (
    # Only where sure, and as data/un.ttl states them (one fact, one wording).
    ("RUS", "SUN", "the Russian Federation is the continuing state of the USSR"),
    ("DEU", "DDR", "the GDR acceded to the Federal Republic on 1990-10-03"),
    ("CZE", "CSK", "Czechoslovakia dissolved into Czechia and Slovakia on 1993-01-01"),
    ("SVK", "CSK", "Czechoslovakia dissolved into Czechia and Slovakia on 1993-01-01"),
    ("YEM", "cow-YAR", "the two Yemens united on 1990-05-22"),
    ("YEM", "YMD", "the two Yemens united on 1990-05-22"),
    ("TZA", "cow-ZAN", "Tanganyika and Zanzibar united on 1964-04-26"),
    ("SRB", "YUG", "successor state of the SFRY (the Federal Republic of Yugoslavia)"),
    ("HRV", "YUG", "successor state of the SFRY"),
    ("SVN", "YUG", "successor state of the SFRY"),
    ("BIH", "YUG", "successor state of the SFRY"),
    ("MKD", "YUG", "successor state of the SFRY"),
)

# --- names the crosswalk does not resolve as the data means them ----------------------------
#: name (casefolded) -> COW code. Checked before the crosswalk.
NAME_ALIASES: dict[str, int] = {
    # The crosswalk maps West Germany to 255 (Germany), which before 1990 is the Reich node.
    "federal republic of germany": 260,
    "west germany": 260,
    "german federal republic": 260,
    # COW keeps 345 for Serbia; the crosswalk lists Serbia without a COW code.
    "serbia": 345,
    "serbia and montenegro": 345,
    "federal republic of yugoslavia": 345,
    # An old name of St Kitts and Nevis the crosswalk's pattern does not know.
    "st. christopher": 60,
    "saint christopher": 60,
    # Spellings of the US Foreign Military Training Report the crosswalk does not match.
    "micronesia": 987,  # the Federated States of Micronesia (the crosswalk has only the long form)
    "republic of serbia": 345,
    "serbia, republic of": 345,
    "sudan, republic of south": 626,
    "sudan, republic of southern": 626,
}

#: names that stand for a curated nation node without a COW code (data/un.ttl) -> slug.
NODE_NAMES: dict[str, str] = {
    "holy see": "VAT",  # UN observer state; the crosswalk's 327 is the Papal States
    "state of palestine": "PSE",  # UN observer state, party to treaties since 2014
}

#: names that match a crosswalk pattern but stand for no state -> reason.
NOT_STATES: dict[str, str] = {
    "indochina": "a region (former French Indochina), not a state; the crosswalk's China "
                 "pattern matches it",
    "sudan, government of southern": "the autonomous Government of Southern Sudan, before "
                                     "South Sudan's independence on 2011-07-09",
}

#: ISO 3166 alpha-3 codes as datasets write them -> COW code, where the crosswalk's ISO column
#: does not give the state the dataset means.
ISO_ALIASES: dict[str, int] = {
    "DEU": 260,  # before 1990 the Federal Republic (COW 260), after it united Germany: node DEU
    "ROM": 360,  # ISO's alpha-3 code for Romania until 2002 (now ROU)
    "SRB": 345,  # COW keeps 345 for Serbia; the crosswalk lists Serbia without a COW code
    "CSK": 315,  # ISO 3166-3 former codes of states COW codes
    "DDR": 265,
    "YUG": 345,
    "SUN": 365,
    "YMD": 680,
}

#: names of organisations that take part as such -> IRI (curated organisation nodes).
ORGANIZATIONS: dict[str, str] = {
    "nato": f"{ID_IRI}org/NATO",
}

#: names that stand for several states without saying which (kept, reported, not expanded).
GROUPS: frozenset[str] = frozenset({"baltic states"})

#: markers of a missing value.
MISSING: frozenset[str] = frozenset({"", "-9", "na", "n/a"})


def next_day(d: date) -> date:
    return d + timedelta(days=1)


class UnknownCode(LookupError):
    """A code that is not a COW state code known to the crosswalk or the tables above."""


@dataclass(frozen=True)
class Segment:
    """Part of an interval during which a code stands for one nation node."""

    slug: str
    start: date
    end: date | None  # exclusive; None = open


@dataclass(frozen=True)
class NameMatch:
    """What a free-text participant name stands for."""

    kind: str  # "state" | "node" | "organization" | "missing" | "unresolved"
    ccode: int | None = None
    iri: str | None = None
    reason: str | None = None


@dataclass
class CrosswalkRow:
    name: str
    iso3: str | None
    ccode: int | None
    cow_abbreviation: str | None
    names: set[str] = field(default_factory=set)
    pattern: re.Pattern[str] | None = None


class NationResolver:
    """Resolves COW codes (with dates) and country names to nation nodes."""

    def __init__(self, codes_csv: Path = DEFAULT_CODES) -> None:
        self.source = codes_csv
        self.rows: list[CrosswalkRow] = []
        self._by_code: dict[int, CrosswalkRow] = {}
        self._by_name: dict[str, list[CrosswalkRow]] = {}
        self._by_iso: dict[str, CrosswalkRow] = {}
        self._load(codes_csv)

    def _load(self, path: Path) -> None:
        required = ("country.name.en", "country.name.en.regex", "iso3c", "cowc", "cown")
        for row in read_rows(path, required):
            if row.problem:
                raise InputError(Location(shown(path), row.line), row.problem)
            ccode = int(row["cown"]) if row["cown"] else None
            pattern = None
            if row["country.name.en.regex"]:
                try:
                    pattern = re.compile(row["country.name.en.regex"], re.IGNORECASE)
                except re.error as exc:
                    raise InputError(Location(shown(path), row.line),
                                     f"bad name pattern: {exc}") from exc
            entry = CrosswalkRow(row["country.name.en"], row["iso3c"] or None, ccode,
                                 row["cowc"] or None, pattern=pattern)
            for col in ("country.name.en", "cow.name", "iso.name.en", "un.name.en"):
                value = row.values.get(col, "").strip()
                if value:
                    entry.names.add(value.casefold())
            self.rows.append(entry)
            if entry.iso3:
                self._by_iso.setdefault(entry.iso3.upper(), entry)
            if ccode is not None:
                self._by_code.setdefault(ccode, entry)
            for name in entry.names:
                self._by_name.setdefault(name, []).append(entry)

    # -- codes -----------------------------------------------------------------------------

    def knows(self, ccode: int) -> bool:
        return ccode in CODE_WINDOWS or ccode in self._by_code

    def default_slug(self, ccode: int) -> str:
        row = self._by_code.get(ccode)
        if row is None:
            raise UnknownCode(f"{ccode} is not a COW state code in the crosswalk")
        if row.iso3:
            return row.iso3
        if not row.cow_abbreviation:
            raise UnknownCode(f"COW code {ccode} has neither an ISO code nor a COW abbreviation")
        return f"cow-{row.cow_abbreviation}"

    def windows(self, ccode: int) -> tuple[tuple[date | None, str | None], ...]:
        if ccode in CODE_WINDOWS:
            return CODE_WINDOWS[ccode]
        return ((None, self.default_slug(ccode)),)

    def at(self, ccode: int, day: date) -> str:
        """The nation node a COW code stands for on a day."""
        slug: str | None = None
        for start, candidate in self.windows(ccode):
            if start is None or start <= day:
                slug = candidate
        if slug is None:
            raise UnknownCode(f"COW code {ccode} stands for no state on {day.isoformat()}")
        return slug

    def segments(self, ccode: int, start: date, end: date | None) -> list[Segment]:
        """Split ``[start, end)`` where the code changes the node it stands for.

        Raises UnknownCode when part of the interval falls where the code means no state.
        """
        windows = self.windows(ccode)
        out: list[Segment] = []
        for i, (w_start, slug) in enumerate(windows):
            w_end = windows[i + 1][0] if i + 1 < len(windows) else None
            lo = start if w_start is None else max(start, w_start)
            hi = end if w_end is None else (w_end if end is None else min(end, w_end))
            if hi is None or lo < hi:
                if slug is None:
                    raise UnknownCode(
                        f"COW code {ccode} stands for no state from {lo.isoformat()}"
                        + (f" to {hi.isoformat()}" if hi else "")
                    )
                out.append(Segment(slug, lo, hi))
        return out or [Segment(self.at(ccode, start), start, end)]

    def in_year(self, ccode: int, year: int) -> set[str]:
        """Every node the code stands for on some day of the year."""
        lo, hi = date(year, 1, 1), date(year + 1, 1, 1)
        windows = self.windows(ccode)
        out: set[str] = set()
        for i, (w_start, slug) in enumerate(windows):
            w_end = windows[i + 1][0] if i + 1 < len(windows) else None
            if slug and (w_start is None or w_start < hi) and (w_end is None or w_end > lo):
                out.add(slug)
        return out

    def slugs(self, ccode: int) -> list[str]:
        """Every node the code can stand for, in time order."""
        return [slug for _, slug in self.windows(ccode) if slug]

    def crosswalk_name(self, ccode: int) -> str | None:
        row = self._by_code.get(ccode)
        return row.name if row else None

    def crosswalk_iso(self, ccode: int) -> str | None:
        row = self._by_code.get(ccode)
        return row.iso3 if row else None

    # -- names -----------------------------------------------------------------------------

    def exact_code(self, name: str) -> int | None:
        """COW code of a name known exactly (alias or crosswalk name), without patterns."""
        key = " ".join(name.split()).casefold()
        if key in NAME_ALIASES:
            return NAME_ALIASES[key]
        codes = {r.ccode for r in self._by_name.get(key, [])}
        return codes.pop() if len(codes) == 1 else None

    def match_iso(self, code: str) -> NameMatch:
        """What an ISO 3166 alpha-3 code (as a dataset writes it) stands for."""
        key = code.strip().upper()
        if key.casefold() in MISSING:
            return NameMatch("missing", reason="missing-value marker")
        if key.casefold() in ORGANIZATIONS:
            return NameMatch("organization", iri=ORGANIZATIONS[key.casefold()])
        if key in ISO_ALIASES:
            return NameMatch("state", ccode=ISO_ALIASES[key])
        row = self._by_iso.get(key)
        if row is None:
            return NameMatch("unresolved", reason="not an ISO 3166 alpha-3 code in the crosswalk")
        if row.ccode is None:
            return NameMatch(
                "unresolved",
                reason=f"{row.name} is not a state of the COW system (a dependent territory)",
            )
        return NameMatch("state", ccode=row.ccode)

    def resolve(self, match: NameMatch, first: date, last: date,
                exists_from: dict[int, date] | None = None) -> tuple[str | None, str]:
        """The node a matched name stands for from ``first`` to ``last`` (inclusive), or
        (None, reason) when it stands for none or for two nodes in that time.

        ``exists_from`` (e.g. SUCCESSOR_STATES_FROM) makes a code stand for no state before
        the given day."""
        if match.kind == "node" and match.iri:
            return match.iri, ""
        if match.kind == "organization" and match.iri:
            return match.iri, ""
        if match.kind != "state" or match.ccode is None:
            return None, match.reason or "not resolved"
        start = (exists_from or {}).get(match.ccode)
        if start is not None and first < start:
            return None, (f"COW {match.ccode} ({self.crosswalk_name(match.ccode)}) is a state "
                          f"only from {start.isoformat()}: the action is its predecessor's")
        try:
            segments = self.segments(match.ccode, first, next_day(last))
        except UnknownCode as exc:
            return None, str(exc)
        slugs = {seg.slug for seg in segments}
        if len(slugs) == 1:
            return nation_iri(slugs.pop()), ""
        return None, (f"COW {match.ccode} stands for {', '.join(sorted(slugs))} "
                      f"between {first.isoformat()} and {last.isoformat()}")

    def match_name(self, name: str) -> NameMatch:
        """What a free-text participant name stands for (a COW code still needs a date)."""
        key = " ".join(name.split()).casefold()
        if key in MISSING:
            return NameMatch("missing", reason="missing-value marker")
        if key in ORGANIZATIONS:
            return NameMatch("organization", iri=ORGANIZATIONS[key])
        if key in NODE_NAMES:
            return NameMatch("node", iri=nation_iri(NODE_NAMES[key]))
        if key in NOT_STATES:
            return NameMatch("unresolved", reason=NOT_STATES[key])
        if key in GROUPS:
            return NameMatch("unresolved", reason="a group of states, not named one by one")
        if key in NAME_ALIASES:
            return NameMatch("state", ccode=NAME_ALIASES[key])
        rows = self._by_name.get(key)
        if not rows:
            rows = [r for r in self.rows if r.pattern is not None and r.pattern.search(name)]
        if not rows:
            return NameMatch("unresolved", reason="no country of this name in the crosswalk")
        codes = {r.ccode for r in rows}
        if len(rows) > 1 and len(codes) > 1:
            names = ", ".join(sorted(r.name for r in rows))
            return NameMatch("unresolved", reason=f"ambiguous: matches {names}")
        row = rows[0]
        if row.ccode is None:
            return NameMatch(
                "unresolved",
                reason=f"{row.name} is not a state of the COW system (a dependent territory)",
            )
        return NameMatch("state", ccode=row.ccode)



class NationLabels:
    """An English name for a nation node, for the labels of records about it: the curated
    label (data/*.ttl), else the historical table's, else the crosswalk's, else the slug."""

    def __init__(self, resolver: NationResolver, curated: object) -> None:
        self.resolver = resolver
        self.curated = curated
        self._by_slug = {row.iso3: row.name for row in resolver.rows if row.iso3}
        for row in resolver.rows:
            if row.cow_abbreviation:
                self._by_slug.setdefault(f"cow-{row.cow_abbreviation}", row.name)

    def label(self, slug_or_iri: str) -> str:
        slug = slug_or_iri.rsplit("/", 1)[-1]
        labels = sorted(self.curated.labels(nation_iri(slug), "en"))  # type: ignore[attr-defined]
        if labels:
            return labels[0]
        if slug in HISTORICAL:
            return HISTORICAL[slug].label
        return self._by_slug.get(slug, slug)

    def short(self, slug_or_iri: str) -> str:
        """The label without a parenthetical period ("Germany (Prussia ..., to 1945)" ->
        "Germany"), for names made of several states."""
        return re.sub(r"\s*\([^)]*\)$", "", self.label(slug_or_iri))
