"""Legal checks of an exchange: hazardous waste, cross-border shipment, end-of-waste status,
animal by-products and food-grade receivers.

Each :class:`Finding` names the rule, its severity (``"block"``: the exchange cannot go ahead
as proposed; ``"flag"``: it can, once the parties do what ``action`` says), the legal source and
what the parties must do.  This is screening, not legal advice: national rules and permits add
conditions.

Rules
-----
``HAZ-ABS``       absolute hazardous entry of the List of Waste (Decision 2000/532/EC as amended
                  by 2014/955/EU): flag (hazardous-waste documentation, permitted receiver).
``HAZ-MIRROR``    hazardous mirror entry: flag (classification rests on the assessment of the
                  hazardous properties HP1-HP15, Regulation (EU) No 1357/2014).
``MIRROR-NONHAZ`` non-hazardous mirror entry: flag (keep the assessment showing no hazardous
                  property).
``WASTE-STATUS``  the material is waste (has an EWC code, no end-of-waste/by-product status):
                  flag (permitted or registered-exempt receiver, waste transfer documentation;
                  Directive 2008/98/EC Arts 5, 6, 15, 23, 35).
``XB-NOTIFY``     cross-border shipment of hazardous waste: block until prior written
                  notification and consent (Regulation (EU) 2024/1157, Title II; Basel
                  Convention Art. 6).
``XB-DISPOSAL``   cross-border shipment for disposal: block until notified and consented
                  (Regulation (EU) 2024/1157 Title II); exports for disposal to countries
                  outside the EU/EFTA are prohibited (same Regulation; Basel Art. 4).
``XB-GREEN``      cross-border shipment of non-hazardous waste for recovery: flag (Annex VII
                  information document and contract, Regulation (EU) 2024/1157 Art. 18; a
                  waste not on the green list needs notification).
``EOW``           a class with EU end-of-waste criteria (Reg. (EU) No 333/2011 iron, steel
                  and aluminium scrap; No 1179/2012 glass cullet; No 715/2013 copper scrap):
                  flag unless certified (statement of conformity, quality management).
``ABP``           animal by-products (Regulation (EC) No 1069/2009): flag (category, commercial
                  document, registered/approved receiving plant).
``FOOD-WASTE``    waste or animal by-products to a food-grade receiver: block (Regulation (EC)
                  No 178/2002 Art. 14; Regulation (EC) No 1069/2009; food-contact recycled
                  plastics only by authorised processes, Regulation (EU) 2022/1616).
``FOOD-TRACE``    non-waste by-product to a food-grade receiver: flag (food/feed safety and
                  traceability, Regulation (EC) No 178/2002 Art. 18); not for electricity,
                  which never touches the product.

Surplus electricity is not a waste (it has no entry in the List of Waste): none of the waste
rules applies to it; a private wire is governed by the electricity market rules instead
(direct lines, Directive (EU) 2019/944 Art. 7), which these checks do not cover.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from symbioflows.errors import InvalidInputError
from symbioflows.materials.ewc import lookup_ewc, normalize_ewc

__all__ = [
    "Finding",
    "ComplianceReport",
    "ComplianceMask",
    "RULES",
    "check_exchange",
    "compliance_filter",
    "EU_EFTA",
]

# Member States of the EU (2025) and EFTA, ISO alpha-2 (Greece as GR and EL).
EU_EFTA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH".split()
)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: str
    title: str
    source: str
    action: str


RULES: dict[str, Rule] = {
    r.rule_id: r
    for r in (
        Rule("HAZ-ABS", "flag", "absolute hazardous entry",
             "Commission Decision 2000/532/EC as amended by Decision 2014/955/EU (List of Waste); "
             "Directive 2008/98/EC Arts 17-19, 35",
             "ship with hazardous-waste consignment documentation to a receiver permitted for "
             "this code; keep records for 3 years"),
        Rule("HAZ-MIRROR", "flag", "hazardous mirror entry",
             "Decision 2000/532/EC as amended (mirror entries); Regulation (EU) No 1357/2014 "
             "(hazardous properties HP1-HP15)",
             "assess the hazardous properties; if hazardous, handle as hazardous waste; if not, "
             "reclassify under the non-hazardous mirror code with the assessment on file"),
        Rule("MIRROR-NONHAZ", "flag", "non-hazardous mirror entry",
             "Decision 2000/532/EC as amended (mirror entries); Regulation (EU) No 1357/2014",
             "keep a sampling/assessment record showing no hazardous property"),
        Rule("WASTE-STATUS", "flag", "the material is waste",
             "Directive 2008/98/EC Arts 5 (by-products), 6 (end-of-waste), 15, 23 (permits), 35",
             "the receiver needs a permit or registered exemption to recover this waste; "
             "transfers need waste transfer documentation, unless by-product or end-of-waste "
             "status is established"),
        Rule("XB-NOTIFY", "block", "cross-border shipment of hazardous waste",
             "Regulation (EU) 2024/1157 on shipments of waste, Title II (prior written "
             "notification and consent); Basel Convention Art. 6",
             "notify the competent authorities of dispatch, transit and destination and obtain "
             "written consent, a contract and a financial guarantee before shipping"),
        Rule("XB-DISPOSAL", "block", "cross-border shipment for disposal",
             "Regulation (EU) 2024/1157, Title II (notification of all waste for disposal) and "
             "its export ban for disposal outside the EU/EFTA; Basel Convention Art. 4",
             "notify and obtain consent; shipments for disposal outside the EU/EFTA are "
             "prohibited; prefer a recovery operation"),
        Rule("XB-GREEN", "flag", "cross-border shipment of non-hazardous waste for recovery",
             "Regulation (EU) 2024/1157 Art. 18 and Annex VII (general information "
             "requirements)",
             "a signed Annex VII document and a recovery contract must accompany the shipment; "
             "if the waste is not green-listed, prior notification applies"),
        Rule("EOW", "flag", "EU end-of-waste criteria exist for this material",
             "Council Regulation (EU) No 333/2011 (iron, steel and aluminium scrap); Commission "
             "Regulation (EU) No 1179/2012 (glass cullet); Commission Regulation (EU) No 715/2013 "
             "(copper scrap)",
             "the material stays waste unless the producer meets the criteria: quality "
             "management system, statement of conformity per consignment"),
        Rule("ABP", "flag", "animal by-products",
             "Regulation (EC) No 1069/2009 and Commission Regulation (EU) No 142/2011",
             "establish the ABP category (1, 2 or 3) and the permitted uses; ship with a "
             "commercial document to a registered or approved plant"),
        Rule("FOOD-WASTE", "block", "waste or animal by-products to a food-grade receiver",
             "Regulation (EC) No 178/2002 Art. 14; Regulation (EC) No 1069/2009; Regulation "
             "(EU) 2022/1616 (recycled plastics in food contact)",
             "do not use in food, feed or food-contact production unless through an authorised "
             "process after end-of-waste or by-product status and a food-safety assessment"),
        Rule("FOOD-TRACE", "flag", "by-product to a food-grade receiver",
             "Regulation (EC) No 178/2002 Arts 14, 18 (safety, traceability)",
             "document the specification, food-safety assessment and one-step-back/forward "
             "traceability"),
    )
}

_EOW_CLASSES = {
    "ferrous_scrap": "333/2011",
    "stainless_scrap": "333/2011",
    "aluminium_scrap": "333/2011",
    "glass_cullet": "1179/2012",
    "flat_glass_cullet": "1179/2012",
    "copper_scrap": "715/2013",
}
# Codes named in the Regulations' scope/annex guidance for the scrap they cover (indicative).
_EOW_CODES = {
    "12 01 01": "333/2011", "12 01 02": "333/2011", "16 01 17": "333/2011",
    "17 04 05": "333/2011", "19 10 01": "333/2011", "19 12 02": "333/2011",
    "12 01 03": "333/2011 or 715/2013", "12 01 04": "333/2011 or 715/2013",
    "16 01 18": "333/2011 or 715/2013", "17 04 02": "333/2011", "19 10 02": "333/2011 or 715/2013",
    "19 12 03": "333/2011 or 715/2013", "20 01 40": "333/2011 or 715/2013",
    "17 04 01": "715/2013", "17 04 11": "715/2013",
    "10 11 12": "1179/2012", "15 01 07": "1179/2012", "16 01 20": "1179/2012",
    "17 02 02": "1179/2012", "19 12 05": "1179/2012", "20 01 02": "1179/2012",
}
_ABP_CODES = frozenset({"02 01 02", "02 01 06", "02 02 01", "02 02 02", "02 02 03", "02 05 01",
                        "20 01 08"})
_ABP_CLASSES = frozenset({"animal_by_products", "manure", "whey_dairy_residues", "food_waste",
                          "animal_fats_uco"})
_ABP_WORDS = ("animal", "meat", "fish", "bone", "blood", "carcass", "manure", "slaughter",
              "dairy", "whey", "catering", "feather", "hide")


@dataclass(frozen=True)
class Finding:
    """One rule that applies to an exchange."""

    rule_id: str
    severity: str
    title: str
    source: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class ComplianceReport:
    """All findings for one exchange; ``blocked`` if any finding blocks."""

    findings: tuple[Finding, ...] = field(default=())

    @property
    def blocked(self) -> bool:
        return any(f.severity == "block" for f in self.findings)

    @property
    def flagged(self) -> bool:
        return any(f.severity == "flag" for f in self.findings)

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule_id for f in self.findings]

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame([f.__dict__ for f in self.findings],
                            columns=["rule_id", "severity", "title", "source", "action", "detail"])


@functools.lru_cache(maxsize=256)
def _never_touches_product(material_class: str | None) -> bool:
    """True for a class that cannot reach a food or feed product (electricity)."""
    if not isinstance(material_class, str):
        return False
    from symbioflows.materials.taxonomy import load_taxonomy

    tax = load_taxonomy()
    return material_class in tax and tax[material_class].medium == "electricity"


def _finding(rule_id: str, detail: str = "") -> Finding:
    r = RULES[rule_id]
    return Finding(r.rule_id, r.severity, r.title, r.source, r.action, detail)


@functools.lru_cache(maxsize=4096)
def _code_facts(code: str) -> tuple[str, bool, str, str, bool]:
    """(normalised code, hazardous, entry_type, eow regulation or '', abp) for an EWC code."""
    norm = normalize_ewc(code)
    entry = lookup_ewc(norm)
    return (norm, entry.hazardous, entry.entry_type, _EOW_CODES.get(entry.code, ""),
            entry.code in _ABP_CODES)


def _country(value: Any, name: str) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, str) or len(value.strip()) != 2 or not value.strip().isalpha():
        raise InvalidInputError(f"{name} must be an ISO 3166 alpha-2 code like 'DE'; got {value!r}")
    return value.strip().upper()


def check_exchange(
    *,
    ewc_code: Any = None,
    supplier_country: str | None = None,
    receiver_country: str | None = None,
    material_class: str | None = None,
    material: str | None = None,
    treatment: str = "recovery",
    receiver_food_grade: bool = False,
    end_of_waste_certified: bool = False,
    by_product: bool = False,
) -> ComplianceReport:
    """Screen one supply -> demand exchange against the rules above.

    Parameters
    ----------
    ewc_code : str, optional
        The supply's List-of-Waste code (any written form; see
        :func:`symbioflows.materials.ewc.normalize_ewc`).  ``None`` for a non-waste stream.
    supplier_country, receiver_country : str, optional
        ISO alpha-2; a shipment is cross-border when both are given and differ.
    material_class, material : str, optional
        Taxonomy class id and free-text description (used for end-of-waste and ABP rules).
    treatment : {"recovery", "disposal"}
    receiver_food_grade : bool
        The receiver makes food, feed or food-contact material.
    end_of_waste_certified, by_product : bool
        The supply has end-of-waste status (criteria met) / by-product status (Directive
        2008/98/EC Art. 5).

    Returns
    -------
    ComplianceReport

    Raises
    ------
    InvalidInputError
        Malformed or unknown EWC code, bad country code, unknown treatment.

    Examples
    --------
    Lead batteries (16 06 01*, absolute hazardous) shipped from Germany to the Netherlands:

    >>> r = check_exchange(ewc_code="16 06 01*", supplier_country="DE", receiver_country="NL")
    >>> r.blocked, r.rule_ids
    (True, ['HAZ-ABS', 'WASTE-STATUS', 'XB-NOTIFY'])
    """
    if treatment not in ("recovery", "disposal"):
        raise InvalidInputError(f"treatment must be 'recovery' or 'disposal'; got {treatment!r}")
    sc = _country(supplier_country, "supplier_country")
    rc = _country(receiver_country, "receiver_country")
    findings: list[Finding] = []
    hazardous = False
    abp = False
    eow_reg = ""
    is_waste = False
    if ewc_code is not None and not (isinstance(ewc_code, float) and ewc_code != ewc_code):
        norm, hazardous, entry_type, eow_reg, abp = _code_facts(str(ewc_code)
                                                                if not isinstance(ewc_code, int)
                                                                else f"{ewc_code:06d}")
        is_waste = not (end_of_waste_certified or by_product)
        if hazardous:
            findings.append(_finding("HAZ-ABS" if entry_type == "absolute" else "HAZ-MIRROR",
                                     f"EWC {norm}"))
        elif entry_type == "mirror":
            findings.append(_finding("MIRROR-NONHAZ", f"EWC {norm}"))
        if is_waste:
            findings.append(_finding("WASTE-STATUS", f"EWC {norm}"))
    if material_class is not None and material_class in _EOW_CLASSES:
        eow_reg = eow_reg or _EOW_CLASSES[material_class]
    if material_class in _ABP_CLASSES:
        abp = True
    if material and any(w in material.lower() for w in _ABP_WORDS):
        abp = True
    if eow_reg and not end_of_waste_certified and (is_waste or ewc_code is None):
        findings.append(_finding("EOW", f"Regulation (EU) No {eow_reg}"))
    if abp:
        findings.append(_finding("ABP"))
    if sc is not None and rc is not None and sc != rc and is_waste:
        if hazardous:
            findings.append(_finding("XB-NOTIFY", f"{sc} -> {rc}"))
        if treatment == "disposal":
            extra = " (destination outside the EU/EFTA: prohibited)" if rc not in EU_EFTA else ""
            findings.append(_finding("XB-DISPOSAL", f"{sc} -> {rc}{extra}"))
        if not hazardous and treatment == "recovery":
            findings.append(_finding("XB-GREEN", f"{sc} -> {rc}"))
    if receiver_food_grade and not _never_touches_product(material_class):
        if is_waste or abp:
            findings.append(_finding("FOOD-WASTE"))
        else:
            findings.append(_finding("FOOD-TRACE"))
    return ComplianceReport(tuple(findings))


@dataclass(frozen=True)
class ComplianceMask:
    """Vectorised screening result: one entry per pair."""

    blocked: npt.NDArray[np.bool_]
    flagged: npt.NDArray[np.bool_]
    first_block: npt.NDArray[np.object_]  # rule id of the first blocking rule, or None

    @property
    def allowed(self) -> npt.NDArray[np.bool_]:
        return ~self.blocked


def compliance_filter(
    ewc_code: Any,
    supplier_country: Any,
    receiver_country: Any,
    *,
    receiver_food_grade: Any = False,
    treatment: Any = "recovery",
) -> ComplianceMask:
    """Vectorised screen for the matcher: which candidate pairs are blocked or flagged.

    Same rules as :func:`check_exchange` (EWC-, border-, treatment- and food-based; class and
    text rules need :func:`check_exchange`).  Each distinct EWC code is looked up once, the
    rest is array arithmetic, so millions of pairs are cheap.  Results do not depend on row
    order.

    Examples
    --------
    >>> m = compliance_filter(["16 06 01*", "17 04 05", None], ["DE", "DE", "FR"],
    ...                       ["NL", "DE", "FR"], receiver_food_grade=[False, False, True])
    >>> m.blocked.tolist(), m.first_block.tolist()
    ([True, False, False], ['XB-NOTIFY', None, None])
    """
    codes = np.asarray(ewc_code, dtype=object)
    if codes.ndim != 1:
        raise InvalidInputError(f"ewc_code: expected a 1-D array; got shape {codes.shape}")
    n = codes.size
    sc = _broadcast_obj(supplier_country, n, "supplier_country")
    rc = _broadcast_obj(receiver_country, n, "receiver_country")
    food = np.broadcast_to(np.asarray(receiver_food_grade, dtype=bool), (n,))
    treat = _broadcast_obj(treatment, n, "treatment")
    bad_t = [k for k, t in enumerate(treat) if t not in ("recovery", "disposal")]
    if bad_t:
        raise InvalidInputError(
            f"treatment row {bad_t[0]}: {treat[bad_t[0]]!r} is not 'recovery' or 'disposal'"
        )
    uniq: dict[Any, tuple[bool, bool, bool]] = {}
    haz = np.zeros(n, dtype=bool)
    waste = np.zeros(n, dtype=bool)
    flag_code = np.zeros(n, dtype=bool)
    abp = np.zeros(n, dtype=bool)
    for k, c in enumerate(codes.tolist()):
        if c is None or (isinstance(c, float) and c != c):
            continue
        if c not in uniq:
            try:
                _, h, et, eow, a = _code_facts(str(c))
            except InvalidInputError as exc:
                raise InvalidInputError(f"ewc_code row {k}: {exc}") from exc
            uniq[c] = (h, h or et == "mirror" or bool(eow), a)
        h, fl, a = uniq[c]
        haz[k], waste[k], flag_code[k], abp[k] = h, True, fl, a
    s_norm = [_country(v, f"supplier_country row {k}") for k, v in enumerate(sc)]
    r_norm = [_country(v, f"receiver_country row {k}") for k, v in enumerate(rc)]
    cross = np.array([a is not None and b is not None and a != b
                      for a, b in zip(s_norm, r_norm)], dtype=bool)
    disposal = np.array([t == "disposal" for t in treat], dtype=bool)
    xb_notify = cross & waste & haz
    xb_disposal = cross & waste & disposal
    food_block = food & (waste | abp)
    blocked = xb_notify | xb_disposal | food_block
    flagged = waste | flag_code | abp | (food & ~food_block)
    first = np.full(n, None, dtype=object)
    first[food_block] = "FOOD-WASTE"
    first[xb_disposal] = "XB-DISPOSAL"
    first[xb_notify] = "XB-NOTIFY"
    return ComplianceMask(blocked=blocked, flagged=flagged, first_block=first)


def _broadcast_obj(value: Any, n: int, name: str) -> list[Any]:
    if value is None or isinstance(value, str):
        return [value] * n
    arr = np.asarray(value, dtype=object)
    if arr.ndim == 0:
        return [arr.item()] * n
    if arr.shape != (n,):
        raise InvalidInputError(f"{name}: expected {n} values; got shape {arr.shape}")
    return arr.tolist()
