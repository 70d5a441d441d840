"""Build ``labelled_text.csv``: supply and need descriptions with labels, held-out split frozen.

Issue 16 item 6.  Rows come from three public sources:

* ``maestri``: the MAESTRI Exchanges Database (EU H2020 grant 680570,
  ``../shared/data/maestri_exchanges.csv``).  The file stores only the exchange id and the
  column(s) the text is read from (MAESTRI may not be redistributed), never the text.  A supply
  is the donor's ``waste_description``; a need is ``"{final_use} for {receiver_business}"``
  (both MAESTRI fields verbatim, joined with " for ").  One row per case and distinct text
  (and label, for needs); the other exchanges with the same text are listed in ``note``.
* ``case_study``: ``benchmarks/data/case_studies_exchanges.csv`` (public case-study pages, each
  row with its URL): the supply is its ``waste_description`` (as the compiler wrote it from the
  source); the need is a short text written by us after what the source says the receiver
  uses the material for.
* The labels are ours (see ``label_how`` and ``docs/materials.md``): supplies of MAESTRI
  exchanges that ``tests/data/material_eval.csv`` labels keep that label; the others were
  labelled here by hand (``SUPPLY_LABELS``).  MAESTRI needs are labelled by the rule in
  :func:`need_label` from the documented supply class, the final use and the receiver's
  business (the virgin input the documented exchange replaced), reviewed by hand.

The split (``split`` column) is drawn once, seeded, by group: MAESTRI case id or case-study
park, so the rows of one park (and its repeated wordings) stay together.  A development row
whose normalised text also occurs in the held-out part is dropped.  ``tests/unit/benchmarks``
checks the digest of the held-out rows (``HELDOUT_SHA256`` in ``benchmarks/labelled_text.py``).

Run: ``python benchmarks/data/build_labelled_text.py`` (reads ``../shared/data``).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
OUT = Path(__file__).with_name("labelled_text.csv")
SEED = 20261207
HELDOUT_SHARE = 0.35

# hand labels of MAESTRI waste descriptions that tests/data/material_eval.csv does not cover
# (None: no taxonomy class; a product or electricity, not a secondary material)
SUPPLY_LABELS: dict[str, str | None] = {
    "air": None, "alkali": "spent_alkali", "bagasse": "sugar_residues",
    "bagasse pitch": "sugar_residues", "biomass fuel": "crop_residues",
    "bleaching water": "treated_wastewater", "bore water": None, "cane": None,
    "carbon dioxide": "co2_stream", "co2": "co2_stream", "used carbon dioxide": "co2_stream",
    "chlorine": None, "chlorine dioxide": None, "clay-oil": "oily_sludge",
    "condensate water": "condensate_demin_water", "condensed water": "condensate_demin_water",
    "cooling water": "cooling_water", "cu recovery": "metal_dross_dust",
    "zn recovery": "metal_dross_dust", "demineralised water": "condensate_demin_water",
    "disposal water": "treated_wastewater", "electricity": None, "ethylene": None,
    "propylene": None, "fertiliser": "ammonium_salts", "fuel gas": "industrial_process_gas",
    "fuel oil": None, "heat": "waste_heat_low_temp", "industrial waste": "refuse_derived_fuel",
    "molasses": "sugar_residues", "waste molasses": "sugar_residues", "potable water": None,
    "pure water": "treated_wastewater", "reclaimed water": "treated_wastewater",
    "refinery by-products": None, "residue": "food_processing_residues",
    "reverse osmosis water": "condensate_demin_water",
    "sea and well water, condensing vapour": "cooling_water", "silica": None,
    "sodium silicate": None, "steam": "steam", "vapour and demineralised water": "steam",
    "waste edible oils": "animal_fats_uco", "waste gas": "industrial_process_gas",
    "waste heat": "waste_heat_low_temp", "waste hot water": "waste_heat_low_temp",
    "water": "treated_wastewater", "white water": "treated_wastewater",
    "wood dust and chips": "clean_wood", "calcium carbonate": "lime_sludge",
    "hydrogen": "hydrogen_offgas", "slag": "non_ferrous_slag", "waste water": "treated_wastewater",
}

# case-study supplies (benchmarks/data/case_studies_exchanges.csv waste_description -> class)
CASE_SUPPLY: dict[str, str | None] = {
    "Organic waste from seafood processing (fish trimmings and sludge)": "animal_by_products",
    "Process water with organic residues from seafood processing": "nutrient_rich_water",
    "Biogas from digestion of seafood waste, replacing fossil fuel at the seafood plants": "biogas_landfill_gas",
    "Digestate from biogas production, used as KRAV-certified biofertiliser": "digestate_compost",
    "Brewer's spent grain (draff) not used by other actors": "brewers_spent_grain",
    "Nutrient-rich process water from land-based fish farming": "nutrient_rich_water",
    "Process water after diatom cultivation": "treated_wastewater",
    "Fish trimmings as partial feed for farmed salmon": "animal_by_products",
    "Residual biomass from enzyme fermentation (NovoGro)": "distillers_residues",
    "Residual yeast cream (gærfløde) from insulin fermentation": "distillers_residues",
    "Upgraded biogas (bio-natural gas)": "biogas_landfill_gas",
    "Degassed biomass (digestate) used as fertiliser on fields": "digestate_compost",
    "Hydrogen sulphide fraction removed when upgrading biogas": "sour_gas_h2s",
    "Sewage sludge": "sewage_sludge",
    "Household waste": "mixed_municipal_waste",
    "Biogenic CO2 from ethanol fermentation": "co2_stream",
    "Expired bread and dough residues": "food_processing_residues",
    "Granulated blast-furnace slag": "blast_furnace_slag",
    "Hydraulic binder made from blast-furnace slag (replaces clinker cement)": "blast_furnace_slag",
    "Waste heat recovered from the sinter plants' coolers": "waste_heat_high_temp",
    "Steelworks gases burned in boilers for district heat": "industrial_process_gas",
    "Steelworks gases": "industrial_process_gas",
    "Tar": None,
    "Steelmaking slags": "steel_slag",
    "CO2 released in hydrogen production at the refinery": "co2_stream",
    "CO2 from bio-ethanol fermentation": "co2_stream",
    "Surplus steam": "steam",
    "Waste heat from plasticiser production": "waste_heat_low_temp",
    "Used bitumen roofing felt from demolition and renovation": "asphalt_planings",
    "Surplus and waste material from roofing felt manufacture": "asphalt_planings",
    "Crushed roofing felt (BitumenMix) replacing about a third of virgin bitumen": "asphalt_planings",
    "Separately collected biowaste": "food_waste",
    "Source-separated energy waste": "refuse_derived_fuel",
    "Refuse-derived fuel made from fibres recovered from sterilised medical waste": "refuse_derived_fuel",
    "Glass and metal recovered from medical waste, as cement raw materials": None,
    "Plastics recovered from medical waste": "mixed_plastics",
    "Glass cullet from dismantled TV sets": "glass_cullet",
    "Plastic materials from dismantled home appliances": "mixed_plastics",
    "Condensed urethane foam from refrigerators, as blast-furnace fuel": "mixed_plastics",
    "Ferrous materials and deflection yokes from dismantled appliances": "ferrous_scrap",
    "Non-ferrous metals and heat exchangers from dismantled appliances (copper)": "copper_scrap",
    "Non-ferrous metals and heat exchangers from dismantled appliances (aluminium)": "aluminium_scrap",
    "Printed circuit boards (gold, silver, copper)": "weee",
    "Electron beam guns and shadow masks from CRTs": "stainless_scrap",
    "Organic waste from food manufacturing (food processing waste, sludge, waste oil)": "food_processing_residues",
    "Food waste and unsold food": "food_waste",
    "Separately collected household food waste": "food_waste",
    "Waste steel from automobile production": "ferrous_scrap",
    "Spent brewer's yeast": "distillers_residues",
    "Wooden cheese-ageing boxes": "waste_wood",
    "Plastic foam offcuts": "mixed_plastics",
    "Liquid waste": None,
    "Chalk reject material": "mineral_fillers",
    "Cement kiln dust": "kiln_dust",
    "Municipal solid waste incinerator ash": "incinerator_bottom_ash",
    "Sludge from water and wastewater treatment": "sewage_sludge",
    "Slag from direct melting of municipal solid waste, as concrete aggregate": "incinerator_bottom_ash",
    "Slag from direct melting of municipal solid waste, as asphalt aggregate": "incinerator_bottom_ash",
    "Metal recovered by direct melting of municipal solid waste, used for counterweights": "ferrous_scrap",
    "Wood chips from waste wood": "waste_wood",
    "Waste rubber before vulcanisation": "rubber_waste",
    "Automobile shredder residue (ASR)": "end_of_life_vehicles",
    "Steel-making raw materials recovered from ASR": "ferrous_scrap",
    "Food waste from food manufacturing": "food_processing_residues",
    "Circuit boards from dismantled appliances, PCs and office equipment": "weee",
    "Wood chips from the wood processing industry": "clean_wood",
    "Forest thinnings": "bark_forest_residue",
    "Wood waste from dismantled houses": "waste_wood",
    "Used agricultural films": "ldpe_film",
    "Wood-based wastewater sludge from pulp production": "paper_sludge",
    "Sludge from wastewater treatment": "industrial_bio_sludge",
    "CO gas from smelting furnaces, used in the rolling mill": "industrial_process_gas",
    "Mill scale (glødeskall) from steel production": "mill_scale",
    "Slag from ferrosilicon production": "non_ferrous_slag",
    "Surplus heat in the flue gas of the smelting furnaces": "waste_heat_high_temp",
    "CO-rich fuel gas from the smelting furnaces (peak-load boilers)": "industrial_process_gas",
    "District heat from industrial surplus heat, to temper hatchery water": "waste_heat_low_temp",
    "Waste heat from compound (NPK) fertiliser production": "waste_heat_low_temp",
    "Waste heat from calcium nitrate production": "waste_heat_low_temp",
}

# case-study needs written by us after the source (exchange id -> (need text, need id));
# only exchanges whose receiver replaces a virgin input of need_inputs.json
CASE_NEED: dict[str, tuple[str, str]] = {
    "CS-SOTENAS,7": ("fuel gas to replace fossil fuel at our seafood processing plant", "natural_gas"),
    "CS-SOTENAS,10": ("organic-certified fertiliser for our fields", "n_fertiliser"),
    "CS-SOTENAS,14": ("feed for farmed salmon in a land-based fish farm", "animal_feed"),
    "CS-KALUNDBORG,3": ("natural gas for drying plasterboard", "natural_gas"),
    "CS-KALUNDBORG,4": ("natural gas for the refinery's furnaces", "natural_gas"),
    "CS-KALUNDBORG,5": ("fertiliser for farmland", "n_fertiliser"),
    "CS-KALUNDBORG,6": ("sulphur source for fertiliser production", "sulphur"),
    "CS-HANDELO,1": ("fuel for a combined heat and power plant fired with waste and biofuels", "coal"),
    "CS-HANDELO,2": ("carbon dioxide to purify into carbonic acid for the food industry", "merchant_co2"),
    "CS-HANDELO,3": ("starch and sugar feedstock for grain ethanol fermentation", "fermentation_sugar"),
    "CS-DUNKERQUE,1": ("clinker substitute to grind into a cement binder", "portland_cement"),
    "CS-DUNKERQUE,2": ("cement for ready-mixed concrete", "portland_cement"),
    "CS-DUNKERQUE,3": ("heat for the city's district heating network", "gas_heat"),
    "CS-DUNKERQUE,5": ("fuel gas for a combined-cycle power plant", "natural_gas"),
    "CS-DUNKERQUE,7": ("aggregates for road construction and public works", "natural_aggregates"),
    "CS-ROTTERDAM,1": ("CO2 to raise crop growth in greenhouses", "merchant_co2"),
    "CS-ULSAN,1": ("process steam for oil treatment", "gas_steam"),
    "CS-ULSAN,2": ("heat for an oil treatment process", "gas_heat"),
    "CS-LAHTI,3": ("bitumen for asphalt production", "asphalt"),
    "CS-LAHTI,6": ("fuel for a waste-to-energy power plant", "coal"),
    "CS-KITAKYUSHU,1": ("alternative fuel for cement kilns", "coal"),
    "CS-KITAKYUSHU,3": ("plastic raw material for moulded plastic products", "virgin_plastics"),
    "CS-KITAKYUSHU,4": ("raw materials for CRT glass melting", "glass_batch"),
    "CS-KITAKYUSHU,6": ("reducing agent for the blast furnace", "metallurgical_coke"),
    "CS-KITAKYUSHU,7": ("iron scrap for steelmaking", "primary_steel"),
    "CS-KITAKYUSHU,8": ("copper-bearing feed for copper smelting", "primary_copper"),
    "CS-KITAKYUSHU,9": ("aluminium for remelting", "primary_aluminium"),
    "CS-KITAKYUSHU,10": ("precious-metal-bearing material for refining gold and silver", "mixed_metals"),
    "CS-CHIBA,6": ("aggregate for concrete production", "natural_aggregates"),
    "CS-CHIBA,7": ("aggregate for asphalt mixes", "natural_aggregates"),
    "CS-CHIBA,8": ("iron for cast counterweights", "primary_steel"),
    "CS-TEDA,1": ("steel feedstock for casting ingots for mould making", "primary_steel"),
    "CS-NISP-WALES,1": ("plastic raw material for building boards", "virgin_plastics"),
    "CS-HULL,1": ("liquid fuel for the cement kiln", "fuel_oil"),
    "CS-HULL,2": ("chalk for cement manufacture", "limestone"),
    "CS-AICHI,1": ("wood chips for pulp production", "virgin_wood"),
    "CS-AICHI,3": ("rubber compound raw material", "virgin_rubber"),
    "CS-AICHI,5": ("steelmaking raw materials for the steelworks", "primary_steel"),
    "CS-AICHI,6": ("livestock feed", "animal_feed"),
    "CS-AKITA,3": ("wood raw material for composite building materials", "virgin_wood"),
    "CS-AKITA,6": ("plastic raw material for wood-plastic composites", "virgin_plastics"),
    "CS-MO-I-RANA,1": ("fuel gas for the rolling mill's reheating furnaces", "natural_gas"),
    "CS-MO-I-RANA,2": ("iron oxide raw material for ferrosilicon smelting", "iron_ore"),
    "CS-MO-I-RANA,5": ("heat for a district heating network", "gas_heat"),
    "CS-MO-I-RANA,6": ("fuel for peak-load boilers of a district heating network", "natural_gas"),
    "CS-MO-I-RANA,7": ("warm water to temper hatchery tanks for salmon", "gas_heat"),
    "CS-HEROYA,1": ("heat for district heating", "gas_heat"),
}

GAS = {"industrial_process_gas", "biogas_landfill_gas", "hydrogen_offgas", "sour_gas_h2s"}
LIQUID = {"waste_oil", "spent_solvents", "animal_fats_uco", "glycerol", "oily_sludge",
          "pulping_liquor", "halogenated_solvents", "paint_adhesive_waste"}
BIOMASS = {"clean_wood", "waste_wood", "bark_forest_residue", "crop_residues", "sugar_residues",
           "winery_residues", "green_waste", "food_processing_residues", "brewers_spent_grain",
           "distillers_residues"}
BINDERS = {"coal_fly_ash", "blast_furnace_slag", "silica_fume"}
HEAT_CARRIERS = {"steam", "waste_heat_low_temp", "waste_heat_high_temp", "cooling_water",
                 "treated_wastewater", "condensate_demin_water"}
SOIL_USES = ("soil", "compost", "growth of", "substrate", "fertile")
# receiver words that decide which virgin input a mineral residue replaces
RECEIVER_INPUT = (
    ("brick", "clay_bricks"), ("rock wool", "mineral_wool"), ("glass", "glass_batch"),
    ("refractor", "refractory_raw"), ("road", "natural_aggregates"),
    ("embankment", "natural_aggregates"), ("embarkment", "natural_aggregates"),
    ("paving", "natural_aggregates"),
)
MINERAL = {"coal_fly_ash", "furnace_bottom_ash", "blast_furnace_slag", "steel_slag",
           "non_ferrous_slag", "incinerator_bottom_ash", "bauxite_residue", "foundry_sand",
           "kiln_dust", "oil_shale_ash", "mining_waste_rock", "concrete_rubble", "mixed_cd_waste",
           "refractory_waste"}


# hand decisions for (waste description, receiver business), lower case, that the rule gets
# wrong (None: the receiver replaces no input of need_inputs.json, or the text cannot say which)
NEED_OVERRIDE: dict[tuple[str, str], str | None] = {
    ("barren liquor", "alumina refinery"): "caustic_soda",
    ("metallurgical coke dust and fines", "steelworks"): "metallurgical_coke",
    ("cu recovery", "electrolytic refining"): "primary_copper",
    ("filter mud", "cement mill"): "limestone",
    ("bagasse", "pulp and paper plant"): "virgin_paper",
    ("glass waste", "glass fiber production"): "glass_batch",
    ("glass waste", "construction industry"): "natural_aggregates",
    ("wood pulp", "packaging factory"): "virgin_paper",
    ("discarded home appliances", "iron and steel production"): None,
    ("waste car", "iron and steel production"): "primary_steel",
    ("sewage sludge", "cement industry"): "coal",
    ("waste pcb / copper foil", "copper production"): "primary_copper",
    ("waste residue", "fertiliser company"): "n_fertiliser",
    ("bagasse", "compound fertilizer production"): "n_fertiliser",
    ("bagasse", "cement mill"): "coal",
    ("soil separated during sugar beet washing", "landscaping"): "soil_improver",
    ("waste plastics (amp)", "blast media production"): "silica_sand",
    ("waste plastic", "chemical industry"): "hydrogen",
    ("waste plastic", "cement & construction"): "coal",
    ("seaweed residues", "agricultural company"): "soil_improver",
    ("marc and dregs", "distilleries"): "fermentation_sugar",
    ("coal mine overburden", "cement and lime producer"): "clay_bricks",
}
# (waste description prefix, receiver prefix) pairs without a need of the list (lower case)
NO_NEED = (
    ("spent shale", ""), ("old tyres", "petroleum"), ("off-spec lime", ""), ("green mud", ""),
    ("waste clay", ""), ("clay-oil", ""), ("spent coffee grounds", "oil extraction"),
    ("boiler ash", "granite"), ('"glue like"', ""), ("ethanol", ""), ("bauxite residue", "water"),
    ("spent catalysts", "cement"), ("process residue", ""), ("poultry dejections", ""),
    ("hessian sacks", ""), ("septic sludges", ""), ("black li", ""), ("bagasse pitch", ""),
    ("talcum powder", ""), ("paper fines", ""), ("paper sludge", "cement"),
    ("waste residual resins", ""), ("steel slag", "carbonate"), ("chromium slag", ""),
    ("nutrient rich water", "algae"), ("waste water", "anaerobic"),
)
FUEL_USERS = ("gasifier",)
DIGESTERS = ("biogas", "methane", "anaerobic")


def need_label(supply: str | None, final_use: str, receiver: str, fits: dict,
               waste: str = "") -> str | None:
    """The virgin input a documented MAESTRI exchange replaced (None: no need of the list)."""
    fu, rb, wd = final_use.strip().lower(), receiver.strip().lower(), waste.strip().lower()
    if supply is None or fu in ("nd", "") or rb in ("nd", "") or "phosphorous" in fu \
            or "sterili" in fu:
        return None
    for (w, r), need in NEED_OVERRIDE.items():
        if wd.startswith(w) and rb == r:
            return need
    if any(wd.startswith(w) and rb.startswith(r) for w, r in NO_NEED):
        return None
    if supply == "halogenated_solvents" and "cool" in fu:
        return None
    if supply == "co2_stream":
        return "merchant_co2"
    if any(d in rb for d in DIGESTERS) and "heat" not in fu and supply != "waste_heat_low_temp":
        return None  # a digester's feedstock replaces no input of the list
    if any(f in rb for f in FUEL_USERS) and "heat" not in fu:
        fu = "fuel"
    if "plastic" in wd and "iron and steel" in rb:
        return "metallurgical_coke"
    if ("alcohol" in rb or "distiller" in rb or "biofuel" in rb) and supply in (
            "sugar_residues", "food_processing_residues"):
        return "fermentation_sugar"
    if "heat" in fu and supply not in HEAT_CARRIERS:
        fu = "fuel"
    if "heat" in fu:
        return "gas_steam" if supply == "steam" else "gas_heat"
    if "water" in fu or "cool" in fu:
        return "demin_water" if supply == "condensate_demin_water" else "fresh_water"
    if "fuel" in fu or fu in ("energy", "process energy") or "substitution for coal" in fu:
        if supply in GAS:
            return "natural_gas"
        if supply in LIQUID:
            return "fuel_oil"
        if supply == "food_waste":
            return "natural_gas"
        return "wood_fuel" if supply in BIOMASS and "cement" not in rb else "coal"
    if "substitution for coke" in fu:
        return "metallurgical_coke"
    if "feed" in fu:
        return "animal_feed"
    if any(w in fu for w in SOIL_USES):
        return "n_fertiliser" if "fertili" in fu and "substrate" not in fu else "soil_improver"
    if "fertili" in fu:
        return "n_fertiliser"
    if "hydrogen" in fu:
        return "hydrogen"
    if supply in MINERAL:
        for word, need in RECEIVER_INPUT:
            if word in rb:
                return need
        if supply == "steel_slag" and "cement" in rb:
            return "iron_ore"
        if "cement" in rb or "concrete" in rb:
            best = fits.get(supply, [])
            return "portland_cement" if any(n == "portland_cement" for _, n in best) else best[0][1]
        if "construction" in rb:
            return "portland_cement" if supply in BINDERS else "natural_aggregates"
    if "fertili" in rb and any(n == "n_fertiliser" for _, n in fits.get(supply, [])):
        return "n_fertiliser"
    if ("feed" in rb or "animal" in rb or "farm" in rb) and fits.get(supply) and any(
        n == "animal_feed" for _, n in fits[supply]
    ):
        return "animal_feed"
    best = fits.get(supply)
    return best[0][1] if best else None


def _norm(t: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", t.lower()).split())


def build() -> list[dict[str, str]]:
    maestri = list(csv.DictReader(open(SHARED / "maestri_exchanges.csv", encoding="utf-8")))
    cases = list(csv.DictReader(open(ROOT / "benchmarks/data/case_studies_exchanges.csv",
                                     encoding="utf-8")))
    evalset = list(csv.DictReader(
        ln for ln in open(ROOT / "tests/data/material_eval.csv", encoding="utf-8")
         if not ln.startswith("#")))
    by_xid = {}
    for r in evalset:
        m = re.search(r"exchange ([\d,]+)", r["source"])
        if m:
            by_xid[m.group(1)] = r["material_class"]
    refs = {}
    for r in csv.DictReader(open(SHARED / "maestri_references.csv", encoding="utf-8")):
        refs.setdefault(r["case_id"], f"{r['authors']} ({r['year']})")
    needs = json.loads((ROOT / "src/symbioflows/data/need_inputs.json").read_text("utf-8"))
    fits: dict[str, list[tuple[float, str]]] = {}
    for n in needs["needs"]:
        for c, f in n["served_by"].items():
            fits.setdefault(c, []).append((f, n["id"]))
    for c in fits:
        fits[c].sort(key=lambda x: (-x[0], x[1]))

    rows: list[dict[str, str]] = []
    seen: dict[tuple, dict[str, str]] = {}

    def add(key, row):
        if key in seen:
            seen[key]["note"] += f"; also {row['ref']}"
            return
        seen[key] = row
        rows.append(row)

    for r in maestri:
        xid, case = r["exchange_id"], r["exchange_id"].split(",")[0]
        text = r["waste_description"].strip()
        if xid in by_xid:
            sup, how = by_xid[xid], "material_eval.csv label (project authors)"
        else:
            sup = SUPPLY_LABELS.get(text.lower())
            how = "hand label, this build"
        src = (f"MAESTRI Exchanges Database (H2020 grant 680570), exchange {xid}; case source "
               f"{refs.get(case, 'maestri_references.csv')}")
        if sup is not None:
            add(("supply", case, _norm(text)), {
                "direction": "supply", "group": f"MAESTRI-{case}", "origin": "maestri",
                "ref": xid, "column": "waste_description", "text": "", "label": sup,
                "source": src, "note": how})
        need = need_label(sup, r["final_use"], r["receiver_business"], fits,
                          r["waste_description"])
        if need is not None:
            ntext = f"{r['final_use'].strip()} for {r['receiver_business'].strip()}"
            add(("need", case, _norm(ntext), need), {
                "direction": "need", "group": f"MAESTRI-{case}", "origin": "maestri",
                "ref": xid, "column": "final_use+receiver_business", "text": "", "label": need,
                "source": src,
                "note": f"rule need_label(): supply class {sup}, final use, receiver business"})
    for r in cases:
        xid, park = r["exchange_id"], r["park_id"]
        text = r["waste_description"].strip()
        if text not in CASE_SUPPLY:
            raise KeyError(f"case-study supply {text!r} has no label decision")
        src = f"{r['source']}, {r['source_url']} ({r['source_locator']})"
        sup = CASE_SUPPLY[text]
        if sup is not None:
            add(("supply", park, _norm(text)), {
                "direction": "supply", "group": park, "origin": "case_study", "ref": xid,
                "column": "", "text": text, "label": sup, "source": src,
                "note": "waste_description of case_studies_exchanges.csv; hand label, this build"})
        if xid in CASE_NEED:
            ntext, need = CASE_NEED[xid]
            add(("need", park, _norm(ntext), need), {
                "direction": "need", "group": park, "origin": "case_study", "ref": xid,
                "column": "", "text": ntext, "label": need, "source": src,
                "note": "need text written by us after the source's statement of the receiver's use"})
    # seeded split by group
    groups = sorted({r["group"] for r in rows})
    rng = np.random.default_rng(SEED)
    held = set(rng.choice(groups, size=round(HELDOUT_SHARE * len(groups)), replace=False).tolist())
    for r in rows:
        r["split"] = "heldout" if r["group"] in held else "dev"
    return rows


def main() -> int:
    rows = build()
    # MAESTRI texts are resolved here only to drop dev rows that repeat a held-out wording
    maestri = {r["exchange_id"]: r for r in csv.DictReader(
        open(SHARED / "maestri_exchanges.csv", encoding="utf-8"))}

    def text_of(r):
        if r["text"]:
            return r["text"]
        m = maestri[r["ref"]]
        if r["column"] == "waste_description":
            return m["waste_description"]
        return f"{m['final_use'].strip()} for {m['receiver_business'].strip()}"

    held = {(r["direction"], _norm(text_of(r))) for r in rows if r["split"] == "heldout"}
    kept = [r for r in rows if r["split"] == "heldout" or (r["direction"], _norm(text_of(r))) not in held]
    counters = {"supply": 0, "need": 0}
    for r in kept:
        counters[r["direction"]] += 1
        r["id"] = f"{r['direction'][0].upper()}{counters[r['direction']]:04d}"
    cols = ["id", "direction", "split", "group", "origin", "ref", "column", "text", "label",
            "source", "note"]
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write("# Labelled supply and need descriptions (issue 16 item 6); built by "
                 "build_labelled_text.py, see its docstring.\n# MAESTRI rows carry no text: "
                 "read it from ../shared/data/maestri_exchanges.csv (exchange id 'ref', "
                 "'column'; needs join final_use and receiver_business with ' for ').\n")
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in kept:
            w.writerow({c: r[c] for c in cols})
    for d in ("supply", "need"):
        for s in ("dev", "heldout"):
            n = sum(1 for r in kept if r["direction"] == d and r["split"] == s)
            print(f"{d:6s} {s:7s} {n}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
