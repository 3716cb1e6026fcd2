"""US training programmes as the Foreign Military Training Report prints them, and course kinds.

The report's programme strings vary from year to year ("International Military Education And
Training (IMET), FY 00", "IMET-1 - Fiscal Year 2019 Department of State Training", "DOD Africa
Region, Botswana, DoD Regional Centers for Strategic Studies, FY 01"). ``programme_of`` maps
each to one programme node of ``data/training.ttl`` (``id/training/{slug}``) by the first
pattern of PROGRAMMES that occurs in it; the string itself is kept on the record as
``mil:reportedProgramme``. Sub-programmes the report distinguishes by a code suffix (IMET-1,
IMET-2, IMET-X, IMET-D&R) are IMET; the five DoD Regional Centers (Marshall Center,
Asia-Pacific Center, Africa Center, Center for Hemispheric Defense Studies, NESA Center) are
one programme, "Regional Centers", as the report itself lists them from FY 2007.

``course_kind`` classifies a course title as officer education or a skill course, or leaves it
unclassified (docs/data-imported.md gives the rule and its test cases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Programme:
    slug: str  # id/training/{slug}
    pattern: re.Pattern[str]
    short: str  # how labels of yearly records name it


def _p(slug: str, pattern: str, short: str) -> Programme:
    return Programme(slug, re.compile(pattern, re.IGNORECASE), short)


#: First match wins: more specific patterns come first.
PROGRAMMES: tuple[Programme, ...] = (
    _p("us-imet", r"\bIMET\b|International Military Education", "IMET"),
    _p("us-fmf", r"\bFMF\b|Foreign Military Financing", "FMF"),
    _p("us-credit-repayable", r"Credit \(Repayable\)", "Credit (Repayable)"),
    _p("us-ctiwfp", r"\bCTIWFP\b", "CTIWFP"),
    _p("us-ctpf", r"\bCTPF\b", "CTPF"),
    _p("us-ctfp", r"\bCTFP\b|Counter-?terrorism Fellowship|Combating Terrorism Fellowship",
       "CTFP"),
    _p("us-regional-centers", r"Regional Centers|Marshall Center|Asia[- ]Pacific Center|"
       r"Africa Center for Strategic Studies|Hemispheric Defense Studies|"
       r"Near East South Asia Center|\bNESA\b", "Regional Centers"),
    _p("us-section-1004", r"Section 1004|Drug Interdiction and Counter-Drug", "Section 1004"),
    _p("us-section-1206", r"Section 1206", "Section 1206"),
    _p("us-section-1207", r"Section 1207", "Section 1207"),
    _p("us-section-1203", r"Section 1203", "Section 1203"),
    _p("us-section-333", r"Section 333", "Section 333"),
    _p("us-section-506", r"Section 506", "Section 506"),
    _p("us-gpoi", r"\bGPOI\b", "GPOI"),
    _p("us-pko", r"\bPKO\b", "PKO"),
    _p("us-eipc", r"\bEIPC\b|Enhanced International Peacekeeping", "EIPC"),
    _p("us-acri", r"\bACRI\b|African Crisis Response Initiative", "ACRI"),
    _p("us-acota", r"African Contingency Operations Training", "ACOTA"),
    _p("us-usaid", r"\bUSAID\b|Agency for International Development", "USAID"),
    _p("us-incle", r"\bINL\b|\bINCLE\b|International Narcotics", "INCLE"),
    _p("us-nadr", r"\bNADR\b", "NADR"),
    _p("us-service-academies", r"Service Academ", "Service Academies"),
    _p("us-alp", r"\bALP\b|Aviation Leadership", "ALP"),
    _p("us-pme-exchanges", r"\bPME\b", "PME Exchanges"),
    _p("us-exchange-training", r"^(DOD .*, )?Exchanges?\b|Exchange Training", "Exchange Training"),
    _p("us-non-sa-unified-command", r"Non-SA, UC|Non-Security Assistance, (Unified|Combatant) "
       r"Command", "Non-SA Unified Command"),
    _p("us-misc-dod-dos", r"\bMisc(ellaneous)?\b", "Misc DoD/DoS Non-SA"),
    _p("us-uscg", r"\bUSCG\b|Coas?t Guard", "USCG"),
    _p("us-hma", r"\bHMA\b", "HMA"),
    _p("us-msi", r"\bMSI\b", "MSI"),
    _p("us-crsp", r"\bCRSP\b", "CRSP"),
    _p("us-asff", r"\bASFF\b", "ASFF"),
    _p("us-gscf", r"\bGSCF\b", "GSCF"),
    _p("us-pccf", r"\bPCCF\b", "PCCF"),
    _p("us-usai", r"\bUSAI\b", "USAI"),
    _p("us-eri", r"\bERI\b", "ERI"),
    _p("us-ctef", r"\bCTEF\b", "CTEF"),
    _p("us-scsi", r"\bSCSI\b", "SCSI"),
    _p("us-camri", r"\bCAMRI\b", "CAMRI"),
    _p("us-fha", r"\bFHA\b", "FHA"),
    _p("us-map", r"\bMAP\b", "MAP"),
)

_FY_SUFFIX = (
    re.compile(r"\s*-\s*Fiscal Year\s+\d{4}\s+Department of .*Training\s*$", re.IGNORECASE),
    re.compile(r"\s*-\s*FY\s*\d{4}\s+\w+\s+Training\s*$", re.IGNORECASE),
    re.compile(r",?\s*FY\s*\d{0,4}\s*$", re.IGNORECASE),
)
_FY = re.compile(r"(?:\bFY|Fiscal Year)\s*(\d{4}|\d{2})\b", re.IGNORECASE)
NO_ACTIVITY = re.compile(r"^No activities reported", re.IGNORECASE)


def collapse(text: str) -> str:
    return " ".join(text.split())


def fiscal_year(printed: str) -> int | None:
    """The US fiscal year a programme string names ("FY 00" -> 2000), or None."""
    m = _FY.search(printed)
    if not m:
        return None
    digits = m.group(1)
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= 50 else 2000
    return year


def programme_name(printed: str) -> str:
    """The programme part of a printed string: the fiscal-year suffix removed."""
    name = collapse(printed)
    for suffix in _FY_SUFFIX:
        name = suffix.sub("", name)
    return name


def programme_of(printed: str) -> Programme | None:
    name = programme_name(printed)
    return next((p for p in PROGRAMMES if p.pattern.search(name)), None)


# --- course kinds ------------------------------------------------------------------------

#: Events, not courses: classified as neither (checked first).
NOT_A_COURSE = re.compile(
    r"seminar|workshop|symposium|conference|alumni|webinar|panel\b|\bvisit\b|engagement|"
    r"speaker|\bcovid-19 ext\b", re.IGNORECASE)
#: Formal education of officers: staff and war colleges, officer career courses, academies.
OFFICER_EDUCATION = re.compile(
    r"war college|staff college|command (and|&) general staff|command (and|&) staff|"
    r"staff officer|captains? career|\bccc\b|basic officer|\bbolc\b|"
    r"officer (basic|advanced|candidate|leader)|squadron officer|officer school|"
    r"intermediate level education|naval command college|international fellows|"
    r"\bnwc\b|\bawc\b|\bacsc\b|eisenhower school|joint and combined warfighting|"
    r"expeditionary warfare school|professional military education|"
    r"(service|military|naval|air force|coast guard) academy|cadet|midshipm",
    re.IGNORECASE)
#: Training in a specialism (the ontology's examples: cyber security, logistics, medical
#: support, peacekeeping; and language, maintenance, aviation, demining, law, ...).
SKILL = re.compile(
    r"english|language|\balc\b|balic|aelic|\bdli\b|instructor|trainer|maintenance|mechanic|"
    r"repair|medic|medical|nurs|health|epidemiolog|surg|dental|hiv|logistic|supply|cyber|"
    r"intelligence|\bintel|communication|radio|signal|electronic|\beod\b|explosive|"
    r"\bc-?ied\b|demining|mine action|sniper|marksman|weapon|small arms|crew served|pilot|"
    r"flight|aviation|helicopter|\buh-?\d|simulator|aircraft|search (and|&) rescue|\bsar\b|"
    r"diver|diving|boat|patrol craft|outboard|maritime|navigation|seamanship|engineer|"
    r"airborne|ranger|parachut|military police|armed conflict|human rights|legal|law\b|"
    r"peacekeep|peace support|\bpso|\bun\b|civil[- ]military|civil affair|cimic|finance|"
    r"acquisition|procurement|contracting|resource management|budget|scaneagle|\buas\b|"
    r"unmanned|radar|firefight|driver|driving|vehicle|mechanized|artillery|infantry|armor|"
    r"tactic|counter[- ]?terror|combating terror|anti-?terror|border|disaster|crisis",
    re.IGNORECASE)


def course_kind(title: str) -> str | None:
    """``OfficerEducationProgramme``, ``SkillCourse`` or None (title does not say)."""
    if NOT_A_COURSE.search(title):
        return None
    if OFFICER_EDUCATION.search(title):
        return "OfficerEducationProgramme"
    if SKILL.search(title):
        return "SkillCourse"
    return None
