"""Region and global-south classification of every country, shipped with the code.

Sources:
- Regions and sub-regions: United Nations Statistics Division, "Standard Country or Area
  Codes for Statistical Use" (M49), https://unstats.un.org/unsd/methodology/m49/.
  Taiwan, not listed by M49, is placed in Eastern Asia; Kosovo (XK, not ISO 3166 but
  used by django-countries' extras) in Southern Europe.
- Global south: UNCTAD's classification of economies (UNCTADstat, "developing" vs
  "developed" economies). Developed: all of Europe and Northern America, Australia, New
  Zealand, Japan, Israel and the Republic of Korea (and territories of Australia and New
  Zealand). Everything else is developing, which this application calls global south.

Organisation.save() derives `region`, `subregion` and `global_south` from this table;
the convenor can change the table here (with a data migration that re-derives the
columns), never per organisation.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

AFRICA, AMERICAS, ASIA, EUROPE, OCEANIA = "africa", "americas", "asia", "europe", "oceania"

# Named in the reader's language: lazy, so each page says them in its own.
REGION_NAMES = {
    AFRICA: _("Africa"),
    AMERICAS: _("Americas"),
    ASIA: _("Asia"),
    EUROPE: _("Europe"),
    OCEANIA: _("Oceania"),
}

# region -> sub-region -> ISO 3166-1 alpha-2 codes (UN M49)
M49 = {
    AFRICA: {
        "Northern Africa": "DZ EG LY MA SD TN EH",
        "Eastern Africa": "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW",
        "Middle Africa": "AO CM CF TD CG CD GQ GA ST",
        "Southern Africa": "BW SZ LS NA ZA",
        "Western Africa": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    },
    AMERICAS: {
        "Caribbean": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF "
        "VC SX TT TC VI",
        "Central America": "BZ CR SV GT HN MX NI PA",
        "South America": "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
        "Northern America": "BM CA GL PM US",
    },
    ASIA: {
        "Central Asia": "KZ KG TJ TM UZ",
        "Eastern Asia": "CN HK MO KP JP MN KR TW",
        "South-eastern Asia": "BN KH ID LA MY MM PH SG TH TL VN",
        "Southern Asia": "AF BD BT IN IR MV NP PK LK",
        "Western Asia": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    },
    EUROPE: {
        "Eastern Europe": "BY BG CZ HU PL MD RO RU SK UA",
        "Northern Europe": "AX DK EE FO FI GG IS IE IM LV LT NO SJ SE GB JE",
        "Southern Europe": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK",
        "Western Europe": "AT BE FR DE LI LU MC NL CH",
    },
    OCEANIA: {
        "Australia and New Zealand": "AU CX CC HM NZ NF",
        "Melanesia": "FJ NC PG SB VU",
        "Micronesia": "GU KI MH FM NR MP PW UM",
        "Polynesia": "AS CK PF NU PN WS TK TO TV WF",
    },
}

# UNCTAD "developed" economies outside Europe and Northern America.
DEVELOPED_ELSEWHERE = {"AU", "CX", "CC", "HM", "NZ", "NF", "JP", "IL", "KR", "CY"}


@dataclass(frozen=True)
class Classification:
    region: str
    subregion: str
    global_south: bool


def _build() -> dict[str, Classification]:
    table = {}
    for region, subregions in M49.items():
        for subregion, codes in subregions.items():
            for code in codes.split():
                developed = (
                    region == EUROPE
                    or subregion == "Northern America"
                    or code in DEVELOPED_ELSEWHERE
                )
                table[code] = Classification(region, subregion, not developed)
    return table


TABLE = _build()
# Antarctica belongs to no region and to neither north nor south.
UNCLASSIFIED = Classification("", "", False)


def classify(country_code: str) -> Classification:
    return TABLE.get((country_code or "").upper(), UNCLASSIFIED)
