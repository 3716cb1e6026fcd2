"""The 27 UNODA treaties: node, label and, where read from the treaty text, the rule that
gives a state's entry-into-force date from its instrument.

A rule is applied only where its text was read (the source is listed with the treaty and in
docs/data-imported.md); for the other treaties no per-state entry into force is computed and
``mil:partyTo`` is not derived from their adherences (the actions are all kept). A state whose
instrument was deposited before the treaty itself entered into force is bound from that day.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

Rule = Callable[[date], date]


def on_deposit(d: date) -> date:
    return d


def days_after(n: int) -> Rule:
    def rule(d: date) -> date:
        return d + timedelta(days=n)
    rule.__doc__ = f"the {n}th day after deposit"
    return rule


def months_after(n: int) -> Rule:
    """The same day n months later (the last day of the month when it has fewer days)."""
    def rule(d: date) -> date:
        month = d.month - 1 + n
        year, month = d.year + month // 12, month % 12 + 1
        return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
    return rule


def first_day_of_sixth_month(d: date) -> date:
    """The first day of the sixth month after the month of deposit (March -> 1 September)."""
    month = d.month - 1 + 6
    return date(d.year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Treaty:
    unoda: str  # the treaty's name in the UNODA data
    slug: str  # id/agreement/{slug}
    label: str
    alt: tuple[str, ...] = ()
    kind: str = "ArmsControlAgreement"
    in_force: date | None = None  # the treaty's own entry into force
    rule: Rule | None = None  # a state's entry into force after the treaty's
    rule_text: str = ""
    sources: tuple[str, ...] = ()  # pages the rule and date were read from


CCW = "Convention on Certain Conventional Weapons"
_CCW_RULE = ("CCW Article 5(4): a Protocol enters into force for a State six months after it "
             "notified its consent to be bound")
_CCW_TEXT = ("https://www.gazzettaufficiale.it/atto/serie_generale/caricaArticolo?art."
             "codiceRedazionale=094G0748&art.dataPubblicazioneGazzetta=1994-12-27&art."
             "flagTipoArticolo=2&art.idArticolo=5&art.idGruppo=0&art.idSottoArticolo=1&art."
             "idSottoArticolo1=10&art.progressivo=0&art.versione=1")

TREATIES: tuple[Treaty, ...] = (
    Treaty("Treaty on the Non-Proliferation of Nuclear Weapons (NPT)", "npt",
           "Treaty on the Non-Proliferation of Nuclear Weapons", ("NPT",),
           in_force=date(1970, 3, 5), rule=on_deposit,
           rule_text="NPT Article IX(4): for States depositing after the Treaty's entry into "
                     "force, it enters into force on the date of deposit",
           sources=("https://gesetzefinden.at/bundesrecht/vertraege/10005353/art-9",
                    "https://dokumen.tips/documents/treaty-on-the-non-proliferation-of-nuclear-"
                    "weapons-treaty-on-the-non-proliferation.html")),
    Treaty("Biological Weapons Convention", "bwc",
           "Convention on the Prohibition of the Development, Production and Stockpiling of "
           "Bacteriological (Biological) and Toxin Weapons and on their Destruction",
           ("Biological Weapons Convention", "BWC"), in_force=date(1975, 3, 26),
           rule=on_deposit,
           rule_text="BWC Article XIV(4): for States depositing after the Convention's entry "
                     "into force, it enters into force on the date of deposit",
           sources=("https://docslib.org/doc/1339010/and-toxin-weapons-and-on-their-"
                    "destruction",)),
    Treaty("Outer Space Treaty", "outer-space-treaty",
           "Treaty on Principles Governing the Activities of States in the Exploration and Use "
           "of Outer Space, including the Moon and Other Celestial Bodies",
           ("Outer Space Treaty",), in_force=date(1967, 10, 10), rule=on_deposit,
           rule_text="Outer Space Treaty Article XIV(4): for States depositing after the "
                     "Treaty's entry into force, it enters into force on the date of deposit",
           sources=("https://books.google.com.my/books?id=MvVkTv6PvEkC&dq=related:"
                    "ISBN1428940219&output=html_text&lr=",
                    "https://docslib.org/download/1824421/status-of-international-agreements-"
                    "relating-to-activities-in-outer-space-as-at-1-january-2017")),
    Treaty("Partial Test Ban Treaty", "ptbt",
           "Treaty Banning Nuclear Weapon Tests in the Atmosphere, in Outer Space and Under "
           "Water", ("Partial Test Ban Treaty", "PTBT"), in_force=date(1963, 10, 10),
           sources=("https://www.state.gov/t/isn/4797.htm",)),
    Treaty("Sea-Bed Treaty", "seabed-treaty",
           "Treaty on the Prohibition of the Emplacement of Nuclear Weapons and Other Weapons "
           "of Mass Destruction on the Sea-Bed and the Ocean Floor and in the Subsoil Thereof",
           ("Sea-Bed Treaty",)),
    Treaty("Chemical Weapons Convention", "cwc",
           "Convention on the Prohibition of the Development, Production, Stockpiling and Use "
           "of Chemical Weapons and on their Destruction", ("Chemical Weapons Convention", "CWC"),
           in_force=date(1997, 4, 29), rule=days_after(30),
           rule_text="CWC Article XXI(2): for States depositing after the Convention's entry "
                     "into force, it enters into force on the 30th day following deposit",
           sources=("https://droit-bilingue.ch/fr-de/0.5/0.51/0.515.08-XXI-24.html",)),
    Treaty("Comprehensive Nuclear-Test-Ban Treaty", "ctbt",
           "Comprehensive Nuclear-Test-Ban Treaty", ("CTBT",)),
    Treaty("1925 Geneva Protocol", "geneva-protocol-1925",
           "Protocol for the Prohibition of the Use in War of Asphyxiating, Poisonous or Other "
           "Gases, and of Bacteriological Methods of Warfare", ("1925 Geneva Protocol",)),
    Treaty(CCW, "ccw",
           "Convention on Prohibitions or Restrictions on the Use of Certain Conventional "
           "Weapons which may be deemed to be Excessively Injurious or to have Indiscriminate "
           "Effects", ("Convention on Certain Conventional Weapons", "CCW"),
           in_force=date(1983, 12, 2), rule=months_after(6),
           rule_text="CCW Article 5(2): for States depositing after the twentieth instrument, "
                     "it enters into force six months after the date of deposit",
           sources=(_CCW_TEXT,)),
    Treaty(f"{CCW} :: Protocol I to the {CCW}", "ccw-protocol-i",
           "Protocol on Non-Detectable Fragments (Protocol I to the CCW)", ("CCW Protocol I",),
           in_force=date(1983, 12, 2), rule=months_after(6), rule_text=_CCW_RULE,
           sources=(_CCW_TEXT,)),
    Treaty(f"{CCW} :: Protocol II to the {CCW}", "ccw-protocol-ii",
           "Protocol on Prohibitions or Restrictions on the Use of Mines, Booby-Traps and "
           "Other Devices (Protocol II to the CCW)", ("CCW Protocol II",),
           in_force=date(1983, 12, 2), rule=months_after(6), rule_text=_CCW_RULE,
           sources=(_CCW_TEXT,)),
    Treaty(f"{CCW} :: Protocol III to the {CCW}", "ccw-protocol-iii",
           "Protocol on Prohibitions or Restrictions on the Use of Incendiary Weapons "
           "(Protocol III to the CCW)", ("CCW Protocol III",),
           in_force=date(1983, 12, 2), rule=months_after(6), rule_text=_CCW_RULE,
           sources=(_CCW_TEXT,)),
    Treaty(f"{CCW} :: Protocol IV on Blinding Laser Weapons", "ccw-protocol-iv",
           "Protocol on Blinding Laser Weapons (Protocol IV to the CCW)", ("CCW Protocol IV",),
           in_force=date(1998, 7, 30), rule=months_after(6), rule_text=_CCW_RULE,
           sources=("https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVI/"
                    "XXVI-2-a.en.xml", "https://www.state.gov/09-721-2", _CCW_TEXT)),
    Treaty(f"{CCW} :: Amended Protocol II on the Use of Mines,  Booby-Traps and Other Devices",
           "ccw-amended-protocol-ii",
           "Protocol on Prohibitions or Restrictions on the Use of Mines, Booby-Traps and "
           "Other Devices as amended on 3 May 1996 (Amended Protocol II to the CCW)",
           ("CCW Amended Protocol II",), in_force=date(1998, 12, 3), rule=months_after(6),
           rule_text=_CCW_RULE,
           sources=("https://international.vlex.com/vid/863218097",
                    "https://verdragenbank.overheid.nl/en/Treaty/Details/007349_b", _CCW_TEXT)),
    Treaty(f"{CCW} :: Amendment to the {CCW}", "ccw-amendment-article-1",
           "Amendment to Article I of the Convention on Certain Conventional Weapons",
           ("CCW amended Article 1",), in_force=date(2004, 5, 18), rule=months_after(6),
           rule_text="CCW Article 8(1)(b): amendments enter into force in the same manner as "
                     "the Convention: six months after a State's instrument",
           sources=("https://treaties.un.org/Pages/showDetails.aspx?objid=080000028003ac2c"
                    "&clang=_en",)),
    Treaty(f"{CCW} :: Protocol V on Explosive Remnants of War", "ccw-protocol-v",
           "Protocol on Explosive Remnants of War (Protocol V to the CCW)", ("CCW Protocol V",),
           in_force=date(2006, 11, 12), rule=months_after(6), rule_text=_CCW_RULE,
           sources=("https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVI/"
                    "XXVI-2-d.en.xml", _CCW_TEXT)),
    Treaty("Anti-Personnel Mine Ban Convention", "apmbc",
           "Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of "
           "Anti-Personnel Mines and on their Destruction",
           ("Anti-Personnel Mine Ban Convention", "Ottawa Convention"),
           in_force=date(1999, 3, 1), rule=first_day_of_sixth_month,
           rule_text="APMBC Article 17(2): it enters into force for a State on the first day of "
                     "the sixth month after the date of its deposit",
           sources=("https://disarmament.unoda.org/anti-personnel-landmines-convention/"
                    "joining-the-mine-ban-convention",
                    "http://www.un.org/disarmament/convarms/landmines/mineban/")),
    Treaty("Convention on Cluster Munitions", "ccm", "Convention on Cluster Munitions",
           ("CCM",), in_force=date(2010, 8, 1), rule=first_day_of_sixth_month,
           rule_text="CCM Article 17(2): it enters into force for a State on the first day of "
                     "the sixth month after the month of its deposit (Lithuania: ratified March "
                     "2011, in force 1 September 2011)",
           sources=("http://www.armscontrol.org/act/2010_03/ClusterEntry",
                    "http://stopclustermunitions.org/en-gb/media/news/2011/lithuania-ratifies-"
                    "treaty-banning-cluster-bom.aspx")),
    Treaty("Arms Trade Treaty", "att", "Arms Trade Treaty", ("ATT",),
           in_force=date(2014, 12, 24), rule=days_after(90),
           rule_text="ATT Article 22(2): for a State depositing after the Treaty's entry into "
                     "force, ninety days following the date of its deposit",
           sources=("https://droit-bilingue.ch/it-de/0.5/0.51/0.518.61-22-25.html",
                    "https://core-cms.prod.aop.cambridge.org/core/books/arms-trade-treaty/"
                    "entry-into-force/D2A5A41EC9C06040EBA425C09BD9BFFD")),
    Treaty("Treaty on Conventional Armed Forces in Europe (CFE)", "cfe-treaty",
           "Treaty on Conventional Armed Forces in Europe", ("CFE Treaty",)),
    Treaty("Treaty on Open Skies", "open-skies-treaty", "Treaty on Open Skies",
           ("Open Skies Treaty",), kind="ConfidenceBuildingAgreement"),
    Treaty("Convention on Environmental Modification Techniques (ENMOD)", "enmod",
           "Convention on the Prohibition of Military or Any Other Hostile Use of "
           "Environmental Modification Techniques", ("ENMOD Convention",),
           in_force=date(1978, 10, 5), rule=on_deposit,
           rule_text="ENMOD Article IX(4): for States depositing after the Convention's entry "
                     "into force, it enters into force on the date of deposit",
           sources=("https://www.droit-bilingue.ch/fr-it/0.5/0.51/0.515.06-IX-12.html",
                    "https://ihl-databases.icrc.org/applic/ihl/ihl.nsf/Treaty.xsp?documentId="
                    "2AC88FF62DB2CDD6C12563CD002D6EC1&action=openDocument")),
    Treaty("Moon Treaty (Celestial Bodies)", "moon-agreement",
           "Agreement Governing the Activities of States on the Moon and Other Celestial Bodies",
           ("Moon Agreement",)),
    Treaty("Antarctic Treaty", "antarctic-treaty", "The Antarctic Treaty",
           ("Antarctic Treaty",), in_force=date(1961, 6, 23), rule=on_deposit,
           rule_text="Antarctic Treaty Article XIII: it enters into force for an acceding "
                     "State upon deposit of its instrument of accession",
           sources=("https://www.state.gov/antarctic-treaty/",)),
    Treaty("Treaty on the Prohibition of Nuclear Weapons", "tpnw",
           "Treaty on the Prohibition of Nuclear Weapons", ("TPNW",),
           in_force=date(2021, 1, 22),
           rule_text="TPNW Article 15(1): the Treaty entered into force on 22 January 2021, 90 "
                     "days after the fiftieth instrument; every instrument in these data was "
                     "deposited before that day",
           sources=("https://www.icanw.org/timeline_22_jan_2021_tpnw_enters_into_force",
                    "https://indiansocietyforlegalresearch.in/2020/11/08/treaty-on-the-"
                    "prohibition-of-nuclear-weapons-to-come-into-force-on-22-january-2021/")),
    Treaty("Treaty of Tlatelolco", "tlatelolco-treaty",
           "Treaty for the Prohibition of Nuclear Weapons in Latin America and the Caribbean",
           ("Treaty of Tlatelolco",)),
    Treaty("South Pacific Nuclear Free Zone Treaty", "rarotonga-treaty",
           "South Pacific Nuclear Free Zone Treaty", ("Treaty of Rarotonga",)),
    Treaty("Bangkok Treaty", "bangkok-treaty",
           "Treaty on the Southeast Asia Nuclear Weapon-Free Zone", ("Bangkok Treaty",)),
    Treaty("Pelindaba Treaty", "pelindaba-treaty",
           "African Nuclear-Weapon-Free Zone Treaty", ("Pelindaba Treaty",)),
    Treaty("Treaty on a Nuclear-Weapon-Free Zone in Central Asia (CANWFZ)", "canwfz",
           "Treaty on a Nuclear-Weapon-Free Zone in Central Asia", ("CANWFZ",)),
    Treaty("International Convention for the Suppression of Acts of Nuclear Terrorism",
           "nuclear-terrorism-convention",
           "International Convention for the Suppression of Acts of Nuclear Terrorism",
           ("Nuclear Terrorism Convention",), kind="ArmsControlAgreement",
           in_force=date(2007, 7, 7),
           sources=("https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XVIII/"
                    "XVIII-15.en.xml",)),
    Treaty("Inter-American Convention on Firearms", "cifta",
           "Inter-American Convention against the Illicit Manufacturing of and Trafficking in "
           "Firearms, Ammunition, Explosives, and Other Related Materials", ("CIFTA",)),
    Treaty("Inter-American Convention on Transparency", "citaac",
           "Inter-American Convention on Transparency in Conventional Weapons Acquisitions",
           ("CITAAC",), kind="ConfidenceBuildingAgreement"),
    Treaty("Kinshasa Convention", "kinshasa-convention",
           "Central African Convention for the Control of Small Arms and Light Weapons, Their "
           "Ammunition and All Parts and Components That Can Be Used for Their Manufacture, "
           "Repair and Assembly", ("Kinshasa Convention",)),
)

BY_NAME: dict[str, Treaty] = {t.unoda: t for t in TREATIES}
