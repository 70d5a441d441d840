"""Small reference lists used by validation: NACE Rev. 2 codes and ISO 3166-1 country codes.

Sources
-------
- ``nace_rev2.csv`` (shipped next to this module): the 615 classes of the Statistical
  Classification of Economic Activities in the European Community, NACE Rev. 2 (Regulation
  (EC) No 1893/2006), with the titles of class, group, division and section.  Source:
  Eurostat, NACE Rev. 2 classification, as tabulated in the public repository
  ``vegetablestabber/internship-one``; reused under the Eurostat reuse policy
  ("Source: Eurostat").
- :data:`ISO_COUNTRY_CODES`: the 249 officially assigned ISO 3166-1 alpha-2 codes (ISO 3166
  Maintenance Agency, list as of 2024), plus ``XK`` (Kosovo), a user-assigned code used by the
  European Commission and Eurostat.

Examples
--------
>>> from symbioflows.data.reference import normalize_nace, is_country_code
>>> normalize_nace("2410"), normalize_nace("24.1"), normalize_nace("24")
('24.10', '24.1', '24')
>>> is_country_code("NL"), is_country_code("UK")
(True, False)
"""

from __future__ import annotations

from symbioflows.data.nace import nace_titles
from symbioflows.data.nace import normalize_nace as _parse_nace
from symbioflows.errors import InvalidInputError

__all__ = [
    "ISO_COUNTRY_CODES",
    "COUNTRY_CODE_FIXES",
    "nace_titles",
    "normalize_nace",
    "is_country_code",
    "normalize_country",
]

# ISO 3166-1 alpha-2, officially assigned codes (ISO 3166 Maintenance Agency, 2024) + XK.
ISO_COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW XK
    """.split()
)

#: Codes people often write instead of the ISO one (EU/Eurostat usage, alpha-3).
COUNTRY_CODE_FIXES: dict[str, str] = {
    "UK": "GB",  # exceptionally reserved in ISO 3166-1; the ISO code of the United Kingdom is GB
    "EL": "GR",  # Eurostat's code for Greece
    "NLD": "NL",
    "DEU": "DE",
    "GBR": "GB",
    "DNK": "DK",
    "BEL": "BE",
    "FRA": "FR",
    "ITA": "IT",
    "ESP": "ES",
    "USA": "US",
    "AUS": "AU",
    "CHN": "CN",
    "KOR": "KR",
    "JPN": "JP",
    "SWE": "SE",
    "FIN": "FI",
    "POL": "PL",
    "AUT": "AT",
}


def normalize_nace(code: object) -> str:
    """Normalise a NACE Rev. 2 code to 'NN.NN' (class), 'NN.N' (group) or 'NN' (division) and
    check that it exists.

    Accepts '2410', '24.10', 'C24.10', '24.1', '24'.  The parsing is
    :func:`symbioflows.data.nace.normalize_nace` (the one NACE normaliser); this adds the
    membership check.  Raises :class:`InvalidInputError` when the code is malformed or not in
    NACE Rev. 2.  :func:`nace_titles` (the valid codes) is
    :func:`symbioflows.data.nace.nace_titles`, re-exported here.
    """
    norm = _parse_nace(code if isinstance(code, (str, int)) else str(code))
    if norm not in nace_titles():
        raise InvalidInputError(
            f"unknown NACE Rev. 2 code {code!r} (read as {norm!r}); see "
            "symbioflows.data.reference.nace_titles() for the valid codes"
        )
    return norm


def is_country_code(code: object) -> bool:
    """True for an ISO 3166-1 alpha-2 code (upper case)."""
    return isinstance(code, str) and code in ISO_COUNTRY_CODES


def normalize_country(code: object) -> str:
    """Upper-case and check an ISO 3166-1 alpha-2 code; raise with the likely fix."""
    s = str(code).strip().upper()
    if s in ISO_COUNTRY_CODES:
        return s
    fix = COUNTRY_CODE_FIXES.get(s)
    hint = f"; did you mean {fix!r}?" if fix else "; use the ISO 3166-1 alpha-2 code, e.g. 'NL'"
    raise InvalidInputError(f"unknown country code {code!r}{hint}")
