"""Author the demand side of the material knowledge: ``src/symbioflows/data/need_inputs.json``.

A *need* is a virgin input (or a utility: heat, steam, electricity, water) that a receiver buys today and that
a secondary material can replace.  For each need this file records how buyers write it
(``phrases``: product names, trade words), the processes that consume it (``uses``), its CPA 2.1
product class, the NACE classes that typically buy it (``users``, used to suggest needs for a
company that wrote none) and the supply classes that serve it.

* The needs are the taxonomy's virgin inputs (``virgin_materials`` of
  ``material_taxonomy.json``: label, emission factor and price with their sources), plus the extra
  needs below with their own sources.
* Which supply classes serve a taxonomy need, and how well, is read from the taxonomy's
  ``substitutes`` (source LIT and the standards it cites: EN 197-1, EN 450-1, EN 15167-1,
  EN 13242 ...): fit 1 when the need is the class's first-listed (main) substitute, else 0.8
  (the shared-input weight of the substitution matrix).  The substitution *ratio* (tonnes of
  input replaced per unit, e.g. 0.25 t of feed per t of wet spent grain) is a quantity
  conversion, not a fit, and stays in the taxonomy.
* ``users``: judged by the authors from the NACE Rev. 2 class titles (Eurostat 2008) and the
  taxonomy's ``used_by_nace``; marked ``estimate``.  Codes that are not NACE Rev. 2 classes are
  refused.
* ``user_divisions``: for the utilities (steam, heat, electricity, water, fuel gas, merchant CO2), the NACE
  divisions (2 digits) in which the need is a usual input of most companies, not of a few
  classes: judged by the authors from the industry sub-sectors that Eurostat's energy balances
  (nrg_bal_c: derived heat, natural gas and electricity in final energy consumption) and water statistics
  (env_wat_use: water use by manufacturing divisions and electricity cooling) report as
  consumers; marked ``estimate``.  A company of such a division counts as a user at half
  weight (as a division match of ``users`` does).
* ``phrases`` and ``uses`` are vocabulary, not facts: product names as in CPA 2.1 titles
  (Eurostat, Statistical Classification of Products by Activity, 2015) and common trade words.

Run ``python tools/build_need_inputs.py`` after editing; the JSON is committed and
``symbioflows.materials.needs`` validates it on load.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "symbioflows" / "data"
OUT = DATA / "need_inputs.json"
FORMAT_VERSION = 1

SOURCES = {
    "CPA21": "Eurostat, Statistical Classification of Products by Activity (CPA 2.1), 2015: "
             "product class codes and titles.",
    "NACE2": "Eurostat, NACE Rev. 2 (2008) class titles (shipped as nace_rev2.csv); typical buyers "
             "judged by the authors from the titles.",
    "TAX": "symbioflows material taxonomy (material_taxonomy.json): substitutes and ratios, "
           "sources LIT (Chertow 2000; Jacobsen 2006; van Beers et al. 2007; MAESTRI; EN 197-1, "
           "EN 450-1, EN 15167-1, EN 13242) per class.",
    "FPR19": "Regulation (EU) 2019/1009 (EU Fertilising Products Regulation), Annex II component "
             "material categories: CMC 3 compost, CMC 5 digestate, CMC 10 derived products "
             "(animal by-products), CMC 12 precipitated phosphate salts (struvite from sewage), "
             "CMC 13 thermal oxidation materials (ashes). Fits judged by the authors.",
    "FE19": "Fertilizers Europe, Carbon footprint reference values, 2019: triple superphosphate "
            "of the order of 0.2-0.4 t CO2e per t (300 used; estimate, check before use).",
    "ESTAT-NRG": "Eurostat, Complete energy balances (nrg_bal_c), final energy consumption by "
                 "industry sub-sector (food, beverages and tobacco; textile and leather; wood; "
                 "paper, pulp and printing; chemical and petrochemical; iron and steel; "
                 "non-ferrous metals; non-metallic minerals) and by services: consumers of "
                 "derived heat and natural gas; divisions judged by the authors.",
    "ESTAT-ELC": "Eurostat, Complete energy balances (nrg_bal_c), final energy consumption of "
                 "electricity by industry sub-sector: every manufacturing sub-sector (food to "
                 "machinery and transport equipment) reports electricity use, as does water "
                 "collection, treatment and supply; divisions judged by the authors.",
    "ESTAT-WAT": "Eurostat, Water use by supply category and economical sector (env_wat_use): "
                 "manufacturing divisions and electricity production (cooling) as the large "
                 "industrial water users; divisions judged by the authors.",
    "WB24": "World Bank Commodity Price Data (Pink Sheet), annual average 2024: TSP about "
            "of the order of 450-600 USD/t (estimate, check before use).",
    "AD-SUB": "Substrates of anaerobic digestion: energy crops (maize, whole-plant and grass "
              "silage, sugar beet), livestock manure and biogenic wastes (Herrmann, Idler and "
              "Heiermann, Bioresource Technology 206 (2016) 23-35: methane yields of 405 crop "
              "silages; Agostini et al., Energies 8(6) (2015) 5234-5265, JRC: manure co-digested "
              "with maize and sorghum silage). Which residue classes serve a digester, and how "
              "well, judged by the authors.",
    "BJ17": "Biogas Journal, English issue autumn 2017, table 2 (after the LfL Bavaria silage "
            "maize calculator): maize silage, whole plant, 38 EUR per t fresh matter delivered "
            "to the digester without land costs; 43 USD at 1.13 USD/EUR (2017), up to 60 USD "
            "with land rent (estimate, check before use).",
    "MSGHG": "Maize silage cultivation: Pioneer / Foundation for Arable Research (New Zealand), "
             "'Greenhouse gas emissions from maize systems' (web page, undated, read 2026): 1,850 kg CO2e per ha of field "
             "emissions for maize silage without livestock at 21.1 t DM per ha (88 kg CO2e per "
             "t DM), plus fertiliser manufacture and diesel (about as much again, authors' "
             "estimate): about 180 kg CO2e per t DM, 60 per t fresh matter at 33 % DM "
             "(estimate, check before use).",
}

P = {
"portland_cement": (["cement", "Portland cement", "CEM I", "clinker", "cement clinker", "binder for concrete", "supplementary cementitious material", "SCM", "cement replacement", "cement substitute", "pozzolan", "cementitious binder", "blended cement constituent", "GGBS", "GGBFS", "slag cement"],
  ["cement production", "cement grinding", "ready-mix concrete production", "precast concrete plant", "blended cement manufacture"], "23.51", ["23.51", "23.61", "23.63", "23.64", "42.11"]),
"natural_aggregates": (["aggregates", "crushed stone", "sand and gravel", "gravel", "construction sand", "fill material", "road base", "sub-base material", "ballast", "secondary aggregates", "recycled aggregate"],
  ["road construction", "earthworks", "concrete production", "asphalt production", "civil engineering works", "embankment construction"], "08.12", ["42.11", "42.13", "43.12", "23.63", "23.61", "08.12"]),
"natural_gypsum": (["gypsum", "raw gypsum", "gypsum rock", "mined gypsum", "natural gypsum", "calcium sulphate", "gypsum substitute", "anhydrite", "set retarder for cement"],
  ["wallboard production", "plasterboard manufacture", "plaster production", "gypsum board line", "cement set retarder addition"], "08.11", ["23.62", "23.51", "23.52"]),
"limestone": (["limestone", "calcium carbonate", "chalk", "crushed limestone", "cement raw meal", "kiln feed", "raw meal", "flux for blast furnace", "acid neutralising agent", "agricultural lime"],
  ["clinker production", "flue gas desulphurisation", "neutralisation of acidic effluent", "soil liming", "glass melting"], "08.11", ["23.51", "23.52", "35.11", "24.10", "01.11"]),
"quicklime": (["quicklime", "lime", "hydrated lime", "burnt lime", "slaked lime", "calcium oxide", "calcium hydroxide", "neutralising agent", "liming agent"],
  ["pH correction", "water treatment", "flue gas cleaning", "steelmaking flux", "soil stabilisation", "sludge conditioning", "iron and steel production", "pig iron production"], "23.52", ["24.10", "36.00", "37.00", "35.11", "42.11", "01.11"]),
"iron_ore": (["iron ore", "iron-bearing raw material", "iron fines", "iron oxide", "iron corrective for cement kiln", "sinter feed", "pellet feed"],
  ["sinter plant", "blast furnace ironmaking", "cement raw mix correction", "steelworks", "iron and steel production", "pig iron production"], "07.10", ["24.10", "23.51"]),
"primary_steel": (["steel", "scrap steel", "iron scrap", "pig iron", "steel feedstock", "melting scrap", "ferrous feed", "charge material for electric arc furnace"],
  ["electric arc furnace steelmaking", "steel melting", "iron foundry", "basic oxygen furnace charge", "steelworks", "steel production"], "24.10", ["24.10", "24.51", "24.52"]),
"primary_aluminium": (["aluminium", "aluminum", "aluminium ingot", "aluminium scrap", "secondary aluminium", "remelt aluminium"],
  ["aluminium remelting", "aluminium casting", "secondary aluminium smelting", "deoxidation of steel"], "24.42", ["24.42", "24.53", "24.10"]),
"primary_copper": (["copper", "copper cathode", "copper scrap", "copper-bearing material", "copper concentrate"],
  ["copper smelting", "copper refining", "brass production", "wire rod production"], "24.44", ["24.44", "24.54"]),
"mixed_metals": (["metals", "non-ferrous metals", "metal scrap", "mixed metal scrap", "metal-bearing feed", "precious metals"],
  ["metal recovery", "non-ferrous smelting", "metal refining"], "24.45", ["24.41", "24.43", "24.44", "24.45", "38.32"]),
"primary_zinc": (["zinc", "zinc oxide", "zinc-bearing material", "zinc concentrate", "zinc secondary raw material"],
  ["zinc smelting", "Waelz kiln", "galvanising", "zinc recovery"], "24.43", ["24.43", "25.61"]),
"primary_nickel": (["nickel", "ferronickel", "nickel-bearing material", "catalyst metals", "cobalt", "stainless steel alloying elements"],
  ["stainless steel melting", "nickel refining", "catalyst manufacture", "alloy production"], "24.45", ["24.45", "24.10", "20.59"]),
"virgin_pet": (["PET", "PET resin", "PET flakes", "rPET", "polyethylene terephthalate", "bottle-grade PET"],
  ["bottle production", "PET preform moulding", "polyester fibre spinning", "food packaging trays"], "20.16", ["22.22", "20.16", "13.10", "20.60"]),
"virgin_hdpe": (["HDPE", "high-density polyethylene", "HDPE granulate", "polyethylene pellets", "HDPE regrind"],
  ["pipe extrusion", "blow moulding", "crate injection moulding"], "20.16", ["22.21", "22.22", "22.29"]),
"virgin_ldpe": (["LDPE", "LLDPE", "low-density polyethylene", "PE film granulate", "film-grade polyethylene"],
  ["film extrusion", "bag production", "plastic film blowing"], "20.16", ["22.22", "22.21"]),
"virgin_pp": (["PP", "polypropylene", "PP granulate", "PP regrind", "polypropylene compound"],
  ["injection moulding", "automotive parts moulding", "PP compounding", "fibre extrusion"], "20.16", ["22.29", "22.22", "29.32"]),
"virgin_ps": (["polystyrene", "PS", "EPS", "expanded polystyrene beads", "HIPS"],
  ["insulation board production", "polystyrene moulding"], "20.16", ["22.21", "22.29"]),
"virgin_pvc": (["PVC", "polyvinyl chloride", "PVC compound", "PVC regrind"],
  ["window profile extrusion", "PVC pipe extrusion", "flooring production"], "20.16", ["22.23", "22.21"]),
"virgin_plastics": (["plastics", "plastic raw material", "polymer granulate", "recycled plastic", "plastic feedstock", "secondary plastics", "resin"],
  ["plastic moulding", "plastic products manufacture", "compounding", "plastic lumber production"], "20.16", ["22.29", "22.21", "22.22", "22.23"]),
"virgin_board": (["cardboard", "kraftliner", "containerboard", "recovered cardboard", "OCC", "board for packaging", "testliner", "fluting"],
  ["corrugated board production", "packaging manufacture", "board mill"], "17.12", ["17.12", "17.21"]),
"virgin_paper": (["paper", "pulp", "paper pulp", "recovered paper", "fibre for paper making", "wood pulp", "de-inked pulp", "paper for recycling"],
  ["paper making", "paper mill", "tissue production", "newsprint production", "moulded fibre packaging"], "17.11", ["17.11", "17.12", "17.22"]),
"virgin_wood": (["timber", "roundwood", "wood", "sawn wood", "wood raw material", "wood chips for board", "wood fibre", "particles for particleboard"],
  ["particleboard production", "panel board manufacture", "MDF production", "pallet manufacture", "sawmill", "charcoal making"], "02.20", ["16.21", "16.10", "16.24", "31.09"]),
"wood_fuel": (["wood chips", "wood pellets", "biomass fuel", "firewood", "solid biofuel", "fuel wood", "biomass for boilers", "renewable solid fuel"],
  ["biomass boiler", "biomass power plant", "combined heat and power plant firing biomass", "district heating boiler"], "02.20", ["35.11", "35.30", "16.10", "17.12"]),
"glass_batch": (["glass", "glass batch", "soda ash", "glass sand", "cullet", "raw materials for glass", "glass raw material"],
  ["glass melting", "container glass production", "flat glass production", "glass wool production"], "23.11", ["23.11", "23.13", "23.14"]),
"mineral_wool": (["insulation", "mineral wool", "glass wool", "stone wool", "insulation material"],
  ["insulation manufacture", "mineral wool production", "cellulose insulation production"], "23.99", ["23.99", "43.29"]),
"clay_bricks": (["clay", "brick clay", "brick raw material", "ceramic raw material", "shale", "kaolin", "clay substitute"],
  ["brick making", "brick kiln", "tile production", "ceramic production", "lightweight aggregate production", "cement raw mix"], "08.12", ["23.32", "23.31", "23.20"]),
"concrete": (["concrete", "ready-mix concrete", "precast concrete", "concrete products"],
  ["construction works", "precast element production"], "23.63", ["41.20", "42.11", "23.61"]),
"asphalt": (["asphalt", "bitumen", "asphalt mix", "bituminous binder", "road surfacing material"],
  ["asphalt mixing plant", "road paving", "road surfacing"], "23.99", ["42.11", "23.99"]),
"plasterboard": (["plasterboard", "gypsum board", "drywall", "gypsum products", "plaster"],
  ["interior construction", "drywall installation"], "23.62", ["43.31", "41.20"]),
"virgin_rubber": (["rubber", "natural rubber", "synthetic rubber", "rubber compound", "crumb rubber", "rubber granulate"],
  ["rubber products manufacture", "tyre production", "sports surface production", "rubber moulding"], "22.19", ["22.11", "22.19", "43.99"]),
"virgin_textile_fibre": (["textile fibre", "fibre", "yarn", "cotton", "wool fibre", "polyester fibre", "fabric", "textile raw material", "recycled fibre"],
  ["spinning", "weaving", "nonwoven production", "insulation felt production", "textile manufacture"], "13.10", ["13.10", "13.20", "13.95", "14.13"]),
"animal_feed": (["animal feed", "cattle feed", "livestock feed", "pig feed", "feed", "fodder", "feed protein", "protein for feed", "feed ingredient", "compound feed", "dairy feed", "forage", "silage", "feedstuff", "fish feed", "barley", "soybean meal", "pet food", "petfood"],
  ["dairy farming", "cattle rearing", "pig farming", "livestock farming", "feed mill", "feeding dairy cows", "poultry farming", "aquaculture"], "10.91", ["01.41", "01.42", "01.46", "01.47", "01.50", "10.91", "10.92", "03.22"]),
"n_fertiliser": (["fertiliser", "fertilizer", "mineral fertiliser", "nitrogen fertiliser", "nutrients for crops", "NPK", "urea", "ammonium nitrate", "organic fertiliser", "manure substitute", "plant nutrients", "phosphate fertiliser", "potash", "phosphorus"],
  ["arable farming", "crop production", "fertilising fields", "horticulture", "greenhouse growing", "fertiliser blending", "land spreading"], "20.15", ["01.11", "01.13", "01.19", "01.21", "01.24", "01.30", "01.50", "20.15"]),
"soil_improver": (["compost", "soil improver", "peat", "growing medium", "topsoil", "soil conditioner", "organic matter for soil", "mulch", "landscaping soil"],
  ["landscaping", "land restoration", "horticulture", "nursery growing", "golf course maintenance", "mine site rehabilitation", "worm farming", "turf growing", "mushroom growing substrate", "agriculture"], "08.92", ["01.30", "81.30", "01.19", "39.00"]),
"coal": (["coal", "fuel for kiln", "alternative fuel", "alternative fuels", "secondary fuel", "solid recovered fuel", "SRF", "kiln fuel", "reducing agent", "solid fuel", "fossil fuel replacement", "refuse derived fuel"],
  ["cement kiln firing", "co-processing in cement kiln", "coal-fired boiler", "power station", "power plant", "lime kiln firing", "waste-to-energy plant", "cement industry", "industrial boilers"], "05.10", ["23.51", "35.11", "23.52", "24.10", "38.21"]),
"metallurgical_coke": (["coke", "metallurgical coke", "reductant", "carbon reductant", "carburiser", "coke breeze", "injection carbon"],
  ["blast furnace", "ferroalloy smelting", "electric arc furnace foaming slag", "cupola furnace", "iron and steel production", "steelworks", "pig iron production"], "19.10", ["24.10", "24.45", "24.51"]),
"fuel_oil": (["fuel oil", "heavy fuel oil", "heating oil", "liquid fuel", "diesel", "biofuel", "biodiesel feedstock", "fats and oils", "oils and fats", "waste fats and oils", "liquid fuel replacement", "burner fuel"],
  ["oil-fired boiler", "biodiesel production", "kiln burner", "furnace firing", "marine fuel"], "19.20", ["35.11", "23.51", "20.14", "19.20", "35.30"]),
"natural_gas": (["natural gas", "gas", "fuel gas", "methane", "biogas", "biomethane", "renewable gas", "natural gas replacement", "gaseous fuel", "LNG"],
  ["gas-fired boiler", "gas engine", "combined heat and power", "process heating with gas", "dryer burners", "grid injection"], "06.20", ["35.11", "35.21", "35.30", "10.51", "10.81", "23.51"]),
"gas_heat": (["heat", "district heat", "district heating", "space heating", "hot water", "low-temperature heat", "thermal energy", "process heat", "waste heat recovery", "heating"],
  ["district heating network", "greenhouse heating", "building heating", "drying", "aquaculture water heating", "swimming pool heating", "pre-heating", "heating the homes and public buildings of a town"], "35.30", ["35.30", "01.13", "68.20", "03.22", "10.51"]),
"gas_steam": (["steam", "process steam", "low-pressure steam", "high-pressure steam", "steam supply", "saturated steam", "process heat", "heat for processes"],
  ["steam-heated process", "evaporators", "distillation", "sterilisation", "steam turbine", "paper drying", "chemical plant", "refinery process units", "pharmaceutical production", "food processing"], "35.30", ["20.14", "20.11", "17.12", "10.81", "11.05", "10.51"]),
"grid_electricity": (["electricity", "power supply", "electric power", "electrical energy", "electric energy", "electricity supply", "grid electricity", "low-carbon electricity", "renewable electricity", "green power", "cheaper electricity", "electricity for production", "electric power for machines", "power for electrolysis"],
  ["electric arc furnace", "chlor-alkali electrolysis", "aluminium smelting", "paper machines", "electric motors and drives", "compressors and pumps", "refinery pumps and compressors", "industrial refrigeration", "data centre", "electric boilers", "electrolysis", "grinding mills"], "35.11", ["24.10", "24.42", "20.13", "20.11", "20.14", "17.11", "17.12", "19.20", "23.51", "10.51", "63.11"]),
"fresh_water": (["water", "fresh water", "process water", "cooling water", "make-up water", "irrigation water", "industrial water", "water supply", "non-potable water", "reclaimed water", "washing water"],
  ["cooling tower", "irrigation", "process cooling", "washing", "industrial water supply", "dust suppression"], "36.00", ["35.11", "01.11", "20.14", "24.10", "19.20", "17.12"]),
"demin_water": (["demineralised water", "boiler feed water", "deionised water", "ultrapure water", "condensate", "softened water", "high-purity water"],
  ["boiler feed", "steam generation", "electronics rinsing", "pharmaceutical production", "power plant water-steam cycle", "power station boiler make-up"], "36.00", ["35.11", "20.14", "21.10", "26.11"]),
"base_oil": (["lubricant", "base oil", "lubricating oil", "hydraulic oil", "re-refined oil", "mineral oil"],
  ["lubricant blending", "oil re-refining", "machinery lubrication"], "19.20", ["19.20", "20.59"]),
"virgin_solvent": (["solvent", "acetone", "isopropanol", "toluene", "organic solvent", "cleaning solvent", "thinner", "recovered solvent"],
  ["paint production", "cleaning of equipment", "chemical synthesis", "extraction", "printing inks"], "20.14", ["20.30", "20.14", "21.10", "18.12"]),
"sulphuric_acid": (["sulphuric acid", "sulfuric acid", "H2SO4", "acid for leaching", "regenerated sulphuric acid"],
  ["fertiliser production", "leaching", "titanium dioxide production", "pH control", "battery acid production"], "20.13", ["20.15", "20.13", "24.44", "07.29"]),
"hydrochloric_acid": (["hydrochloric acid", "HCl", "muriatic acid", "pickling acid", "regenerated hydrochloric acid"],
  ["steel pickling", "pH adjustment", "ion exchange regeneration", "chemical synthesis"], "20.13", ["24.10", "25.61", "20.13", "36.00"]),
"caustic_soda": (["caustic soda", "sodium hydroxide", "NaOH", "alkali", "lye", "alkaline reagent", "neutralising alkali"],
  ["neutralisation", "pulp cooking", "alumina refining", "cleaning in place", "scrubbing"], "20.13", ["17.11", "24.42", "20.13", "10.51", "36.00"]),
"sulphur": (["sulphur", "sulfur", "elemental sulphur", "sulphur feedstock"],
  ["sulphuric acid production", "fertiliser production", "rubber vulcanisation", "nickel refining", "inorganic chemicals production"], "20.13", ["20.13", "20.15", "22.11"]),
"hydrogen": (["hydrogen", "H2", "hydrogen gas", "syngas", "reducing gas"],
  ["hydrotreating", "ammonia synthesis", "refinery", "fuel cells", "methanol synthesis", "direct reduction of iron", "industrial gas production", "nickel refining", "organic chemicals production"], "20.11", ["19.20", "20.15", "20.14", "24.10"]),
"ammonium_sulphate": (["ammonium sulphate", "ammonium sulfate", "ammonia", "ammonium salts", "nitrogen source", "ammonia solution"],
  ["fertiliser blending", "NOx reduction", "fermentation nitrogen source"], "20.15", ["20.15", "01.11", "35.11"]),
"merchant_co2": (["CO2", "carbon dioxide", "food-grade CO2", "liquid CO2", "CO2 for greenhouses", "carbonation gas", "dry ice"],
  ["greenhouse CO2 enrichment", "beverage carbonation", "algae cultivation", "concrete curing", "mineral carbonation", "enhanced oil recovery", "plant growth in greenhouses", "fire extinguisher filling", "modified-atmosphere packaging", "industrial gas production"], "20.11", ["01.13", "11.07", "20.11", "03.22", "23.61"]),
"activated_carbon": (["activated carbon", "active carbon", "adsorbent", "charcoal filter medium", "granular activated carbon", "PAC"],
  ["water purification", "gas cleaning", "decolourisation", "mercury capture"], "20.59", ["36.00", "37.00", "20.59", "10.81"]),
"silica_sand": (["silica sand", "industrial sand", "quartz sand", "foundry sand", "blasting grit", "abrasive", "filler sand", "silica"],
  ["metal casting", "sandblasting", "glass melting", "filtration", "moulding sand preparation", "abrasive blasting media production"], "08.12", ["24.51", "24.52", "23.11", "25.61"]),
"refractory_raw": (["refractory", "refractory raw material", "bauxite", "magnesia", "alumina", "chamotte", "fire clay", "refractory lining"],
  ["furnace lining", "refractory production", "kiln relining"], "23.20", ["23.20", "24.10", "23.51"]),
"fermentation_sugar": (["sugar", "molasses", "glucose", "fermentation substrate", "carbon source", "fermentable sugars", "feedstock for fermentation", "starch"],
  ["fermentation", "ethanol production", "yeast production", "bioplastics production", "distillery"], "10.81", ["11.01", "20.14", "10.89", "21.10"]),
"fluorspar": (["fluorspar", "fluorite", "calcium fluoride", "fluxing agent", "fluorine source"],
  ["steelmaking flux", "hydrofluoric acid production", "aluminium fluoride production"], "08.91", ["24.10", "20.13", "24.42"]),
"lead": (["lead", "lead bullion", "secondary lead", "lead-bearing material"],
  ["lead smelting", "battery manufacture"], "24.43", ["24.43", "27.20"]),
"carbon_fibre_filler": (["carbon black", "graphite", "carbon filler", "carbon material", "conductive carbon", "carbon additive"],
  ["electrode production", "rubber compounding", "carburising", "battery anode production"], "20.13", ["27.90", "22.11", "24.10", "27.20"]),
}
#: Needs that no virgin material of the taxonomy stands for, given in full: phrases, uses, CPA
#: class, usual buyers, the classes that serve them (``source``, ``year``), the virgin
#: footprint ``ef`` and price band ``price`` with the source and year of each figure
#: (``ef_source`` / ``ef_year``, ``price_source`` / ``price_year``; sources in SOURCES).
EXTRA = {
"phosphate_fertiliser": dict(label="Mineral phosphate fertiliser (triple superphosphate, rock phosphate)",
   phrases=["phosphate fertiliser", "phosphorus fertiliser", "phosphate", "rock phosphate", "superphosphate", "P fertiliser", "phosphorus for crops", "struvite"],
   uses=["phosphate fertilisation", "phosphorus recovery", "fertiliser granulation"], cpa="20.15",
   users=["01.11", "01.13", "01.19", "01.21", "20.15"],
   served_by={"sewage_sludge": 0.6, "biomass_ash": 0.5, "manure": 0.7, "digestate_compost": 0.7, "animal_by_products": 0.5, "industrial_bio_sludge": 0.5, "nutrient_rich_water": 0.4},
   source="FPR19", ef=300.0, price=[450.0, 600.0], ef_source="FE19", ef_year=2019,
   price_source="WB24", price_year=2024, year=2019),
"digester_feedstock": dict(label="Digester feedstock: energy crops (maize silage) for anaerobic digestion",
   phrases=["digester feedstock", "biogas plant feedstock", "feedstock for anaerobic digestion", "AD feedstock", "biogas substrate", "substrate for the biogas plant",
            "co-substrate", "co-digestion material", "organic feedstock for biogas", "maize silage", "energy crops", "silage for the digester",
            "biodegradable waste for digestion", "biomass for the digester", "biomass for digestion", "biomass for biogas"],
   uses=["anaerobic digestion", "biogas plant", "co-digestion", "digester", "digesters", "anaerobic digesters", "agricultural biogas plant", "biomethane plant"],
   cpa="01.19", users=["35.21", "38.21"],
   served_by={"manure": 1.0, "food_waste": 1.0, "food_processing_residues": 1.0, "distillers_residues": 1.0,
              "brewers_spent_grain": 0.8, "sugar_residues": 0.8, "whey_dairy_residues": 0.8, "glycerol": 0.8,
              "industrial_bio_sludge": 0.8, "crop_residues": 0.8, "animal_by_products": 0.6, "animal_fats_uco": 0.6,
              "green_waste": 0.6, "winery_residues": 0.6, "sewage_sludge": 0.6, "nutrient_rich_water": 0.4},
   source="AD-SUB", ef=60.0, price=[43.0, 60.0], ef_source="MSGHG", ef_year=2026,
   price_source="BJ17", price_year=2017, year=2016),
}

#: Needs of a gaseous fuel that a class of another medium replaces only through a conversion
#: plant the need's usual buyer does not run: spent grain, stillage, food waste and manure
#: replace natural gas through an anaerobic digester, so they serve the digester's need (its
#: feedstock), not a boiler's.  The taxonomy keeps the route (the avoided emissions of a
#: digested stream); which classes take it is read from their medium, not listed here.
VIA_PLANT = {"natural_gas": ("gas", "digester_feedstock")}


#: Utilities used across whole NACE divisions (module notes: ``user_divisions``).
DIVISIONS = {
    "gas_steam": (["10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "24"],
                  "ESTAT-NRG"),
    "gas_heat": (["01", "10", "11", "35", "55", "68", "84", "85", "86"], "ESTAT-NRG"),
    "natural_gas": (["10", "11", "17", "19", "20", "23", "24", "35"], "ESTAT-NRG"),
    "grid_electricity": ([f"{d:02d}" for d in range(10, 34)] + ["36", "37"], "ESTAT-ELC"),
    "fresh_water": (["10", "11", "13", "17", "19", "20", "21", "22", "23", "24", "35", "36"],
                    "ESTAT-WAT"),
    "demin_water": (["19", "20", "21", "35"], "ESTAT-WAT"),
    "merchant_co2": (["10", "11", "20"], "ESTAT-NRG"),
}


def _with_divisions(need: dict) -> dict:
    """``need`` with its ``user_divisions`` (and their source) when :data:`DIVISIONS` has it."""
    if need["id"] in DIVISIONS:
        divs, src = DIVISIONS[need["id"]]
        if any(len(d) != 2 or not d.isdigit() for d in divs):
            raise SystemExit(f"{need['id']}: user_divisions {divs} are not NACE divisions")
        need["user_divisions"] = sorted(divs)
        need["facts"]["user_divisions"] = {"source": src, "year": 2024, "estimate": True}
    return need


def _nace_classes() -> set[str]:
    with open(DATA / "nace_rev2.csv", encoding="utf-8") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        header = next(rows)
        k = header.index("code") if "code" in header else 0
        return {r[k].strip() for r in rows if r}


def build() -> dict:
    tax = json.loads((DATA / "material_taxonomy.json").read_text("utf-8"))
    virgin = tax["virgin_materials"]
    nace = _nace_classes()
    served: dict[str, dict[str, float]] = {}
    for c in tax["classes"]:
        for j, s in enumerate(c["substitutes"]):
            fit = 1.0 if j == 0 else 0.8
            served.setdefault(s["virgin"], {})[c["id"]] = round(fit, 3)
    medium = {c["id"]: c["medium"] for c in tax["classes"]}
    for vid, (need_medium, target) in VIA_PLANT.items():
        classes = {k for k in served.get(vid, {}) if medium[k] != need_medium}
        if target not in EXTRA or not classes <= set(EXTRA[target]["served_by"]):
            raise SystemExit(f"{vid}: {sorted(classes)} must serve {target} instead")
        served[vid] = {k: v for k, v in served[vid].items() if k not in classes}
    missing = set(virgin) - set(P)
    if missing:
        raise SystemExit(f"no phrases for taxonomy inputs {sorted(missing)}")
    needs = []
    for vid, (phrases, uses, cpa, users) in P.items():
        v = virgin[vid]
        bad = [u for u in users if u not in nace]
        if bad:
            raise SystemExit(f"{vid}: users {bad} are not NACE Rev. 2 classes")
        needs.append({
            "id": vid, "label": v["label"], "unit": v["unit"], "phrases": phrases, "uses": uses,
            "cpa": cpa, "users": sorted(set(users)),
            "virgin_ef_kg_co2e_per_unit": v["ef_kg_co2e_per_t"],
            "virgin_price_usd_per_unit": [v["price_usd_per_t_low"], v["price_usd_per_t_high"]],
            "served_by": dict(sorted(served.get(vid, {}).items())),
            "facts": {"served_by": {"source": "TAX", "year": 2025},
                      "virgin_ef_kg_co2e_per_unit": {"source": v["ef_source"], "year": v["ef_year"],
                                                     "estimate": v["ef_estimate"]},
                      "virgin_price_usd_per_unit": {"source": v["price_source"],
                                                    "year": v["price_year"],
                                                    "estimate": v["price_estimate"]},
                      "users": {"source": "NACE2", "year": 2008, "estimate": True},
                      "cpa": {"source": "CPA21", "year": 2015}},
        })
    for nid, e in EXTRA.items():
        bad = [u for u in e["users"] if u not in nace]
        if bad:
            raise SystemExit(f"{nid}: users {bad} are not NACE Rev. 2 classes")
        needs.append({
            "id": nid, "label": e["label"], "unit": "t", "phrases": e["phrases"], "uses": e["uses"],
            "cpa": e["cpa"], "users": sorted(e["users"]), "served_by": dict(sorted(e["served_by"].items())),
            "virgin_ef_kg_co2e_per_unit": e["ef"], "virgin_price_usd_per_unit": e["price"],
            "facts": {"served_by": {"source": e["source"], "year": e["year"], "estimate": True},
                      "virgin_ef_kg_co2e_per_unit": {"source": e["ef_source"], "year": e["ef_year"],
                                                     "estimate": True},
                      "virgin_price_usd_per_unit": {"source": e["price_source"],
                                                    "year": e["price_year"], "estimate": True},
                      "users": {"source": "NACE2", "year": 2008, "estimate": True},
                      "cpa": {"source": "CPA21", "year": 2015}},
        })
    needs = [_with_divisions(n) for n in needs]
    return {"format_version": FORMAT_VERSION,
            "title": "Needs (virgin inputs and utilities) and the secondary classes that serve them",
            "sources": SOURCES, "needs": needs}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
