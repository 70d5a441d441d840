"""Author the secondary-material taxonomy shipped as ``src/symbioflows/data/material_taxonomy.json``.

Run ``python tools/build_material_taxonomy.py`` after editing; the JSON is committed and the
loader (``symbioflows.materials.taxonomy``) validates it.  Every fact carries a source id (see
SOURCES) and a year; values marked ``estimate`` are rounded figures recalled from the cited public
source or judged by the authors from the cited market context, and should be checked before use
in a decision.

Where the project's checked tables hold a figure read in its published document
(``src/symbioflows/data/factors/virgin_factors.csv`` and ``reference_prices.csv``, each row with
its source, year and locator), the virgin input's factor and price are taken from that row
(source ids ``VF`` and ``RP``, ``estimate`` false) instead of the recalled figure below, so the
taxonomy never disagrees with what the plan uses (issue 17).  Unchecked rows must equal the
recalled figure they were copied from; the build stops if one does not.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "symbioflows" / "data" / "material_taxonomy.json"
FACTORS = OUT.parent / "factors"
FORMAT_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Sources (id -> citation).  DEFRA25 values are read from ghg_factors_2025_material_use.csv
# (shipped alongside, Open Government Licence v3.0).
SOURCES = {
    "EN450": "CEN, EN 450-1:2012 Fly ash for concrete - Part 1: Definition, specifications and "
             "conformity criteria: fly ash from the combustion of pulverised coal, with or "
             "without co-combustion materials in limited shares; ash from burning biomass alone "
             "is outside the definition (ERFO, Standardisation of flyashes for use in concrete, "
             "2008, on the co-combustion restrictions).",
    "HEATGRADE": "Turek V., Kilkovsky B., Daxner J., Babicka Fialova D., Jegla Z. (2024), Industrial "
                 "waste heat utilization in the European Union: an engineering-centric review, "
                 "Energies 17(9) 2084, doi:10.3390/en17092084 (thermal classification of waste "
                 "heat by temperature level). The bounds used (low grade below 100 deg C, high "
                 "grade above 150 deg C) are this taxonomy's class definitions, not the review's.",
    "DEFRA25": "UK DESNZ/DEFRA, Greenhouse gas reporting: conversion factors 2025, Material use, "
               "'Primary material production' (kg CO2e per tonne). Open Government Licence v3.0.",
    "DEFRA25F": "UK DESNZ/DEFRA, Greenhouse gas reporting: conversion factors 2025, Fuels "
                "(natural gas about 0.183 kg CO2e/kWh gross CV; coal industrial about 2,400 kg CO2e/t; "
                "fuel oil about 3,200 kg CO2e/t). Open Government Licence v3.0.",
    "DEFRA25W": "UK DESNZ/DEFRA, Greenhouse gas reporting: conversion factors 2025, Water supply and "
                "treatment (order of 0.2 kg CO2e per m3 supplied). Open Government Licence v3.0.",
    "EUROSTAT24": "Eurostat, Recycling - secondary material price indicator (env_wastrt / cei_cie020), "
                  "EU averages: glass 65 (2022) / 95 (2024), paper 206 / 156, plastic 454 / 321 EUR/t.",
    "USGS25": "U.S. Geological Survey, Mineral Commodity Summaries 2025 (salient statistics: unit "
              "values of cement, crushed stone, sand and gravel, gypsum, lime, iron and steel slag, "
              "sulfur, iron ore, aluminum, copper, zinc, nickel).",
    "USGS20": "U.S. Geological Survey, Mineral Commodity Summaries 2020, Iron and steel slag: 'prices "
              "ranged from a few cents for some steel slags to about $120 or more for some GGBFS' (2019).",
    "ICE3": "Hammond & Jones, Inventory of Carbon and Energy (ICE) v3.0, University of Bath / Circular "
            "Ecology, 2019 (CEM I about 0.91 kg CO2e/kg; quicklime about 1.0 kg CO2e/kg).",
    "IEAH2": "IEA, Global Hydrogen Review 2023: unabated natural-gas hydrogen about 10-12 kg CO2e/kg H2; "
             "production cost about 1-3 USD/kg.",
    "IPCC06": "IPCC 2006 Guidelines for National Greenhouse Gas Inventories, Vol. 3 ch. 2 (lime: "
              "0.75-0.79 t CO2/t CaO process emissions) and Vol. 2 (fuel emission factors).",
    "WB24": "World Bank Commodity Price Data (Pink Sheet), annual averages 2024 (iron ore, coal, urea, "
            "DAP, soybean meal, barley, natural rubber, sugar).",
    "FE19": "Fertilizers Europe, Carbon footprint reference values, 2019 (ammonium nitrate, urea, "
            "ammonium sulphate, cradle-to-gate).",
    "CIMA": "Cellulose Insulation Manufacturers Association, as cited in 'A brief history of "
            "thermal insulation: environmental considerations' (zhclg.com, undated; read 2026): most cellulose "
            "insulation is about 80 percent post-consumer recycled newspaper by weight, the rest "
            "fire retardants and binders.",
    "LIT": "Industrial-symbiosis literature on substitution practice: Chertow 2000 (Annu. Rev. Energy "
           "Environ. 25:313); Jacobsen 2006 Kalundborg (J. Ind. Ecol. 10:239); van Beers et al. 2007 "
           "Kwinana (J. Ind. Ecol. 11:55); MAESTRI exchanges database (H2020 grant 680570); "
           "EN 197-1 (cement constituents), EN 450-1 (fly ash), EN 15167-1 (GGBS), EN 13242 "
           "(aggregates from slag/IBA).",
    "DENS": "Typical bulk densities from engineering handbooks (e.g. Perry's Chemical Engineers' "
            "Handbook 9th ed. 2018; EU BREF documents for the sector); ranges vary with moisture.",
    "DEFRA25E": "UK DESNZ/DEFRA, Greenhouse gas reporting: conversion factors 2025, UK electricity, "
                "'Electricity generated' (0.177 kg CO2e/kWh, location-based grid average). Open "
                "Government Licence v3.0.",
    "ESTATE24": "Eurostat, Electricity price statistics (Statistics Explained, data extracted "
                "October 2024; dataset nrg_pc_205): non-household electricity prices in the EU in "
                "the first half of 2024 ranged from EUR 0.0939 per kWh (Finland) to EUR 0.256 per "
                "kWh (Ireland); converted at 1.0824 USD/EUR (ECB 2024 average).",
    "FNR10": "Fachagentur Nachwachsende Rohstoffe (FNR), Leitfaden Biogas, 5th ed. 2010, table of "
             "typical biogas yields (as tabulated in public secondary sources): brewers' grains "
             "122 Nm3 biogas and 70 Nm3 methane per t fresh mass; methane's lower heating value "
             "9.97 kWh/Nm3.",
    "HAERD04": "Haerdtlein et al. 2004, gas yields of biogenic materials (as tabulated by the "
               "Austrian biogas grid-injection guide biogas-netzeinspeisung.at): potato stillage "
               "35 m3 biogas per t at 54 % methane; methane's lower heating value 9.97 kWh/Nm3.",
    "EST": "Authors' estimate from public market commentary (trade press, 2023-2024); indicative only.",
    "VF": "symbioflows virgin_factors.csv (symbioflows/data/factors): a factor read in its published "
          "document; the row gives the source, year and locator (table, row, cell or quoted sentence).",
    "RP": "symbioflows reference_prices.csv (symbioflows/data/factors): a price read in its published "
          "document; the row gives the source, year, currency and locator; converted to USD at "
          "exchange_rates.csv.",
}

# ---------------------------------------------------------------------------------------------
# Virgin (primary) inputs that secondary classes replace.
# id: (label, ef_kg_co2e_per_t, ef_source, ef_year, ef_estimate,
#      price_low_usd_per_t, price_high_usd_per_t, price_source, price_year, price_estimate, unit)
V = {
    "portland_cement": ("Portland cement (CEM I)", 912, "ICE3", 2019, True, 120, 180, "USGS25", 2024, True, "t"),
    "natural_aggregates": ("Natural aggregates (crushed stone, sand and gravel)", 7.79306, "DEFRA25", 2025, False, 10, 20, "USGS25", 2024, True, "t"),
    "natural_gypsum": ("Mined gypsum", 10, "EST", 2024, True, 8, 30, "USGS25", 2024, True, "t"),
    "limestone": ("Limestone / calcium carbonate", 7.79306, "DEFRA25", 2025, True, 10, 40, "USGS25", 2024, True, "t"),
    "quicklime": ("Quicklime / hydrated lime", 1000, "ICE3", 2019, True, 130, 200, "USGS25", 2024, True, "t"),
    "iron_ore": ("Iron ore (fines, pellets)", 40, "EST", 2024, True, 80, 130, "WB24", 2024, True, "t"),
    "primary_steel": ("Primary steel / pig iron", 2863.90131, "DEFRA25", 2025, False, 400, 800, "EST", 2024, True, "t"),
    "primary_aluminium": ("Primary aluminium", 9115.90131, "DEFRA25", 2025, False, 2200, 2700, "USGS25", 2024, True, "t"),
    "primary_copper": ("Copper cathode", 4100, "EST", 2023, True, 8500, 9800, "USGS25", 2024, True, "t"),
    "mixed_metals": ("Mixed primary metals", 3473.11953, "DEFRA25", 2025, False, 500, 3000, "EST", 2024, True, "t"),
    "primary_zinc": ("Primary zinc", 3500, "EST", 2022, True, 2400, 3000, "USGS25", 2024, True, "t"),
    "primary_nickel": ("Primary nickel (and catalyst metals)", 13000, "EST", 2023, True, 15000, 20000, "USGS25", 2024, True, "t"),
    "virgin_pet": ("Virgin PET resin", 3863.90131, "DEFRA25", 2025, False, 900, 1400, "EST", 2024, True, "t"),
    "virgin_hdpe": ("Virgin HDPE resin", 3095.15524, "DEFRA25", 2025, False, 900, 1400, "EST", 2024, True, "t"),
    "virgin_ldpe": ("Virgin LDPE / LLDPE resin", 2965.0779, "DEFRA25", 2025, False, 900, 1400, "EST", 2024, True, "t"),
    "virgin_pp": ("Virgin PP resin", 2577.57172, "DEFRA25", 2025, False, 900, 1400, "EST", 2024, True, "t"),
    "virgin_ps": ("Virgin PS / EPS resin", 4376.80391, "DEFRA25", 2025, False, 1000, 1600, "EST", 2024, True, "t"),
    "virgin_pvc": ("Virgin PVC resin", 2944.75615, "DEFRA25", 2025, False, 800, 1300, "EST", 2024, True, "t"),
    "virgin_plastics": ("Virgin plastics (average)", 3172.49932, "DEFRA25", 2025, False, 900, 1500, "EST", 2024, True, "t"),
    "virgin_board": ("Virgin board / kraftliner", 1199.72542, "DEFRA25", 2025, False, 500, 900, "EST", 2024, True, "t"),
    "virgin_paper": ("Virgin paper / pulp", 1345.0779, "DEFRA25", 2025, False, 600, 1000, "EST", 2024, True, "t"),
    "virgin_wood": ("Virgin timber / roundwood", 269.50416, "DEFRA25", 2025, False, 60, 200, "EST", 2024, True, "t"),
    "wood_fuel": ("Virgin wood chips / pellets for energy", 269.50416, "DEFRA25", 2025, True, 50, 200, "EST", 2024, True, "t"),
    "glass_batch": ("Glass batch (sand, soda ash, limestone) / primary glass", 1402.76667, "DEFRA25", 2025, False, 100, 250, "EUROSTAT24", 2024, True, "t"),
    "mineral_wool": ("Virgin insulation (mineral / glass wool)", 1861.79306, "DEFRA25", 2025, False, 500, 1200, "EST", 2024, True, "t"),
    "clay_bricks": ("Clay and brick raw materials", 241.79306, "DEFRA25", 2025, False, 10, 40, "EST", 2024, True, "t"),
    "concrete": ("Concrete", 118.79306, "DEFRA25", 2025, False, 60, 120, "EST", 2024, True, "t"),
    "asphalt": ("Asphalt / bitumen-bound material", 39.21249, "DEFRA25", 2025, False, 50, 120, "EST", 2024, True, "t"),
    "plasterboard": ("Plasterboard / gypsum products", 120.05, "DEFRA25", 2025, False, 100, 300, "EST", 2024, True, "t"),
    "virgin_rubber": ("Virgin rubber compound (tyre-grade)", 3335.5719, "DEFRA25", 2025, False, 1500, 2500, "WB24", 2024, True, "t"),
    "virgin_textile_fibre": ("Virgin textile fibre / clothing", 22310.0, "DEFRA25", 2025, False, 1500, 3000, "EST", 2024, True, "t"),
    "animal_feed": ("Compound animal feed (barley, soybean meal)", 500, "EST", 2024, True, 200, 450, "WB24", 2024, True, "t"),
    "n_fertiliser": ("Synthetic nitrogen fertiliser", 1200, "FE19", 2019, True, 300, 500, "WB24", 2024, True, "t"),
    "soil_improver": ("Soil improver / compost / peat", 112.08811, "DEFRA25", 2025, False, 10, 40, "EST", 2024, True, "t"),
    "coal": ("Coal (fuel or reductant)", 2400, "DEFRA25F", 2025, True, 100, 150, "WB24", 2024, True, "t"),
    "metallurgical_coke": ("Metallurgical coke", 3100, "IPCC06", 2006, True, 250, 400, "EST", 2024, True, "t"),
    "fuel_oil": ("Heavy fuel oil", 3200, "DEFRA25F", 2025, True, 400, 650, "EST", 2024, True, "t"),
    "natural_gas": ("Natural gas (fuel), per MWh", 183, "DEFRA25F", 2025, True, 30, 60, "EST", 2024, True, "MWh"),
    "gas_heat": ("Heat from a natural-gas boiler, per MWh (90 % efficiency)", 203, "DEFRA25F", 2025, True, 35, 75, "EST", 2024, True, "MWh"),
    "grid_electricity": ("Electricity bought from the grid, per MWh", 177, "DEFRA25E", 2025, False, 101.64, 277.09, "ESTATE24", 2024, False, "MWh"),
    "gas_steam": ("Steam from a natural-gas boiler, per t (about 0.75 MWh/t)", 152, "DEFRA25F", 2025, True, 20, 45, "EST", 2024, True, "t"),
    "fresh_water": ("Mains / abstracted fresh water, per m3", 0.2, "DEFRA25W", 2025, True, 0.5, 3, "EST", 2024, True, "m3"),
    "demin_water": ("Demineralised / boiler-feed water, per m3", 1.0, "EST", 2024, True, 2, 6, "EST", 2024, True, "m3"),
    "base_oil": ("Mineral base oil / lubricant", 1401.0, "DEFRA25", 2025, False, 800, 1300, "EST", 2024, True, "t"),
    "virgin_solvent": ("Virgin organic solvent (acetone, IPA, toluene)", 2000, "EST", 2024, True, 800, 1500, "EST", 2024, True, "t"),
    "sulphuric_acid": ("Sulphuric acid (virgin)", 100, "EST", 2024, True, 50, 150, "EST", 2024, True, "t"),
    "hydrochloric_acid": ("Hydrochloric acid (virgin, 30-33 %)", 600, "EST", 2024, True, 100, 250, "EST", 2024, True, "t"),
    "caustic_soda": ("Sodium hydroxide (virgin, 50 %)", 1100, "EST", 2024, True, 300, 600, "EST", 2024, True, "t"),
    "sulphur": ("Elemental sulphur", 100, "EST", 2024, True, 70, 150, "USGS25", 2024, True, "t"),
    "hydrogen": ("Hydrogen from natural gas (SMR)", 11000, "IEAH2", 2023, True, 1000, 3000, "IEAH2", 2023, True, "t"),
    "ammonium_sulphate": ("Ammonium sulphate fertiliser", 500, "FE19", 2019, True, 150, 300, "WB24", 2024, True, "t"),
    "merchant_co2": ("Merchant (food-grade) CO2", 150, "EST", 2024, True, 50, 150, "EST", 2024, True, "t"),
    "activated_carbon": ("Virgin activated carbon", 8000, "EST", 2024, True, 1500, 3000, "EST", 2024, True, "t"),
    "silica_sand": ("Industrial silica sand", 20, "EST", 2024, True, 40, 80, "USGS25", 2024, True, "t"),
    "refractory_raw": ("Refractory raw materials (bauxite, magnesia, alumina)", 1000, "EST", 2024, True, 300, 700, "EST", 2024, True, "t"),
    "fermentation_sugar": ("Sugar / molasses as fermentation substrate", 500, "EST", 2024, True, 150, 450, "WB24", 2024, True, "t"),
    "fluorspar": ("Fluorspar (acid or metallurgical grade)", 200, "EST", 2024, True, 250, 550, "USGS25", 2024, True, "t"),
    "lead": ("Primary lead", 1800, "EST", 2024, True, 1900, 2300, "USGS25", 2024, True, "t"),
    "carbon_fibre_filler": ("Carbon black / graphite", 2500, "EST", 2024, True, 1000, 2000, "EST", 2024, True, "t"),
}

# ---------------------------------------------------------------------------------------------
# Secondary-material classes.
# C(id, label, family, description, synonyms, ewc, state, density, medium, substitutes,
#   produced_by, used_by, unit="t")
# substitutes: list of (virgin_id, ratio) = tonnes of virgin input replaced per unit of the class.
CLASSES: list[dict] = []


def C(cid, label, family, description, synonyms, ewc, state, density, medium, subs, produced, used,
      unit="t", hazardous=False, temperature_c=None, not_if_text_says=None):
    CLASSES.append(dict(id=cid, label=label, family=family, description=description,
                        synonyms=synonyms, ewc=ewc, state=state, density=density, medium=medium,
                        subs=subs, produced=produced, used=used, unit=unit, hazardous=hazardous,
                        temperature_c=temperature_c, not_if_text_says=not_if_text_says))


# --- ashes and slags -------------------------------------------------------------------------
C("coal_fly_ash", "Coal fly ash", "ashes_slags",
  "Pulverised fuel ash captured from the flue gas of coal-fired boilers and power stations; pozzolan for cement and concrete",
  ["PFA", "pulverised fuel ash", "fly ash", "flyash", "coal flying ash", "boiler fly ash", "ESP ash",
   "Flugasche", "Steinkohlenflugasche", "cendres volantes", "ceneri volanti", "cenizas volantes", "class F fly ash"],
  ["10 01 02", "10 01 17"], "solid", 0.9, "bulk_solid", [("portland_cement", 1.0), ("natural_aggregates", 1.0)],
  ["35.11", "35.30", "17.12"], ["23.51", "23.61", "23.63", "42.11"],
  not_if_text_says=({"words": ["biomass", "wood", "straw", "bagasse", "husk", "husks"],
                     "unless": ["coal", "lignite", "co-combustion", "co-firing", "cofiring",
                                "co-fired"]}, "EN450", 2012))
C("furnace_bottom_ash", "Boiler bottom ash and slag", "ashes_slags",
  "Coarse ash and boiler slag from the bottom of coal or biomass boilers; lightweight aggregate and fill",
  ["bottom ash", "FBA", "furnace bottom ash", "boiler ash", "boiler slag", "coal slag", "clinker ash",
   "Kesselasche", "mâchefer de chaudière", "Grobasche"],
  ["10 01 01", "10 01 15", "10 01 14*"], "solid", 1.0, "bulk_solid", [("natural_aggregates", 1.0)],
  ["35.11", "35.30", "17.12"], ["23.61", "42.11", "23.32"])
C("biomass_ash", "Biomass ash", "ashes_slags",
  "Ash from wood, straw or other biomass combustion; liming agent, potassium fertiliser and cement raw material",
  ["wood ash", "biomass fly ash", "straw ash", "Holzasche", "cendres de bois", "cenere di legna", "boiler and fly ashes"],
  ["10 01 03", "10 01 01", "10 01 15"], "solid", 0.7, "bulk_solid", [("quicklime", 0.3), ("n_fertiliser", 0.05), ("natural_aggregates", 0.8)],
  ["35.11", "35.30", "16.10", "17.11"], ["01.11", "01.50", "23.51", "02.10"])
C("incinerator_bottom_ash", "Incinerator bottom ash (IBA)", "ashes_slags",
  "Bottom ash from municipal waste incineration, weathered and processed into secondary aggregate (IBAA)",
  ["IBA", "IBAA", "MSWI bottom ash", "MSWI ash", "mâchefers", "MIOM", "Müllverbrennungsschlacke", "HMV-Schlacke", "EfW ash", "urban waste ash", "MSW melting slag", "waste melting slag", "melting furnace slag from municipal waste"],
  ["19 01 12", "19 01 11*"], "solid", 1.3, "bulk_solid", [("natural_aggregates", 1.0)],
  ["38.21", "35.11"], ["42.11", "23.63", "43.12"])
C("apc_residue", "Air-pollution-control residues and incinerator fly ash", "ashes_slags",
  "Fly ash and flue-gas treatment residues from waste incineration; hazardous, used for acid neutralisation or mine backfill after treatment",
  ["APC residue", "APCr", "FGT residue", "incinerator fly ash", "filter dust", "REFIOM", "Filterstaub", "scrubber residue"],
  ["19 01 13*", "19 01 07*", "19 01 05*", "10 01 16*"], "solid", 0.6, "bulk_solid", [("quicklime", 0.2)],
  ["38.21", "35.11"], ["38.22", "08.99"], hazardous=True)
C("blast_furnace_slag", "Blast-furnace slag (GBS / GGBS)", "ashes_slags",
  "Granulated or air-cooled slag from iron blast furnaces; ground granulated slag (GGBS) replaces Portland cement, air-cooled slag replaces aggregate",
  ["BF slag", "BFS", "GBFS", "GGBS", "GGBFS", "granulated slag", "slag cement", "Hüttensand", "Hochofenschlacke", "laitier de haut fourneau", "loppa d'altoforno", "escoria de alto horno", "iron slag"],
  ["10 02 02", "10 02 01"], "solid", 1.2, "bulk_solid", [("portland_cement", 1.0), ("natural_aggregates", 1.0)],
  ["24.10"], ["23.51", "23.63", "42.11"])
C("steel_slag", "Steelmaking slag (BOF / EAF)", "ashes_slags",
  "Slag from basic oxygen or electric arc steelmaking; road aggregate, armourstone, liming agent and sinter feed",
  ["BOF slag", "BOS slag", "BOFS", "BOSF", "LD slag", "EAF slag", "electric arc furnace slag", "converter slag", "ladle slag",
   "Stahlwerksschlacke", "LD-Schlacke", "Elektroofenschlacke", "laitier d'aciérie", "scoria d'acciaieria", "escoria de acería"],
  ["10 02 02", "10 02 01"], "solid", 1.8, "bulk_solid", [("natural_aggregates", 1.0), ("quicklime", 0.3), ("iron_ore", 0.2)],
  ["24.10"], ["42.11", "23.51", "01.11", "24.10"])
C("non_ferrous_slag", "Non-ferrous metallurgical slag", "ashes_slags",
  "Slag from copper, lead, zinc, ferroalloy or phosphorus smelting; abrasive, aggregate and cement raw material",
  ["copper slag", "iron silicate", "ferrochrome slag", "zinc slag", "lead slag", "phosphorous slag", "phosphorus slag", "chromium slag", "ferroalloy slag", "Kupferschlacke"],
  ["10 06 01", "10 04 01*", "10 05 01", "10 08 09", "10 08 10*", "06 09 02", "06 04 05*", "10 03 04*"], "solid", 1.9, "bulk_solid",
  [("natural_aggregates", 1.0), ("silica_sand", 0.8), ("portland_cement", 0.3)],
  ["24.44", "24.43", "24.10", "20.15"], ["42.11", "23.51", "25.61"])
C("foundry_sand", "Spent foundry sand", "ashes_slags",
  "Used moulding and core sand from iron, steel and aluminium foundries; replaces sand in concrete, asphalt and cement",
  ["foundry sand", "spent moulding sand", "core sand", "green sand", "Gießereialtsand", "sable de fonderie", "sabbia di fonderia"],
  ["10 09 08", "10 10 08", "10 09 06", "10 10 06"], "solid", 1.5, "bulk_solid", [("silica_sand", 1.0), ("natural_aggregates", 1.0)],
  ["24.51", "24.52", "24.53", "24.54"], ["23.51", "23.63", "42.11", "23.32"])
C("mill_scale", "Mill scale", "ashes_slags",
  "Iron oxide scale from hot rolling and forging of steel; sinter and cement kiln iron feed",
  ["mill scale", "mill scales", "rolling scale", "iron oxide scale", "Walzzunder", "Zunder", "calamine", "cascarilla"],
  ["10 02 10", "12 01 01"], "solid", 2.5, "bulk_solid", [("iron_ore", 1.0)],
  ["24.10", "24.20", "25.50"], ["24.10", "23.51"])
C("bauxite_residue", "Bauxite residue (red mud)", "ashes_slags",
  "Alkaline iron-rich residue of alumina refining (Bayer process); iron and cement raw material, soil amendment",
  ["red mud", "bauxite residue", "Rotschlamm", "boues rouges", "fanghi rossi", "barren liquor"],
  ["01 03 09", "10 03 04*", "10 08 18"], "sludge", 1.6, "bulk_solid", [("iron_ore", 0.3), ("clay_bricks", 0.5)],
  ["24.42"], ["23.51", "24.10", "23.32"])
C("silica_fume", "Silica fume (microsilica)", "ashes_slags",
  "Ultrafine amorphous silica collected from silicon and ferrosilicon furnaces; high-performance concrete additive",
  ["silica fume", "microsilica", "condensed silica fume", "Mikrosilika", "fumée de silice"],
  ["10 03 29*", "10 08 99", "10 12 03"], "solid", 0.6, "bulk_solid", [("portland_cement", 1.0)],
  ["24.10", "20.13"], ["23.51", "23.63", "23.64"])
C("kiln_dust", "Cement and lime kiln dust", "ashes_slags",
  "Fine alkaline dust from cement or lime kilns (CKD, LKD); liming agent, soil stabiliser and acid neutraliser",
  ["CKD", "LKD", "cement kiln dust", "lime kiln dust", "bypass dust", "off-spec lime", "Kalkstaub", "poussières de four"],
  ["10 13 06", "10 13 04", "16 03 06", "10 13 99"], "solid", 0.8, "bulk_solid", [("quicklime", 0.5), ("limestone", 1.0)],
  ["23.51", "23.52"], ["01.11", "42.11", "37.00", "23.51"])
C("oil_shale_ash", "Oil-shale ash and spent shale", "ashes_slags",
  "Ash and semicoke from oil-shale combustion or retorting; cement raw material and landscaping fill",
  ["oil shale ash", "spent shale", "semicoke", "Ölschieferasche", "põlevkivituhk"],
  ["10 01 02", "01 05 05*", "05 01 99"], "solid", 1.0, "bulk_solid", [("portland_cement", 0.3), ("limestone", 0.5)],
  ["19.20", "35.11", "06.10"], ["23.51", "42.11"])

# --- gypsum and lime -------------------------------------------------------------------------
C("fgd_gypsum", "Flue-gas desulphurisation gypsum", "gypsum_lime",
  "Synthetic gypsum from wet limestone scrubbing of flue gas; replaces natural gypsum in plasterboard and as cement retarder",
  ["FGD gypsum", "DSG", "desulphogypsum", "desulfogypsum", "synthetic gypsum", "scrubber sludge", "REA-Gips", "gypse de désulfuration", "gesso da desolforazione", "yeso de desulfuración"],
  ["10 01 05", "10 01 07", "10 01 18*"], "solid", 1.1, "bulk_solid", [("natural_gypsum", 1.0)],
  ["35.11", "17.12", "24.10"], ["23.62", "23.51", "01.11"])
C("chemical_gypsum", "Chemical by-product gypsum", "gypsum_lime",
  "Gypsum from chemical processes: phosphogypsum, titanogypsum, citrogypsum, acid neutralisation",
  ["phosphogypsum", "PG", "titanogypsum", "red gypsum", "citrogypsum", "neutralisation gypsum", "by-product gypsum", "gypsum", "Phosphorgips", "phosphogypse"],
  ["06 09 04", "06 11 01", "06 10 99", "06 05 03"], "solid", 1.1, "bulk_solid", [("natural_gypsum", 0.9)],
  ["20.15", "20.12", "20.14"], ["23.62", "23.51", "01.11"])
C("plasterboard_waste", "Plasterboard and gypsum-product waste", "gypsum_lime",
  "Offcuts and demolition plasterboard, plaster moulds; recycled into new board or cement retarder",
  ["plasterboard", "drywall", "gypsum board", "sheetrock", "plaster moulds", "Gipskarton", "Rigips", "placoplâtre", "cartongesso"],
  ["17 08 02", "10 12 06"], "solid", 0.7, "bulk_solid", [("natural_gypsum", 0.9), ("plasterboard", 0.2)],
  ["43.31", "43.11", "23.62"], ["23.62", "23.51"])
C("lime_sludge", "Lime mud and calcium carbonate sludge", "gypsum_lime",
  "Precipitated calcium carbonate residues: sugar-factory carbonation lime, pulp-mill lime mud, water-softening sludge, carbide lime",
  ["carbonation lime", "sugar factory lime", "defecation lime", "lime mud", "white sludge", "calcium carbonate", "carbide lime", "decarbonation sludge", "Carbokalk", "écumes de sucrerie", "Kalkschlamm"],
  ["02 04 02", "03 03 09", "19 09 03", "03 03 11"], "sludge", 1.3, "bulk_solid", [("limestone", 0.9), ("quicklime", 0.3)],
  ["10.81", "17.11", "36.00", "20.11"], ["01.11", "23.51", "35.11", "17.12"])
C("refractory_waste", "Spent refractories", "ashes_slags",
  "Used refractory bricks and castables from furnace relining; crushed into new refractories, slag conditioners or aggregate",
  ["refractories", "refractory bricks", "furnace lining", "spent linings", "magnesia bricks", "Feuerfestausbruch", "réfractaires usagés"],
  ["16 11 04", "16 11 06", "17 06 04", "10 03 22"], "solid", 2.2, "bulk_solid", [("refractory_raw", 0.6), ("natural_aggregates", 1.0)],
  ["24.10", "23.51", "23.13", "24.42"], ["23.20", "24.10", "42.11"])
C("spent_pot_lining", "Spent pot lining (SPL)", "ashes_slags",
  "Carbon and refractory cathode lining from aluminium smelting cells; fuel and fluorspar substitute in cement kilns",
  ["SPL", "spent pot lining", "spent cell linings", "cathode waste", "Ofenausbruch"],
  ["16 11 01*", "16 11 02", "10 03 08*"], "solid", 1.3, "bulk_solid", [("coal", 0.3), ("fluorspar", 0.2)],
  ["24.42"], ["23.51", "24.10"], hazardous=True)

# --- minerals, construction and demolition ---------------------------------------------------
C("glass_cullet", "Container glass cullet", "glass",
  "Broken or collected container glass (bottles, jars), colour-sorted; furnace-ready cullet replaces glass batch",
  ["cullet", "glass", "waste glass", "recycled glass", "bottle glass", "container glass", "flint cullet", "amber cullet", "glass waste", "Altglas", "Glasscherben", "calcin", "vetro rotto", "vidrio reciclado", "calcín"],
  ["15 01 07", "20 01 02", "19 12 05", "10 11 12"], "solid", 1.4, "bulk_solid", [("glass_batch", 1.2)],
  ["38.32", "11.05", "11.01", "10.32"], ["23.13", "23.14", "23.99"])
C("flat_glass_cullet", "Flat glass cullet", "glass",
  "Float and window glass offcuts and demolition glazing; replaces batch in float and glass-wool furnaces",
  ["flat glass", "float glass cullet", "window glass", "glazing waste", "Flachglas", "verre plat"],
  ["17 02 02", "10 11 12", "16 01 20"], "solid", 1.4, "bulk_solid", [("glass_batch", 1.2)],
  ["23.11", "23.12", "43.34", "43.11"], ["23.11", "23.14", "23.99"])
C("mineral_wool_waste", "Mineral wool and glass-fibre waste", "glass",
  "Stone-wool and glass-wool offcuts, glass-fibre production waste; remelted or used as filler",
  ["rock wool", "stone wool", "glass wool", "glass fibre waste", "mineral wool", "Mineralwolle", "laine de roche"],
  ["10 11 03", "17 06 04", "10 11 99"], "solid", 0.1, "bulk_solid", [("mineral_wool", 0.7)],
  ["23.14", "23.99", "43.29"], ["23.14", "23.99"])
C("ceramic_brick_waste", "Brick, tile and ceramic waste", "construction",
  "Fired clay bricks, tiles, sanitary ceramics and off-spec ceramic products; crushed aggregate and chamotte",
  ["brick rubble", "ceramic waste", "tiles", "broken tiles", "chamotte", "grog", "Ziegelbruch", "Keramikbruch", "déchets de briques", "coccio pesto"],
  ["17 01 02", "17 01 03", "10 12 08", "10 12 01"], "solid", 1.3, "bulk_solid", [("natural_aggregates", 1.0), ("clay_bricks", 0.5)],
  ["23.32", "23.31", "23.42", "43.11"], ["42.11", "23.32", "23.61"])
C("concrete_rubble", "Concrete rubble and concrete waste", "construction",
  "Crushed concrete from demolition and returned or off-spec concrete; recycled concrete aggregate (RCA)",
  ["RCA", "recycled concrete aggregate", "crushed concrete", "concrete wastes", "returned concrete", "Betonbruch", "Betonabbruch", "béton concassé", "calcestruzzo"],
  ["17 01 01", "10 13 14", "17 01 07"], "solid", 1.5, "bulk_solid", [("natural_aggregates", 1.0)],
  ["43.11", "23.63", "41.20"], ["42.11", "23.63", "43.12"])
C("mixed_cd_waste", "Mixed construction and demolition waste", "construction",
  "Mixed rubble, wood, metals and plastics from building sites; sorted into aggregates and fractions",
  ["C&D waste", "CDW", "construction and demolition waste", "demolition waste", "builders rubble", "hardcore", "Bauschutt", "Baumischabfall", "gravats", "inerti", "escombros"],
  ["17 09 04", "17 01 07", "10 12 08"], "solid", 1.2, "bulk_solid", [("natural_aggregates", 0.8)],
  ["41.20", "43.11", "42.99"], ["38.32", "42.11", "43.12"])
C("excavated_soil", "Excavated soil and stones", "construction",
  "Clean or lightly contaminated soil, stones and subsoil from excavation; fill, landscaping and embankments",
  ["excavated soil", "spoil", "topsoil", "subsoil", "muck away", "earthworks", "overburden", "stones", "Erdaushub", "Bodenaushub", "terres excavées", "terre e rocce da scavo", "tierras de excavación", "soil separated during sugar beet washing"],
  ["17 05 04", "20 02 02", "02 04 01", "01 01 02"], "solid", 1.6, "bulk_solid", [("natural_aggregates", 0.8), ("soil_improver", 0.3)],
  ["43.12", "42.11", "08.12", "10.81"], ["42.11", "43.12", "81.30", "08.12"])
C("dredging_spoil", "Dredging spoil and sediments", "construction",
  "Sediment from ports, rivers and canals; fill, land reclamation and brick-making clay after dewatering",
  ["dredged material", "dredging spoil", "sediment", "harbour mud", "Baggergut", "sédiments de dragage", "fanghi di dragaggio"],
  ["17 05 06", "17 05 05*"], "sludge", 1.4, "bulk_solid", [("natural_aggregates", 0.5), ("clay_bricks", 0.5)],
  ["42.91", "52.22"], ["42.11", "23.32", "43.12"])
C("asphalt_planings", "Reclaimed asphalt (road planings)", "construction",
  "Milled bituminous road surfacing (RAP); reused in hot and cold asphalt mixes",
  ["RAP", "reclaimed asphalt pavement", "road planings", "asphalt millings", "tarmac planings", "Ausbauasphalt", "Fräsgut", "agrégats d'enrobés", "fresato"],
  ["17 03 02", "17 03 01*"], "solid", 1.6, "bulk_solid", [("asphalt", 1.0), ("natural_aggregates", 0.9)],
  ["42.11", "43.12"], ["42.11", "23.99"])
C("mining_waste_rock", "Mining and quarry residues", "construction",
  "Waste rock, quarry fines, washing clay and tailings from mineral extraction; aggregates, clay and fill",
  ["waste rock", "quarry fines", "quarry dust", "tailings", "waste clay", "washing fines", "coal mine overburden", "Abraum", "stériles", "Bergematerial"],
  ["01 01 02", "01 04 08", "01 04 09", "01 04 10", "01 04 12", "01 03 06", "01 01 01"], "solid", 1.6, "bulk_solid", [("natural_aggregates", 1.0), ("clay_bricks", 0.5)],
  ["08.12", "08.11", "07.29", "05.10"], ["42.11", "23.32", "23.51", "23.61"])
C("coal_mine_residue", "Coal washery rejects and gangue", "construction",
  "Carbonaceous shale and gangue from coal mining and washing; low-grade fuel, brick and cement raw material",
  ["coal gangue", "colliery spoil", "coal rejects", "washery rejects", "coal slurry", "Waschberge"],
  ["01 01 02", "01 04 12", "05 06 99"], "solid", 1.5, "bulk_solid", [("coal", 0.3), ("clay_bricks", 0.5)],
  ["05.10", "05.20"], ["35.11", "23.32", "23.51"])
C("drilling_mud", "Drilling muds and filter cakes", "construction",
  "Spent water-based drilling muds, bentonite slurries and mineral filter cakes; clay substitute after treatment",
  ["drilling mud", "drilling fluid", "bentonite slurry", "filter cake", "Bohrschlamm"],
  ["01 05 04", "01 05 07", "01 05 08", "01 05 06*"], "sludge", 1.4, "bulk_solid", [("clay_bricks", 0.4)],
  ["06.10", "06.20", "09.10", "42.99"], ["23.32", "23.51"])

# --- metals -----------------------------------------------------------------------------------
C("ferrous_scrap", "Ferrous scrap (steel and iron)", "metals",
  "Steel and cast-iron scrap: demolition steel, production offcuts, turnings, shredded scrap; melted in EAF or BOF",
  ["steel scrap", "iron scrap", "scrap metal", "HMS", "HMS 1&2", "shredded scrap", "turnings", "borings", "swarf", "waste steel", "rebar",
   "Schrott", "Stahlschrott", "ferraille", "rottame", "chatarra", "metal scrap", "scrap iron"],
  ["12 01 01", "12 01 02", "17 04 05", "19 10 01", "19 12 02", "20 01 40", "16 01 17"], "solid", 0.9, "bulk_solid", [("primary_steel", 0.95)],
  ["25.62", "25.11", "29.10", "43.11", "38.32"], ["24.10", "24.51", "24.52"])
C("stainless_scrap", "Stainless-steel scrap", "metals",
  "Chromium-nickel stainless-steel offcuts, turnings and end-of-life equipment; remelted with its alloying value",
  ["stainless scrap", "304 scrap", "316 scrap", "18/8 scrap", "Edelstahlschrott", "inox"],
  ["12 01 01", "17 04 05", "19 12 02"], "solid", 1.0, "bulk_solid", [("primary_steel", 0.95), ("primary_nickel", 0.08)],
  ["25.62", "28.29", "25.99"], ["24.10"])
C("aluminium_scrap", "Aluminium scrap", "metals",
  "Aluminium profiles, cans, turnings, castings and foil; remelted in secondary smelters",
  ["aluminum scrap", "alu scrap", "UBC", "used beverage cans", "Taint Tabor", "Zorba", "aluminium turnings", "Aluschrott", "Altaluminium", "déchets d'aluminium", "rottame di alluminio"],
  ["12 01 03", "12 01 04", "17 04 02", "15 01 04", "19 12 03", "20 01 40"], "solid", 0.5, "bulk_solid", [("primary_aluminium", 0.9)],
  ["25.11", "25.12", "29.32", "24.42", "38.32"], ["24.42", "24.53"])
C("copper_scrap", "Copper and brass scrap", "metals",
  "Copper cable, wire, pipes, brass turnings and bronze; refined or remelted",
  ["copper scrap", "cable scrap", "Millberry", "bare bright", "brass swarf", "copper foil", "Kupferschrott", "Messing", "cuivre", "rame", "chatarra de cobre"],
  ["17 04 01", "17 04 11", "12 01 03", "19 12 03"], "solid", 1.5, "bulk_solid", [("primary_copper", 0.95)],
  ["27.32", "25.99", "43.21", "26.11"], ["24.44", "24.54"])
C("mixed_nonferrous_scrap", "Mixed non-ferrous metal scrap", "metals",
  "Mixed metals and non-ferrous fractions from shredders and collection (zinc, lead, tin, mixed metals)",
  ["mixed metals", "non-ferrous scrap", "NF metals", "Zorba", "metals", "metal packaging", "Buntmetall", "métaux non ferreux"],
  ["17 04 07", "19 12 03", "20 01 40", "17 04 03", "17 04 04", "15 01 04"], "solid", 1.0, "bulk_solid", [("mixed_metals", 0.9)],
  ["38.32", "25.99", "29.10"], ["24.43", "24.44", "24.45", "24.54"])
C("metal_dross_dust", "Metal drosses, skimmings and steel-mill dusts", "metals",
  "Zinc and aluminium dross, salt slag, EAF dust and galvanising ash; zinc and aluminium recovery (Waelz, salt-slag recycling)",
  ["EAF dust", "zinc dross", "aluminium dross", "salt slag", "galvanising ash", "hard zinc", "skimmings", "Filterstaub Stahlwerk", "Krätze", "dross"],
  ["10 02 07*", "10 03 08*", "10 03 09*", "10 05 04", "11 05 01", "11 05 02", "10 03 16", "10 06 03*"], "solid", 1.5, "bulk_solid", [("primary_zinc", 0.2), ("primary_aluminium", 0.3)],
  ["24.10", "24.42", "25.61", "24.53"], ["24.43", "24.42"], hazardous=True)
C("weee", "Waste electrical and electronic equipment (WEEE)", "metals",
  "Discarded electrical appliances, IT equipment, printed circuit boards and cables; metals and plastics recovery",
  ["WEEE", "e-waste", "e-scrap", "electronic scrap", "PCB", "printed circuit boards", "circuit boards", "discarded home appliances", "white goods",
   "end of life semiconductors", "Elektroschrott", "DEEE", "RAEE", "RAEE", "Altgeräte"],
  ["16 02 14", "16 02 13*", "16 02 16", "20 01 36", "20 01 35*", "16 02 11*", "16 02 15*"], "solid", 0.4, "bulk_solid", [("mixed_metals", 0.4), ("primary_copper", 0.15), ("virgin_plastics", 0.2)],
  ["26.20", "26.11", "27.51", "95.11", "38.32"], ["38.32", "24.41", "24.44"])
C("end_of_life_vehicles", "End-of-life vehicles", "metals",
  "Depolluted car bodies and vehicle parts; shredded for ferrous, non-ferrous and plastics fractions",
  ["ELV", "scrap cars", "car wrecks", "waste car", "car bodies", "Altfahrzeuge", "VHU", "véhicules hors d'usage"],
  ["16 01 06", "16 01 04*", "16 01 22"], "solid", 0.3, "bulk_solid", [("primary_steel", 0.65), ("primary_aluminium", 0.05)],
  ["45.20", "38.31"], ["38.32", "24.10"])
C("spent_batteries", "Spent batteries", "metals",
  "Lead-acid, lithium-ion and nickel batteries at end of life; metals recovery (lead, cobalt, nickel, lithium)",
  ["used batteries", "lead-acid batteries", "ULAB", "Li-ion batteries", "battery scrap", "black mass", "Altbatterien", "piles usagées"],
  ["16 06 01*", "16 06 02*", "16 06 05", "20 01 33*", "20 01 34"], "solid", 1.5, "bulk_solid", [("lead", 0.6), ("primary_nickel", 0.05)],
  ["45.20", "27.20", "38.12"], ["24.43", "24.45", "38.32"], hazardous=True)
C("spent_catalysts", "Spent catalysts", "metals",
  "Spent refinery and chemical catalysts (hydrotreating, FCC, reforming, automotive) containing Ni, Co, Mo, V or PGM; metals recovery or cement raw material",
  ["spent catalyst", "FCC catalyst", "equilibrium catalyst", "e-cat", "hydrotreating catalyst", "CoMo", "NiMo", "PGM catalyst", "Altkatalysator", "catalyseurs usés"],
  ["16 08 01", "16 08 02*", "16 08 03", "16 08 04", "16 08 07*"], "solid", 0.8, "bulk_solid", [("primary_nickel", 0.05), ("refractory_raw", 0.5)],
  ["19.20", "20.14", "20.15", "20.16"], ["24.45", "23.51", "20.59"], hazardous=True)
C("metal_hydroxide_sludge", "Metal-bearing sludges", "metals",
  "Hydroxide and plating sludges from surface treatment, etching and effluent treatment, containing Cu, Ni, Zn or Cr",
  ["galvanic sludge", "plating sludge", "metal hydroxide sludge", "sludge containing copper", "etching sludge", "Galvanikschlamm", "boues d'hydroxydes"],
  ["11 01 09*", "11 01 10", "19 02 05*", "06 05 02*", "16 02 15*", "10 01 21", "10 01 20*"], "sludge", 1.2, "bulk_solid", [("primary_copper", 0.03), ("primary_zinc", 0.05)],
  ["25.61", "26.11", "24.10"], ["24.44", "24.43", "38.22"], hazardous=True)
C("anode_carbon_waste", "Carbon anode butts and electrode waste", "metals",
  "Spent carbon anodes, graphite electrode stubs and carbon fines from aluminium and steel; recarburiser and fuel",
  ["anode butts", "carbon anodes", "graphite electrodes", "electrode scrap", "coke fines", "metallurgical coke dust and fines", "breeze", "Anodenreste", "Koksgrus"],
  ["10 03 02", "10 08 13", "10 03 18", "10 03 17*", "10 02 99"], "solid", 0.9, "bulk_solid", [("metallurgical_coke", 0.9), ("carbon_fibre_filler", 0.3)],
  ["24.42", "24.10", "19.10"], ["24.10", "24.42", "23.51"])

# --- plastics ----------------------------------------------------------------------------------
C("pet_plastic", "PET plastic waste", "plastics",
  "Polyethylene terephthalate bottles, trays, strapping and fibre waste; mechanical recycling to rPET",
  ["PET", "PET bottles", "rPET", "PET flakes", "PETE", "polyester bottles", "PET regrind", "PET-Flaschen", "bouteilles PET", "bottiglie in PET"],
  ["15 01 02", "07 02 13", "19 12 04", "20 01 39"], "solid", 0.3, "bulk_solid", [("virgin_pet", 0.9)],
  ["11.07", "22.22", "38.32", "13.96"], ["22.22", "20.60", "13.10"])
C("hdpe_plastic", "HDPE plastic waste", "plastics",
  "High-density polyethylene bottles, drums, crates and pipe offcuts; regrind and regranulate",
  ["HDPE", "PE-HD", "polyethylene HD", "milk bottles", "HDPE regrind", "IBC", "blue drums", "PEHD"],
  ["15 01 02", "07 02 13", "19 12 04", "20 01 39"], "solid", 0.3, "bulk_solid", [("virgin_hdpe", 0.9)],
  ["22.22", "22.21", "10.51", "38.32"], ["22.21", "22.22", "22.29"])
C("ldpe_film", "LDPE / LLDPE film waste", "plastics",
  "Polyethylene stretch and shrink film, bags and agricultural film; regranulated into film and bags",
  ["LDPE", "LLDPE", "PE film", "stretch film", "shrink wrap", "pallet wrap", "plastic film", "foil", "silage film", "agricultural plastics", "PE-LD", "Folie", "Stretchfolie", "film plastique"],
  ["15 01 02", "02 01 04", "07 02 13", "19 12 04"], "solid", 0.2, "bulk_solid", [("virgin_ldpe", 0.85)],
  ["46.90", "52.10", "01.11", "22.22"], ["22.22", "22.29"])
C("pp_plastic", "Polypropylene waste", "plastics",
  "Polypropylene caps, crates, big bags, nonwovens and injection-moulding waste",
  ["PP", "polypropylene", "PP regrind", "big bags", "FIBC", "raffia", "PP crates", "Polypropylen"],
  ["15 01 02", "07 02 13", "19 12 04", "20 01 39"], "solid", 0.3, "bulk_solid", [("virgin_pp", 0.9)],
  ["22.29", "22.22", "29.32", "13.96"], ["22.29", "22.22", "29.32"])
C("ps_eps_plastic", "Polystyrene and EPS waste", "plastics",
  "Expanded polystyrene packaging and insulation, HIPS and GPPS; densified and regranulated",
  ["EPS", "polystyrene", "Styrofoam", "styropor", "XPS", "HIPS", "PS", "polystyrene waste", "Styropor", "polystyrène expansé", "polistirolo"],
  ["15 01 02", "07 02 13", "17 06 04", "17 02 03"], "solid", 0.05, "bulk_solid", [("virgin_ps", 0.9)],
  ["22.21", "22.22", "46.90"], ["22.21", "23.99"])
C("pvc_plastic", "PVC waste", "plastics",
  "Rigid PVC window profiles, pipes and flooring, flexible PVC tarpaulins and cables",
  ["PVC", "vinyl", "uPVC", "window profiles", "PVC pipes", "PVC tarpaulins", "PVC-U", "PVC-P", "Polyvinylchlorid"],
  ["17 02 03", "07 02 13", "15 01 02", "16 01 19"], "solid", 0.4, "bulk_solid", [("virgin_pvc", 0.85)],
  ["22.23", "22.21", "43.33"], ["22.21", "22.23"])
C("mixed_plastics", "Mixed plastics waste", "plastics",
  "Mixed or unsorted plastics, plastic packaging and production waste; sorted, recycled or used as reducing agent and fuel",
  ["mixed plastics", "plastic waste", "waste plastics", "plastics", "plastic scrap", "plastic pellets", "regrind", "polyurethane foam", "PU foam", "PUR foam", "urethane foam", "Kunststoffabfälle", "Mischkunststoffe", "déchets plastiques", "plastica mista", "plásticos"],
  ["07 02 13", "15 01 02", "19 12 04", "20 01 39", "16 01 19", "02 01 04"], "solid", 0.3, "bulk_solid", [("virgin_plastics", 0.6), ("coal", 0.7)],
  ["22.29", "38.32", "38.11"], ["22.29", "24.10", "23.51", "20.16"])
C("engineering_plastics", "Engineering plastics and composites waste", "plastics",
  "ABS, polyamide, polycarbonate and fibre-reinforced composite offcuts; regranulated or used as filler",
  ["ABS", "PA", "nylon", "PA6", "polycarbonate", "PC", "POM", "GRP", "fibreglass", "composite waste", "carbon fibre waste"],
  ["07 02 13", "12 01 05", "16 01 19", "17 02 03"], "solid", 0.4, "bulk_solid", [("virgin_plastics", 0.8)],
  ["22.29", "29.32", "30.30", "27.90"], ["22.29", "29.32"])
C("rubber_waste", "Rubber production waste", "rubber",
  "Vulcanised and unvulcanised rubber offcuts, seals, belts and hoses; granulated or devulcanised",
  ["rubber scrap", "rubber crumb", "EPDM", "conveyor belts", "rubber offcuts", "Gummiabfall", "déchets de caoutchouc"],
  ["07 02 99", "19 12 04", "16 01 99"], "solid", 0.5, "bulk_solid", [("virgin_rubber", 0.5)],
  ["22.19", "22.11"], ["22.19", "42.11"])
C("end_of_life_tyres", "End-of-life tyres", "rubber",
  "Scrap car and truck tyres, whole or shredded (TDF); rubber crumb, steel and fuel for cement kilns",
  ["ELT", "scrap tyres", "scrap tire", "old tyres", "used tyres", "waste tyres", "TDF", "tyre chips", "crumb rubber", "Altreifen", "pneus usagés", "PFU", "neumáticos fuera de uso"],
  ["16 01 03"], "solid", 0.5, "bulk_solid", [("virgin_rubber", 0.5), ("coal", 1.1)],
  ["45.20", "22.11", "38.32"], ["23.51", "22.19", "42.11", "35.11"])

# --- paper, wood and textiles ---------------------------------------------------------------
C("cardboard", "Cardboard and corrugated board (OCC)", "paper_wood",
  "Used corrugated cases and cardboard packaging; repulped into testliner and fluting",
  ["OCC", "cardboard", "corrugated", "carton", "boxboard", "brown paper", "paper and cardboard wastes", "Kartonage", "Pappe", "Wellpappe", "carton ondulé", "cartone", "cartón"],
  ["15 01 01", "20 01 01"], "solid", 0.1, "bulk_solid", [("virgin_board", 0.9)],
  ["47.11", "46.90", "52.10", "10.89"], ["17.12", "17.21"])
C("mixed_paper", "Mixed and graphic paper", "paper_wood",
  "Office paper, newspaper, magazines and print offcuts; deinked for newsprint and tissue, or shredded for insulation and bedding",
  ["waste paper", "paper", "recovered paper", "paper for recycling", "newspaper", "ONP", "OMG", "office paper", "shredded paper", "print waste", "SOP", "Altpapier", "vieux papiers", "carta da macero", "papel recuperado"],
  ["20 01 01", "15 01 01", "19 12 01", "03 03 08"], "solid", 0.3, "bulk_solid", [("virgin_paper", 0.85), ("mineral_wool", 0.4)],
  ["58.13", "18.12", "84.11", "38.11"], ["17.12", "17.22", "23.99"])
C("paper_sludge", "Paper-mill sludge and fibre rejects", "paper_wood",
  "De-inking sludge, fibre and filler rejects from paper mills; cement and brick raw material, fuel, soil improver",
  ["paper sludge", "deinking sludge", "DIP sludge", "fibre sludge", "paper fines", "pulper rejects", "primary sludge", "Papierschlamm", "boues de papeterie", "fanghi di cartiera"],
  ["03 03 05", "03 03 07", "03 03 10", "03 03 11", "19 12 01"], "sludge", 0.9, "bulk_solid", [("clay_bricks", 0.3), ("coal", 0.2), ("soil_improver", 0.5)],
  ["17.12", "17.11"], ["23.51", "23.32", "35.11", "01.11"])
C("pulping_liquor", "Pulping liquors and green-liquor dregs", "paper_wood",
  "Black liquor, tall oil, green liquor dregs and other kraft-mill chemical residues; chemicals, fuel and liming agent",
  ["black liquor", "black liquid", "green liquor dregs", "green mud", "tall oil", "turpentine", "Schwarzlauge", "liqueur noire"],
  ["03 03 02", "03 03 99", "03 03 09"], "liquid", 1.3, "liquid", [("fuel_oil", 0.3), ("quicklime", 0.2)],
  ["17.11"], ["17.11", "20.14", "01.11"])
C("clean_wood", "Clean wood residues (sawdust, offcuts, chips)", "paper_wood",
  "Untreated sawdust, shavings, offcuts and chips from sawmills and joinery; particleboard, pellets and fuel",
  ["sawdust", "wood shavings", "wood chips", "offcuts", "slabs", "wood board", "cutter shavings", "Sägespäne", "Hackschnitzel", "sciure", "segatura", "serrín"],
  ["03 01 05", "03 01 01", "02 01 07"], "solid", 0.25, "bulk_solid", [("virgin_wood", 0.9), ("wood_fuel", 1.0)],
  ["16.10", "16.23", "31.09", "02.20"], ["16.21", "16.29", "35.11", "35.30"])
C("bark_forest_residue", "Bark and forest residues", "paper_wood",
  "Bark, branches and forest residues from debarking and harvesting; fuel, mulch and growing media",
  ["bark", "hog fuel", "forest residues", "pruning", "prunings", "branches", "Rinde", "écorces", "corteccia", "corteza"],
  ["03 01 01", "03 03 01", "02 01 07", "20 02 01"], "solid", 0.3, "bulk_solid", [("wood_fuel", 0.9), ("soil_improver", 0.5)],
  ["16.10", "17.11", "02.20", "02.40"], ["35.11", "35.30", "01.30", "17.11"])
C("waste_wood", "Post-consumer and demolition wood", "paper_wood",
  "Pallets, packaging and demolition timber, graded A-D; particleboard, biomass fuel",
  ["waste wood", "scrap wood", "recovered wood", "pallets", "wood packaging", "demolition timber", "grade A wood", "Altholz", "bois de rebut", "legno di recupero", "madera recuperada", "wood and cardboard wastes"],
  ["17 02 01", "15 01 03", "19 12 07", "20 01 38", "17 02 04*", "19 12 06*"], "solid", 0.3, "bulk_solid", [("virgin_wood", 0.7), ("wood_fuel", 0.9)],
  ["43.11", "52.10", "46.90", "38.11"], ["16.21", "35.11", "35.30"])
C("textile_waste", "Post-consumer textiles", "textiles",
  "Used clothing, household textiles, linen and towels; reuse, fibre-to-fibre recycling, wiping rags and insulation",
  ["used clothing", "textile waste", "linen", "towels", "rags", "wiping cloths", "post-consumer textiles", "Alttextilien", "textiles usagés", "stracci", "ropa usada"],
  ["20 01 10", "20 01 11", "19 12 08", "15 01 09"], "solid", 0.2, "bulk_solid", [("virgin_textile_fibre", 0.3)],
  ["96.01", "55.10", "86.10", "38.11"], ["13.10", "13.99", "23.99"])
C("textile_production_waste", "Textile and fibre production waste", "textiles",
  "Yarn waste, cutting scraps, selvedges and fibre dust from spinning, weaving and garment making; fibre recycling and nonwovens",
  ["yarn waste", "fabric scraps", "cutting waste", "selvedges", "fibre waste", "hessian sacks", "jute sacks", "Textilverschnitt", "chutes de tissu"],
  ["04 02 21", "04 02 22", "04 02 09", "15 01 09"], "solid", 0.2, "bulk_solid", [("virgin_textile_fibre", 0.6)],
  ["13.10", "13.20", "14.13", "13.92"], ["13.10", "13.99", "23.99"])
C("leather_waste", "Leather and tannery residues", "textiles",
  "Leather shavings, trimmings and fleshings from tanneries; gelatine, fertiliser and leatherboard",
  ["leather scraps", "leather shavings", "fleshings", "trimmings", "chrome shavings", "Lederabfall", "déchets de cuir"],
  ["04 01 08", "04 01 09", "04 01 01", "04 01 02"], "solid", 0.4, "bulk_solid", [("n_fertiliser", 0.1), ("animal_feed", 0.1)],
  ["15.11", "15.20"], ["10.89", "20.15", "15.12"])

# --- organic residues ---------------------------------------------------------------------------
C("brewers_spent_grain", "Brewer's spent grain", "organics",
  "Wet malt and grain residue after mashing in breweries and distilleries; cattle feed, mushroom substrate, biogas",
  ["BSG", "spent grain", "brewers grains", "draff", "wet grains", "malt residue", "Biertreber", "Treber", "drêches de brasserie", "trebbie di birra", "bagazo de cerveza", "bostel"],
  ["02 07 04", "02 07 99", "02 07 02"], "solid", 0.9, "bulk_solid", [("animal_feed", 0.25), ("natural_gas", 0.70)],
  ["11.05", "11.01", "11.06"], ["01.41", "01.46", "10.91", "35.21"])
C("distillers_residues", "Distillers' grains, stillage and vinasse", "organics",
  "Stillage, DDGS, vinasse, pot ale and yeast from ethanol and spirits distilleries and fermentations; feed, fertiliser and biogas",
  ["DDGS", "distillers dried grains with solubles", "thin stillage", "stillage", "vinasse", "vinesse", "pot ale", "spent wash", "yeast slurry", "spent yeast", "alcohol residue", "Schlempe", "vinasse de betterave", "borlande"],
  ["02 07 02", "02 07 04", "19 06 99", "07 05 12", "02 07 99"], "liquid", 1.05, "liquid", [("animal_feed", 0.3), ("n_fertiliser", 0.02), ("natural_gas", 0.19)],
  ["11.01", "20.14", "11.02", "21.10"], ["01.41", "01.46", "10.91", "35.21", "01.11"])
C("winery_residues", "Grape marc, lees and olive pomace", "organics",
  "Grape marc, wine lees, olive pomace and olive-mill wastewater; distillation, oil extraction, compost and fuel",
  ["grape marc", "marc and dregs", "pomace", "moist pomace", "wine lees", "olive pomace", "alperujo", "oil mill waste water", "sansa", "vinacce", "Trester", "marc de raisin", "orujo"],
  ["02 07 04", "02 03 01", "02 03 99", "02 07 01"], "solid", 0.8, "bulk_solid", [("animal_feed", 0.15), ("wood_fuel", 0.5), ("soil_improver", 0.5)],
  ["11.02", "10.41", "01.21"], ["11.01", "10.41", "35.21", "01.26"])
C("whey_dairy_residues", "Whey and dairy residues", "organics",
  "Sweet and acid whey, buttermilk, off-spec milk and dairy effluent; feed, protein and lactose recovery, biogas",
  ["whey", "acid whey", "sweet whey", "permeate", "buttermilk", "dairy effluent", "milk residues", "Molke", "lactosérum", "petit-lait", "siero di latte", "suero lácteo"],
  ["02 05 01", "02 05 99", "02 05 02"], "liquid", 1.03, "liquid", [("animal_feed", 0.07), ("fermentation_sugar", 0.045)],
  ["10.51"], ["01.46", "10.91", "35.21", "10.89"])
C("food_processing_residues", "Fruit, vegetable and food-processing residues", "organics",
  "Peels, pulp, off-spec products and scraps from fruit, vegetable, bakery, coffee and confectionery processing; feed, biogas, extraction",
  ["fruit pulp", "fruit pulp waste", "vegetable peels", "potato peel", "pastry waste", "bakery waste", "food production scraps", "spent coffee grounds", "coffee grounds", "cocoa shells", "residual coconut", "leftovers", "off-spec product", "Obsttrester", "déchets de fruits", "scarti alimentari"],
  ["02 03 04", "02 03 01", "02 03 99", "02 06 01", "02 06 99", "02 03 03"], "solid", 0.8, "bulk_solid", [("animal_feed", 0.2), ("fermentation_sugar", 0.1)],
  ["10.31", "10.32", "10.39", "10.71", "10.83", "10.82"], ["01.46", "10.91", "35.21", "38.21"])
C("sugar_residues", "Sugar-industry residues (pulp, molasses, bagasse)", "organics",
  "Beet pulp, molasses, cane bagasse, filter mud and spent resins from sugar refining; feed, fermentation and fuel",
  ["beet pulp", "sugar beet pulp", "molasses", "bagasse", "filter mud", "press mud", "waste sugar", "Melasse", "Rübenschnitzel", "pulpe de betterave", "mélasse", "melaza"],
  ["02 04 99", "02 04 03", "02 03 04"], "solid", 0.7, "bulk_solid", [("animal_feed", 0.3), ("fermentation_sugar", 0.5), ("coal", 0.3)],
  ["10.81"], ["01.41", "10.91", "20.14", "11.01"])
C("food_waste", "Food and catering waste", "organics",
  "Separately collected kitchen, canteen, household and retail food waste; anaerobic digestion and composting",
  ["food waste", "kitchen waste", "canteen waste", "biodegradable kitchen and canteen waste", "organic waste", "biowaste", "swill", "domestic organic waste", "FOGO", "Speisereste", "Bioabfall", "biodéchets", "umido", "FORSU", "residuos orgánicos"],
  ["20 01 08", "20 03 02", "02 06 01", "20 03 01"], "solid", 0.6, "bulk_solid", [("soil_improver", 0.4), ("natural_gas", 0.5)],
  ["56.10", "56.29", "47.11", "38.11"], ["35.21", "38.21"])
C("animal_by_products", "Animal by-products (slaughterhouse and fish)", "organics",
  "Offal, blood, bones, feathers, fish waste and rendering residues (category 2/3); rendering to meal and fat, biogas",
  ["offal", "ABP", "category 3", "cat 3", "slaughterhouse waste", "blood", "bones", "feathers", "fish waste", "fish offal", "pet food", "petfood", "Schlachtabfälle", "sous-produits animaux", "scarti di macellazione"],
  ["02 02 02", "02 02 03", "02 02 99"], "solid", 1.0, "bulk_solid", [("animal_feed", 0.3), ("fuel_oil", 0.1)],
  ["10.11", "10.12", "10.13", "10.20"], ["10.41", "10.91", "10.92", "35.21"])
C("animal_fats_uco", "Used cooking oil and animal fats", "organics",
  "Used cooking oil, grease-trap fat, tallow and fatty acids; biodiesel (FAME/HVO) and oleochemicals",
  ["UCO", "used cooking oil", "waste vegetable oil", "WVO", "frying oil", "tallow", "yellow grease", "brown grease", "grease trap", "Altspeiseöl", "huiles alimentaires usagées", "olio esausto"],
  ["20 01 25", "02 03 04", "19 08 09", "02 02 03"], "liquid", 0.92, "liquid", [("fuel_oil", 0.9)],
  ["56.10", "10.41", "10.11"], ["20.59", "19.20", "10.41"])
C("manure", "Animal manure and slurry", "organics",
  "Livestock manure, slurry, poultry litter and dejections; biogas and organic fertiliser",
  ["manure", "slurry", "poultry litter", "poultry dejections", "chicken manure", "cow dung", "pig slurry", "digestate feedstock", "Gülle", "Mist", "lisier", "fumier", "liquame", "purines", "estiércol"],
  ["02 01 06"], "sludge", 1.0, "bulk_solid", [("n_fertiliser", 0.02), ("natural_gas", 0.1)],
  ["01.41", "01.46", "01.47", "01.43"], ["35.21", "01.11", "20.15"])
C("crop_residues", "Crop residues, straw and husks", "organics",
  "Straw, husks, hulls, stalks, cobs and other agricultural residues; fuel, bedding, feed and biorefinery feedstock",
  ["straw", "rice husk", "paddy husk", "husks", "hulls", "stalks", "corn stover", "cobs", "lignocellulosic biomass", "biomass", "agricultural wastes", "grains", "seaweed residues", "Stroh", "paille", "paglia", "cascarilla de arroz"],
  ["02 01 03", "02 01 07", "02 01 99", "02 03 04"], "solid", 0.15, "bulk_solid", [("wood_fuel", 0.8), ("animal_feed", 0.2)],
  ["01.11", "01.12", "10.61"], ["35.11", "01.41", "20.14", "23.51"])
C("green_waste", "Green and garden waste", "organics",
  "Grass, leaves, hedge trimmings and park maintenance residues; compost and biomass fuel",
  ["green waste", "garden waste", "yard waste", "grass cuttings", "leaves", "hedge trimmings", "Grünschnitt", "déchets verts", "sfalci e potature", "restos de poda"],
  ["20 02 01"], "solid", 0.3, "bulk_solid", [("soil_improver", 0.5), ("wood_fuel", 0.3)],
  ["81.30", "84.11"], ["38.21", "35.21", "35.11"])
C("digestate_compost", "Digestate and compost", "organics",
  "Digestate from anaerobic digestion and compost from aerobic treatment; fertiliser and soil improver",
  ["digestate", "compost", "biochar", "bio-char", "Gärrest", "digestat", "digestato", "digerido", "spent mushroom substrate", "SMS", "dry organic pellets"],
  ["19 06 04", "19 06 06", "19 05 03", "19 01 99", "02 03 99"], "solid", 0.8, "bulk_solid", [("n_fertiliser", 0.03), ("soil_improver", 1.0)],
  ["35.21", "38.21"], ["01.11", "01.13", "01.30"])
C("sewage_sludge", "Sewage sludge", "organics",
  "Sludge from municipal wastewater treatment, raw or digested; biogas, agriculture, incineration and cement kiln fuel",
  ["sewage sludge", "biosolids", "WWTP sludge", "municipal sludge", "septic sludge", "septic sludges", "Klärschlamm", "boues d'épuration", "fanghi di depurazione", "lodos de depuradora"],
  ["19 08 05", "20 03 04", "19 02 06"], "sludge", 1.05, "bulk_solid", [("n_fertiliser", 0.01), ("coal", 0.15)],
  ["37.00"], ["35.21", "01.11", "23.51", "35.11"])
C("industrial_bio_sludge", "Industrial biological sludge", "organics",
  "Biological sludge from food, chemical, pulp and textile effluent treatment plants; biogas, composting, fuel",
  ["bio-sludge", "biological sludge", "activated sludge", "ETP sludge", "effluent treatment sludge", "food industry sludge", "Belebtschlamm", "boues biologiques", "muds", "sludge"],
  ["19 08 12", "19 08 14", "02 01 01", "02 03 05", "02 05 02", "02 02 04", "02 04 03", "02 07 05", "03 03 11", "04 02 20", "07 01 12", "07 05 12", "19 09 02"], "sludge", 1.05, "bulk_solid", [("soil_improver", 0.3), ("coal", 0.1)],
  ["10.51", "10.81", "17.12", "20.14", "13.30"], ["35.21", "38.21", "23.51"])
C("biogas_landfill_gas", "Biogas and landfill gas", "organics",
  "Methane-rich gas from digesters, landfills and wastewater plants; CHP fuel or upgraded biomethane",
  ["biogas", "landfill gas", "LFG", "sewage gas", "biomethane", "RNG", "Klärgas", "Deponiegas", "biogaz", "gas de vertedero"],
  ["19 06 99", "19 07 03"], "gas", 0.0012, "gas", [("natural_gas", 1.0)],
  ["35.21", "38.21", "37.00"], ["35.11", "35.30", "35.21"], unit="MWh")

# --- fuels and carbon-rich residues -------------------------------------------------------------
C("refuse_derived_fuel", "Refuse-derived and solid recovered fuel (RDF / SRF)", "fuels",
  "Shredded high-calorific fractions of municipal, commercial and industrial waste; co-processing in cement kilns and EfW",
  ["RDF", "SRF", "solid recovered fuel", "refuse derived fuel", "alternative fuel", "AFR", "secondary fuel", "fluff", "EBS", "Ersatzbrennstoff", "CSR", "combustibles solides de récupération", "CSS"],
  ["19 12 10", "19 12 12", "20 03 01", "20 03 99"], "solid", 0.3, "bulk_solid", [("coal", 0.6)],
  ["38.21", "38.32", "38.11"], ["23.51", "35.11", "35.30"])
C("mixed_municipal_waste", "Mixed municipal and commercial waste", "fuels",
  "Residual household and commercial waste collected unsorted; energy-from-waste feedstock and sorting",
  ["MSW", "municipal solid waste", "residual waste", "general waste", "black bag", "commercial waste", "C&I waste", "Restmüll", "Hausmüll", "ordures ménagères", "indifferenziato", "residuos urbanos", "urban waste"],
  ["20 03 01", "20 03 07", "20 03 99"], "solid", 0.25, "bulk_solid", [("coal", 0.4)],
  ["38.11", "84.11"], ["38.21", "35.11", "35.30"])
C("petroleum_coke_carbon", "Petroleum coke, char and carbon residues", "fuels",
  "Petroleum coke, char, carbon black residues and tar from refining, pyrolysis and gasification; fuel and carbon source",
  ["petcoke", "pet coke", "petroleum coke", "char", "pyrolysis char", "carbon black", "tar", "pitch", "Petrolkoks"],
  ["05 01 17", "05 06 03*", "05 01 08*", "19 01 99", "05 06 99"], "solid", 0.8, "bulk_solid", [("coal", 1.0), ("metallurgical_coke", 0.5)],
  ["19.20", "19.10", "20.13"], ["23.51", "24.10", "35.11"])
C("waste_oil", "Waste oils and lubricants", "fuels",
  "Used engine, hydraulic and gear oils and transformer oil; re-refined to base oil or used as fuel",
  ["used oil", "waste oil", "used lubricants", "waste lubricants", "spent oil", "engine oil", "hydraulic oil", "Altöl", "huiles usagées", "oli usati", "aceite usado"],
  ["13 02 05*", "13 02 08*", "13 01 10*", "13 01 13*", "20 01 26*", "13 03 07*"], "liquid", 0.88, "liquid", [("base_oil", 0.7), ("fuel_oil", 0.9)],
  ["45.20", "49.41", "25.62", "35.11"], ["19.20", "23.51"], hazardous=True)
C("oily_sludge", "Oily sludges and tank bottoms", "fuels",
  "Refinery and tank-cleaning oily sludges, separator contents and oily water; oil recovery and fuel",
  ["oily sludge", "tank bottoms", "API separator sludge", "slop oil", "oily water", "interceptor waste", "Ölschlamm", "boues huileuses"],
  ["05 01 03*", "05 01 06*", "13 05 02*", "13 05 07*", "05 01 09*", "16 07 08*"], "sludge", 1.0, "liquid", [("fuel_oil", 0.3)],
  ["19.20", "52.10", "49.50"], ["19.20", "23.51", "38.22"], hazardous=True)
C("glycerol", "Crude glycerine and fatty residues", "fuels",
  "Crude glycerol from biodiesel production, soapstock and fatty-acid distillates; feed, biogas and chemicals",
  ["crude glycerine", "crude glycerol", "glycerin", "soapstock", "fatty acid distillate", "Rohglycerin", "glycérine brute"],
  ["07 01 99", "07 06 99", "02 03 04"], "liquid", 1.26, "liquid", [("fermentation_sugar", 0.6), ("animal_feed", 0.2)],
  ["20.59", "10.41"], ["20.14", "35.21", "10.91", "20.41"])

# --- chemicals ----------------------------------------------------------------------------------
C("spent_solvents", "Spent non-halogenated solvents", "chemicals",
  "Used acetone, alcohols, xylene, toluene and washing solvents; distilled for reuse or blended into solvent-based fuels",
  ["spent solvent", "waste solvent", "solvent waste", "off-spec solvents", "acetone", "isopropyl alcohol", "IPA", "ethanol", "methanol", "thinners", "cleaning solvent", "xylene", "toluene", "MEK",
   "Altlösemittel", "solvants usagés", "solventi esausti", "disolventes usados"],
  ["07 01 04*", "07 05 04*", "07 07 04*", "14 06 03*", "20 01 13*", "08 01 11*", "16 05 08*"], "liquid", 0.8, "liquid", [("virgin_solvent", 0.85), ("fuel_oil", 0.6)],
  ["20.30", "21.20", "25.61", "18.12", "20.14"], ["20.14", "23.51", "38.22", "20.30"], hazardous=True)
C("halogenated_solvents", "Spent halogenated solvents", "chemicals",
  "Used chlorinated solvents (dichloromethane, perchloroethylene, trichloroethylene) from degreasing and dry cleaning; distilled for reuse",
  ["chlorinated solvents", "halogenated solvents", "perc", "perchloroethylene", "PCE", "TCE", "dichloromethane", "DCM", "methylene chloride", "CFC", "waste coolant", "Chlorkohlenwasserstoffe"],
  ["14 06 02*", "07 01 03*", "07 05 03*", "14 06 01*", "14 06 04*"], "liquid", 1.4, "liquid", [("virgin_solvent", 0.85)],
  ["25.61", "96.01", "21.20"], ["20.14", "38.22"], hazardous=True)
C("spent_sulphuric_acid", "Spent sulphuric acid", "chemicals",
  "Used or by-product sulphuric acid from alkylation, nitration, pickling, titanium dioxide and smelter gas cleaning; regeneration or neutralisation uses",
  ["sulphuric acid", "sulfuric acid", "H2SO4", "spent acid", "98% sulphuric acid", "80% sulphuric acid", "smelter acid", "Schwefelsäure", "acide sulfurique", "acido solforico", "ácido sulfúrico"],
  ["06 01 01*", "11 01 05*", "06 01 06*"], "liquid", 1.8, "liquid", [("sulphuric_acid", 0.9)],
  ["19.20", "20.12", "24.44", "24.43"], ["20.15", "20.13", "17.11", "24.44"], hazardous=True)
C("spent_hydrochloric_acid", "Spent and by-product hydrochloric acid", "chemicals",
  "Hydrochloric acid from pickling and chlorination (incl. ferrous chloride pickle liquor); regeneration, water-treatment coagulant",
  ["hydrochloric acid", "HCl", "muriatic acid", "pickle liquor", "spent pickling acid", "ferrous chloride", "Salzsäure", "Beizsäure", "acide chlorhydrique", "acido cloridrico"],
  ["06 01 02*", "11 01 05*", "11 01 06*"], "liquid", 1.15, "liquid", [("hydrochloric_acid", 0.9)],
  ["20.16", "20.14", "24.10", "25.61"], ["20.13", "37.00", "36.00", "24.10"], hazardous=True)
C("spent_alkali", "Spent caustic and alkaline solutions", "chemicals",
  "Sodium hydroxide solutions, spent caustic and alkaline cleaning liquors; neutralising agent and pulp-mill chemical",
  ["caustic soda", "sodium hydroxide", "NaOH", "spent caustic", "lye", "alkaline solution", "CIP caustic", "Natronlauge", "soude caustique", "soda caustica", "sosa cáustica"],
  ["06 02 04*", "11 01 07*", "06 02 05*", "16 10 01*"], "liquid", 1.3, "liquid", [("caustic_soda", 0.8)],
  ["20.13", "19.20", "10.51", "24.42"], ["17.11", "20.13", "37.00", "24.42"], hazardous=True)
C("ammonium_salts", "Ammonium salts and ammonia solutions", "chemicals",
  "By-product ammonium sulphate, ammonium chloride and ammoniacal liquors from coking, caprolactam and flue-gas treatment; fertiliser",
  ["ammonium sulphate", "ammonium sulfate", "AS", "ammonium chloride", "ammonium chloride solution", "ammoniacal liquor", "ammonia water", "Ammoniumsulfat", "sulfate d'ammonium"],
  ["06 06 02*", "06 03 14", "06 02 03*", "06 10 02*", "06 03 13*", "06 06 03"], "solid", 1.0, "bulk_solid", [("ammonium_sulphate", 0.9), ("n_fertiliser", 0.3)],
  ["20.14", "19.10", "20.15", "24.10"], ["20.15", "01.11"], hazardous=True)
C("sulphur", "Recovered elemental sulphur", "chemicals",
  "Elemental sulphur recovered from sour gas and refinery Claus units; sulphuric acid and fertiliser feedstock",
  ["sulphur", "sulfur", "elemental sulphur", "Claus sulphur", "liquid sulphur", "prilled sulphur", "Schwefel", "soufre", "zolfo", "azufre"],
  ["05 01 16", "05 07 02", "06 06 99", "06 06 02*"], "solid", 1.2, "bulk_solid", [("sulphur", 1.0)],
  ["19.20", "06.20"], ["20.13", "20.15", "17.11"])
C("sour_gas_h2s", "Sour gas and hydrogen sulphide", "chemicals",
  "H2S-rich acid gas from gas processing and refining; sulphur or sulphuric acid production",
  ["sour gas", "acid gas", "H2S", "hydrogen sulphide", "tail gas", "Sauergas"],
  ["05 07 01*", "01 05 06*", "05 07 99"], "gas", 0.0015, "gas", [("sulphur", 0.9)],
  ["06.20", "19.20"], ["20.13", "19.20"], hazardous=True)
C("hydrogen_offgas", "By-product hydrogen", "chemicals",
  "Hydrogen-rich off-gas from chlor-alkali electrolysis, cracking, reforming and dehydrogenation; fuel and chemical feedstock",
  ["hydrogen", "H2", "by-product hydrogen", "off-gas hydrogen", "purge gas", "chlor-alkali hydrogen", "Wasserstoff", "hydrogène fatal", "idrogeno"],
  ["16 09 03*", "05 01 99", "06 10 02*", "06 13 99"], "gas", 0.00009, "gas", [("hydrogen", 1.0)],
  ["20.13", "19.20", "20.14"], ["20.15", "19.20", "20.14", "24.10"], hazardous=True)
C("co2_stream", "Captured or by-product CO2", "chemicals",
  "High-purity CO2 from ammonia, ethanol, hydrogen or cement plants; greenhouses, beverages, mineralisation",
  ["CO2", "carbon dioxide", "biogenic CO2", "fermentation CO2", "captured CO2", "flue gas CO2", "CCU", "Kohlendioxid", "dioxyde de carbone", "anidride carbonica"],
  ["06 13 99", "07 05 99", "16 05 05", "10 13 99"], "gas", 0.0019, "gas", [("merchant_co2", 1.0)],
  ["20.15", "11.01", "20.14", "23.51"], ["01.13", "11.07", "23.61", "20.11"])
C("industrial_process_gas", "Industrial process gases (COG, BFG, off-gas)", "chemicals",
  "Coke-oven gas, blast-furnace gas, converter gas and refinery fuel gas; fuel for power plants and furnaces, hydrogen source",
  ["COG", "coke oven gas", "BFG", "blast furnace gas", "BOF gas", "LD gas", "converter gas", "off-gas", "fuel gas", "tail gas", "Kokereigas", "Gichtgas", "gaz de haut fourneau"],
  ["10 02 99", "05 06 99", "10 01 99"], "gas", 0.001, "gas", [("natural_gas", 1.0), ("hydrogen", 0.05)],
  ["24.10", "19.10", "19.20"], ["35.11", "24.10", "20.11"], unit="MWh")
C("salt_brine", "Salt residues and brines", "chemicals",
  "Sodium and calcium chloride brines, road salt residues and salt cake; de-icing, chlor-alkali feed",
  ["brine", "salt", "salt cake", "sodium chloride", "calcium chloride", "reject brine", "Sole", "saumure", "salamoia", "salmuera"],
  ["06 03 14", "19 08 07*", "06 03 99", "10 03 08*", "19 09 06"], "liquid", 1.2, "liquid", [("caustic_soda", 0.1)],
  ["20.13", "36.00", "10.84"], ["20.13", "42.11", "84.11"])
C("paint_adhesive_waste", "Paint, ink and adhesive waste", "chemicals",
  "Waste paints, inks, varnishes, resins and glue-like residues; binder, fuel blending or reformulation",
  ["paint waste", "paint sludge", "ink waste", "glue", "glue-like waste", "adhesive waste", "resin waste", "varnish", "Lackschlamm", "déchets de peinture"],
  ["08 01 11*", "08 01 12", "08 03 12*", "08 03 13", "08 04 09*", "08 04 10", "08 04 99", "07 02 99"], "sludge", 1.2, "liquid", [("fuel_oil", 0.4), ("virgin_plastics", 0.1)],
  ["20.30", "29.10", "18.12", "16.23"], ["23.51", "20.30", "38.22"], hazardous=True)
C("spent_activated_carbon", "Spent activated carbon and adsorbents", "chemicals",
  "Saturated activated carbon, ion-exchange resins and adsorbents from water and gas treatment; thermal reactivation",
  ["spent activated carbon", "GAC", "PAC", "spent carbon", "ion exchange resin", "spent resin", "waste residual resins", "Aktivkohle", "charbon actif usé"],
  ["19 09 04", "19 09 05", "06 13 02*", "06 07 02*", "19 01 10*"], "solid", 0.5, "bulk_solid", [("activated_carbon", 0.8)],
  ["36.00", "37.00", "21.20", "20.14"], ["20.59", "36.00", "37.00"])
C("mineral_fillers", "Mineral fillers and process powders", "chemicals",
  "Off-spec talc, kaolin, silica, calcium carbonate and other mineral powders; fillers in plastics, paper and construction products",
  ["talc", "talcum powder", "kaolin", "filler", "mineral powder", "off-spec powder", "Füllstoff", "charge minérale"],
  ["07 02 99", "06 03 16", "01 04 13", "10 12 03", "06 08 99"], "solid", 0.8, "bulk_solid", [("limestone", 1.0), ("silica_sand", 0.5)],
  ["08.99", "20.12", "23.99"], ["22.29", "17.12", "23.64", "20.30"])

# --- energy and water ----------------------------------------------------------------------------
C("waste_heat_low_temp", "Low-temperature waste heat (< 100 °C)", "energy",
  "Surplus heat below 100 °C in cooling water, condensers, compressors, data centres and effluents; district heating, greenhouses, aquaculture, heat pumps",
  ["waste heat", "residual heat", "excess heat", "surplus heat", "low-grade heat", "warm water", "condenser heat", "cooling water heat", "process heat", "heat", "Abwärme", "chaleur fatale", "calore di scarto", "calor residual", "restwarmte", "spillvärme"],
  [], "energy", 1.0, "heat", [("gas_heat", 1.0)],
  ["35.11", "63.11", "10.51", "20.14", "24.42"], ["35.30", "01.13", "03.22", "68.20"], unit="MWh",
  temperature_c=(None, 150))
C("waste_heat_high_temp", "High-temperature waste heat and hot exhaust gas", "energy",
  "Heat above 150 °C in kiln, furnace, turbine and engine exhaust gas; steam raising, ORC power, preheating and drying",
  ["exhaust gas", "flue gas heat", "hot gas", "hot exhaust", "kiln exhaust", "furnace off-gas heat", "high-grade heat", "heat recovery", "WHR", "Abgaswärme", "fumées chaudes"],
  ["10 02 99", "10 01 99"], "energy", 1.0, "heat", [("gas_heat", 1.0)],
  ["23.51", "24.10", "23.13", "35.11", "19.20"], ["35.11", "35.30", "10.91", "16.10"], unit="MWh",
  temperature_c=(100, None))
C("steam", "Surplus steam", "energy",
  "Low- or medium-pressure process steam and steam condensate exported to neighbours; process heat for refineries, food and chemical plants",
  ["steam", "LP steam", "MP steam", "process steam", "vapour", "vapor", "excess steam", "Dampf", "Prozessdampf", "vapeur", "vapore", "vapor de agua"],
  [], "energy", 0.002, "steam", [("gas_steam", 1.0), ("gas_heat", 0.75)],
  ["35.11", "38.21", "20.14", "17.12"], ["19.20", "20.14", "10.81", "17.12", "10.62"])
C("surplus_electricity", "Surplus electricity", "energy",
  "Electricity generated on site beyond own use (CHP, gas or steam turbine, waste-to-energy, ORC or expander turbines) and supplied to a neighbour over a private wire; replaces power bought from the grid. Electricity is not a waste: it has no code in the European List of Waste (Commission Decision 2000/532/EC)",
  ["electricity", "surplus electricity", "excess electricity", "excess power", "surplus power", "spare power", "electric power", "electrical energy", "electric energy", "power from our CHP", "CHP electricity", "electricity from cogeneration", "electricity from waste incineration", "power export", "private wire supply", "Strom", "Überschussstrom", "électricité", "énergie électrique", "elettricità", "energia elettrica", "electricidad", "elektriciteit"],
  [], "energy", 1.0, "electricity", [("grid_electricity", 1.0)],
  ["35.11", "38.21", "35.30", "19.20", "17.12"], ["17.12", "19.20", "20.13", "20.14", "24.10", "24.42", "23.51", "10.51"], unit="MWh")
C("cooling_water", "Cooling water", "water",
  "Once-through or blowdown cooling water, warm and lightly treated; reused as cooling or process water",
  ["cooling water", "cooling tower blowdown", "blowdown", "boiler blow-down", "once-through water", "Kühlwasser", "eau de refroidissement", "acqua di raffreddamento"],
  ["10 01 23", "10 01 26", "19 09 99"], "liquid", 1.0, "water", [("fresh_water", 1.0)],
  ["35.11", "19.20", "24.10", "20.14"], ["35.11", "20.14", "19.20"], unit="m3")
C("treated_wastewater", "Treated wastewater for reuse", "water",
  "Effluent from industrial or municipal treatment plants suitable for cooling, washing, irrigation or process use",
  ["treated effluent", "reclaimed water", "recycled water", "grey water", "secondary effluent", "waste water", "wastewater", "Brauchwasser", "eaux usées traitées", "REUT", "acqua depurata", "agua regenerada"],
  ["19 08 99", "16 10 02", "19 13 08", "07 05 01*"], "liquid", 1.0, "water", [("fresh_water", 1.0)],
  ["37.00", "10.51", "17.12", "20.14"], ["35.11", "01.11", "24.10", "19.20"], unit="m3")
C("nutrient_rich_water", "Nutrient-rich process water", "water",
  "Effluents rich in nitrogen, phosphorus or organics (fish farm, dairy, digestate liquor, food processing); irrigation, algae and hydroponics",
  ["nutrient rich water", "nutrient-rich water", "digestate liquor", "centrate", "fish farm water", "dairy wastewater", "process water", "Prozesswasser", "eaux chargées"],
  ["19 05 99", "02 01 01", "19 06 03", "02 05 99", "16 10 02"], "liquid", 1.0, "water", [("fresh_water", 1.0), ("n_fertiliser", 0.001)],
  ["03.22", "10.51", "35.21", "10.20"], ["01.13", "03.22", "01.11"], unit="m3")
C("condensate_demin_water", "Condensate and demineralised water", "water",
  "Clean steam condensate and surplus demineralised or softened water; boiler feed and high-purity process water",
  ["condensate", "steam condensate", "demineralised water", "demin water", "deionised water", "DI water", "boiler feed water", "RO permeate", "reverse osmosis permeate", "reverse osmosis water", "RO water", "vapour and demineralised water", "VE-Wasser", "eau déminéralisée"],
  ["16 10 02"], "liquid", 1.0, "water", [("demin_water", 1.0)],
  ["35.11", "19.20", "20.14"], ["35.11", "19.20", "20.14", "26.11"], unit="m3")

# --- packaging and mixed streams -----------------------------------------------------------------
C("mixed_packaging", "Mixed packaging waste", "packaging",
  "Mixed packaging from commerce and industry (paper, plastic, wood, metal); sorted into recyclable fractions",
  ["packaging", "mixed packaging", "packaging waste", "dry mixed recyclables", "DMR", "Verpackungsabfall", "emballages", "imballaggi misti", "envases"],
  ["15 01 06", "15 01 05", "15 01 02", "15 01 01"], "solid", 0.15, "bulk_solid", [("virgin_plastics", 0.3), ("virgin_board", 0.3)],
  ["47.11", "46.90", "10.89", "52.10"], ["38.32", "17.12", "22.22"])
C("contaminated_packaging", "Contaminated packaging and drums", "packaging",
  "Empty drums, IBCs, cans and bags that held hazardous substances; reconditioning and washing for reuse",
  ["contaminated packaging", "empty drums", "used IBCs", "steel drums", "contaminated containers", "Gebinde", "fûts souillés"],
  ["15 01 10*", "15 01 11*", "15 02 02*"], "solid", 0.2, "bulk_solid", [("primary_steel", 0.3), ("virgin_hdpe", 0.3)],
  ["20.30", "20.59", "25.61"], ["38.32", "25.91", "22.22"], hazardous=True)
C("agrochemical_residues", "Fertiliser and agrochemical residues", "chemicals",
  "Off-spec fertilisers, potash and phosphate residues and nutrient salts; blended into fertilisers",
  ["off-spec fertiliser", "fertilizer residues", "potash", "phosphate residue", "struvite", "Düngemittelreste"],
  ["06 10 99", "02 01 09", "06 09 99", "19 02 99"], "solid", 1.0, "bulk_solid", [("n_fertiliser", 0.5)],
  ["20.15", "37.00"], ["20.15", "01.11"])

# Explicit supply -> demand compatibilities that the shared-virgin rule (see the loader) misses.
# (supply class, demand class, score in [0, 1]); source: LIT.
OVERRIDES = [
    *[(p, "mixed_plastics", 0.9) for p in ["pet_plastic", "hdpe_plastic", "ldpe_film", "pp_plastic",
                                            "ps_eps_plastic", "pvc_plastic", "engineering_plastics"]],
    ("mixed_plastics", "refuse_derived_fuel", 0.8),
    ("steam", "waste_heat_high_temp", 0.9),
    ("steam", "waste_heat_low_temp", 0.9),
    ("waste_heat_high_temp", "waste_heat_low_temp", 0.9),
    ("waste_heat_high_temp", "steam", 0.6),
    ("waste_heat_low_temp", "waste_heat_high_temp", 0.1),
    ("condensate_demin_water", "cooling_water", 0.9),
    ("condensate_demin_water", "treated_wastewater", 0.9),
    ("cooling_water", "treated_wastewater", 0.7),
    ("treated_wastewater", "cooling_water", 0.7),
    ("nutrient_rich_water", "treated_wastewater", 0.5),
    ("stainless_scrap", "ferrous_scrap", 0.7),
    ("ferrous_scrap", "stainless_scrap", 0.2),
    ("end_of_life_vehicles", "ferrous_scrap", 0.6),
    ("mixed_nonferrous_scrap", "aluminium_scrap", 0.3),
    ("mixed_nonferrous_scrap", "copper_scrap", 0.3),
    ("cardboard", "mixed_paper", 0.7),
    ("mixed_paper", "cardboard", 0.6),
    ("clean_wood", "waste_wood", 0.9),
    ("waste_wood", "clean_wood", 0.4),
    ("bark_forest_residue", "clean_wood", 0.5),
    ("glass_cullet", "flat_glass_cullet", 0.3),
    ("flat_glass_cullet", "glass_cullet", 0.8),
    ("blast_furnace_slag", "coal_fly_ash", 0.9),
    ("coal_fly_ash", "blast_furnace_slag", 0.7),
    ("silica_fume", "coal_fly_ash", 0.7),
    ("fgd_gypsum", "chemical_gypsum", 0.9),
    ("chemical_gypsum", "fgd_gypsum", 0.6),
    ("plasterboard_waste", "fgd_gypsum", 0.7),
    ("brewers_spent_grain", "distillers_residues", 0.8),
    ("distillers_residues", "brewers_spent_grain", 0.7),
    ("food_waste", "food_processing_residues", 0.5),
    ("food_processing_residues", "food_waste", 0.9),
    ("manure", "food_waste", 0.5),
    ("sewage_sludge", "industrial_bio_sludge", 0.8),
    ("industrial_bio_sludge", "sewage_sludge", 0.8),
    ("mixed_municipal_waste", "refuse_derived_fuel", 0.6),
    ("end_of_life_tyres", "rubber_waste", 0.7),
    ("rubber_waste", "end_of_life_tyres", 0.6),
    ("textile_production_waste", "textile_waste", 0.9),
    ("biogas_landfill_gas", "industrial_process_gas", 0.8),
    ("industrial_process_gas", "biogas_landfill_gas", 0.6),
    ("spent_sulphuric_acid", "spent_hydrochloric_acid", 0.2),
    ("sour_gas_h2s", "sulphur", 0.6),
    ("sulphur", "spent_sulphuric_acid", 0.5),
]


def _rows(name: str) -> list[dict[str, str]]:
    with open(FACTORS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _checked_virgin() -> dict:
    """V with each input's factor and price replaced by its checked row (see the module doc)."""
    usd = {r["currency"]: float(r["usd_per_unit"]) for r in _rows("exchange_rates.csv")}
    out = {k: list(v) for k, v in V.items()}
    for r in _rows("virgin_factors.csv"):
        v = out.get(r["virgin_id"])
        if v is None:
            continue
        value = float(r["value_kg_co2e"])
        if r["checked"] == "true":
            keep = v[2] == "DEFRA25" and abs(v[1] - value) < 1e-9  # same row, finer id kept
            v[1:5] = [value, v[2] if keep else "VF", int(r["year"]), False]
        elif abs(v[1] - value) > 1e-9:
            raise SystemExit(f"virgin_factors.csv {r['virgin_id']}: unchecked {value} differs "
                             f"from the recalled {v[1]}")
    for r in _rows("reference_prices.csv"):
        v = out.get(r["key"])
        if r["kind"] != "virgin" or v is None or r["checked"] != "true":
            continue
        if r["unit"] != v[10]:
            raise SystemExit(f"reference_prices.csv {r['key']}: unit {r['unit']} != {v[10]}")
        price = round(float(r["value"]) * usd[r["currency"]], 2)
        v[5:10] = [price, price, "RP", int(r["year"]), False]
    return {k: tuple(v) for k, v in out.items()}


#: Substitution ratios with their own source (the others: LIT).  The anaerobic-digestion ratios
#: are MWh of natural gas replaced per t of fresh mass: the methane yield x 9.97 kWh/Nm3.
SUB_FACTS = {
    ("mixed_paper", "mineral_wool"): (
        "CIMA", 2026, "cellulose insulation is about 80 % post-consumer newsprint by weight; 0.4 t "
        "of mineral wool per t of paper is our estimate from loose-fill densities (cellulose "
        "about twice glass wool's for a similar R-value)"),
    ("brewers_spent_grain", "natural_gas"): (
        "FNR10", 2010, "70 Nm3 CH4 per t fresh mass x 9.97 kWh/Nm3 = 0.70 MWh per t (anaerobic "
        "digestion)"),
    ("distillers_residues", "natural_gas"): (
        "HAERD04", 2004, "35 m3 biogas x 54 % CH4 = 18.9 Nm3 CH4 per t x 9.97 kWh/Nm3 = 0.19 MWh "
        "per t (stillage, anaerobic digestion)"),
}


def _fact(value, source, year, estimate, note=""):
    d = {"value": value, "source": source, "year": year, "estimate": bool(estimate)}
    if note:
        d["note"] = note
    return d


def build() -> dict:
    V = _checked_virgin()  # the recalled table above, with the checked rows applied
    classes = []
    ids = set()
    for c in CLASSES:
        if c["id"] in ids:
            raise SystemExit(f"duplicate class id {c['id']}")
        ids.add(c["id"])
        v0 = V[c["subs"][0][0]]
        subs = [{"virgin": v, "label": V[v][0], "ratio": r, "unit": V[v][10]} for v, r in c["subs"]]
        classes.append({
            "id": c["id"],
            "label": c["label"],
            "family": c["family"],
            "description": c["description"],
            "synonyms": c["synonyms"],
            "ewc_codes": c["ewc"],
            "hazardous": c["hazardous"],
            "physical_state": c["state"],
            "density_t_per_m3": c["density"],
            "medium": c["medium"],
            "unit": c["unit"],
            "substitutes": subs,
            "produced_by_nace": c["produced"],
            "used_by_nace": c["used"],
            "virgin_ef_kg_co2e_per_t": v0[1],
            "virgin_price_usd_per_t_low": v0[5],
            "virgin_price_usd_per_t_high": v0[6],
            "facts": {
                "virgin_ef_kg_co2e_per_t": _fact(v0[1], v0[2], v0[3], v0[4], f"primary production of {v0[0]}"),
                "virgin_price_usd_per_t": _fact([v0[5], v0[6]], v0[7], v0[8], v0[9], f"{v0[0]}, per {v0[10]}"),
                "density_t_per_m3": _fact(c["density"], "DENS", 2018, True, "typical bulk density"),
                "substitutes": _fact([r for _, r in c["subs"]], "LIT", 2007, True,
                                     "tonnes of virgin input replaced per unit of this class"
                                     + ("; a ratio with its own source is in substitute_<virgin>"
                                        if any((c["id"], v) in SUB_FACTS for v, _ in c["subs"])
                                        else "")),
                **{f"substitute_{v}": _fact(r, *SUB_FACTS[(c["id"], v)][:2], True,
                                             SUB_FACTS[(c["id"], v)][2])
                   for v, r in c["subs"] if (c["id"], v) in SUB_FACTS},
                **({"temperature_c": _fact(list(c["temperature_c"]), "HEATGRADE", 2024, True,
                                           "deg C (null: open): a text that states only "
                                           "temperatures outside this range is not this class; "
                                           "the 100-150 deg C band between the two grades of "
                                           "waste heat excludes neither")}
                   if c["temperature_c"] else {}),
                **({"not_if_text_says": _fact(*c["not_if_text_says"], False,
                                              "a text naming one of 'words' and none of "
                                              "'unless' describes another material")}
                   if c["not_if_text_says"] else {}),
            },
        })
    for a, b, _s in OVERRIDES:
        if a not in ids or b not in ids:
            raise SystemExit(f"override names unknown class: {a} -> {b}")
    return {
        "format_version": FORMAT_VERSION,
        "title": "symbioflows secondary-material taxonomy",
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0 "
                       "(DEFRA/DESNZ conversion factors 2025). Other facts cite their public source per field.",
        "sources": SOURCES,
        "virgin_materials": {k: {"label": v[0], "ef_kg_co2e_per_t": v[1], "ef_source": v[2], "ef_year": v[3],
                                 "ef_estimate": v[4], "price_usd_per_t_low": v[5], "price_usd_per_t_high": v[6],
                                 "price_source": v[7], "price_year": v[8], "price_estimate": v[9], "unit": v[10]}
                             for k, v in V.items()},
        "classes": classes,
        "substitution_overrides": [{"supply": a, "demand": b, "score": s, "source": "LIT"} for a, b, s in OVERRIDES],
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(CLASSES)} classes)")
