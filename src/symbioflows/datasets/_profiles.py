# Why ~640 lines: mostly data (per-sector stream profiles and industrial zones), not logic.
"""Per-sector stream profiles and industrial zones behind :func:`make_region`.

Each NACE Rev. 2 sector lists the streams a site of that sector typically *supplies* (wastes,
by-products, surplus heat, steam, CO2, water) and *demands* (inputs that a by-product can
replace), with an EU List of Waste code where the stream is a waste, a material class id, a
typical annual quantity range for one site, and an indicative price range.

What is a fact and what is an assumption
----------------------------------------
The generator produces **synthetic** data.  Which sector supplies or needs which material is
taken from the public sources below; quantity ranges combine the generation ratios of the EU
BAT reference documents (BREFs) with typical site capacities and are rounded, illustrative
ranges, not measurements of any real site.  Prices are indicative; the ones drawn from a
published figure say so, the others are marked ``ASSUMPTION`` (order of magnitude only).

Sources (cited by key in the profiles)
--------------------------------------
BREF_LCP_2017
    European Commission JRC, *Best Available Techniques (BAT) Reference Document for Large
    Combustion Plants*, EUR 28836 EN, 2017 (ash, FGD gypsum and residues of coal/biomass
    boilers; coal ash content about 10-15 %, fly ash about 80-90 % of the ash).
BREF_IS_2013
    JRC, *BREF for Iron and Steel Production*, EUR 25521 EN, 2013 (blast furnace slag about
    210-310 kg per t hot metal; BOF slag about 85-110 kg per t liquid steel; mill scale).
BREF_CLM_2013
    JRC, *BREF for the Production of Cement, Lime and Magnesium Oxide*, EUR 26129 EN, 2013
    (use of fly ash, slag, FGD gypsum as constituents; waste-derived fuels; kiln dust).
BREF_REF_2015
    JRC, *BREF for the Refining of Mineral Oil and Gas*, EUR 27140 EN, 2015 (spent
    catalysts, sulphur recovery, spent alkylation acid, tank bottom sludges, CO2 from hydrogen
    production).
BREF_LVOC_2017
    JRC, *BREF for the Production of Large Volume Organic Chemicals*, EUR 28882 EN, 2017.
BREF_LVIC_2007
    European Commission, *BREF for the Manufacture of Large Volume Inorganic Chemicals -
    Ammonia, Acids and Fertilisers*, 2007 (sulphuric acid regeneration; CO2 from ammonia).
BREF_CAK_2014
    JRC, *BREF for the Production of Chlor-alkali*, EUR 26844 EN, 2014 (by-product hydrogen,
    about 28 kg H2 per t chlorine).
BREF_FDM_2019
    JRC, *BREF for the Food, Drink and Milk Industries*, EUR 29978 EN, 2019 (brewers' spent
    grain about 14-20 kg per hl beer; spent yeast; fermentation CO2; sugar beet pulp and lime).
BREF_PP_2015
    JRC, *BREF for the Production of Pulp, Paper and Board*, EUR 27235 EN, 2015 (de-inking and
    fibre sludges of recovered-paper mills).
BREF_WI_2019
    JRC, *BREF for Waste Incineration*, EUR 29971 EN, 2019 (bottom ash about 150-250 kg per t
    waste; air-pollution-control residues; ferrous metals recovered from bottom ash).
BREF_WT_2018
    JRC, *BREF for Waste Treatment*, EUR 29362 EN, 2018 (anaerobic digestion, digestate,
    waste-oil and solvent regeneration, sorting of recyclables).
EUROSTAT_WASGEN_2020
    Eurostat, *Generation of waste by waste category, hazardousness and NACE Rev. 2 activity*
    (env_wasgen), reference year 2020 (which sectors generate which waste categories).
MAESTRI_2018
    MAESTRI project (EU Horizon 2020 grant 680570), *Exchanges Database* (425 documented
    exchanges, 43 cases).  Used only as statistics: the most frequent donor -> receiver NACE
    division pairs are 24->23 (21 exchanges), 20->20 (17), 24->20 (13), 20->35 (11),
    35->20 (11), 35->23 (10), 19->20 (10), 35->19 (10), 10->01 (9), 19->35 (8); by material,
    fly ash 35->23, blast furnace slag 24->23, steam 35->20 and 35->19, sludges 17->20/23/35.
    No row of the database is shipped.
EUROSTAT_PRICES
    Eurostat secondary-material price indicators, EU averages: glass 65 (2022) and 95 (2024)
    EUR/t; paper 206 (2022) and 156 (2024); plastic 454 (2022) and 321 (2024).
ECB_2024
    European Central Bank reference rate, 2024 annual average: 1 EUR = 1.0824 USD (used to
    convert EUR prices to USD).
OSM_2024
    OpenStreetMap, approximate centroids of the industrial areas named in :data:`ZONES`, read
    in 2024 (WGS84, rounded to about 1 km).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "StreamTemplate",
    "SectorProfile",
    "Zone",
    "SECTORS",
    "ZONES",
    "SOURCES",
    "REGION_CENTER",
]

EUR_TO_USD = 1.0824  # ECB_2024: 2024 annual average reference rate

SOURCES: dict[str, str] = {
    "BREF_LCP_2017": "JRC, BREF Large Combustion Plants, EUR 28836 EN, 2017",
    "BREF_IS_2013": "JRC, BREF Iron and Steel Production, EUR 25521 EN, 2013",
    "BREF_CLM_2013": "JRC, BREF Cement, Lime and Magnesium Oxide, EUR 26129 EN, 2013",
    "BREF_REF_2015": "JRC, BREF Refining of Mineral Oil and Gas, EUR 27140 EN, 2015",
    "BREF_LVOC_2017": "JRC, BREF Large Volume Organic Chemicals, EUR 28882 EN, 2017",
    "BREF_LVIC_2007": "EC, BREF Large Volume Inorganic Chemicals - Ammonia, Acids and Fertilisers, 2007",
    "BREF_CAK_2014": "JRC, BREF Production of Chlor-alkali, EUR 26844 EN, 2014",
    "BREF_FDM_2019": "JRC, BREF Food, Drink and Milk Industries, EUR 29978 EN, 2019",
    "BREF_PP_2015": "JRC, BREF Production of Pulp, Paper and Board, EUR 27235 EN, 2015",
    "BREF_WI_2019": "JRC, BREF Waste Incineration, EUR 29971 EN, 2019",
    "BREF_WT_2018": "JRC, BREF Waste Treatment, EUR 29362 EN, 2018",
    "EUROSTAT_WASGEN_2020": "Eurostat env_wasgen, waste generation by NACE Rev. 2 activity, 2020",
    "MAESTRI_2018": "MAESTRI Exchanges Database (H2020 grant 680570), donor->receiver NACE statistics",
    "EUROSTAT_PRICES": "Eurostat secondary-material price indicators, 2022 and 2024",
    "ECB_2024": "ECB euro reference rate, 2024 annual average (1 EUR = 1.0824 USD)",
    "OSM_2024": "OpenStreetMap, industrial area centroids, 2024",
    "ASSUMPTION": "illustrative range for synthetic data (order of magnitude, not a measurement)",
}

#: Months as availability bits (bit m-1 = month m).
_ALL = 0xFFF
_OCT_APR = 0b111000001111  # heating season: Jan-Apr, Oct-Dec
_MAR_OCT = 0b001111111100  # growing season (CO2 dosing)
_SEP_JAN = 0b111100000001  # sugar beet campaign


@dataclass(frozen=True)
class StreamTemplate:
    """One typical stream of a sector.

    ``q_range`` is the annual quantity of one site in ``unit`` (t/yr, MWh/yr or m3/yr);
    quantities are drawn log-uniformly in it.  ``price_usd_per_t`` is a (low, high) range or
    ``None``; ``quality`` likewise.
    """

    direction: str
    material_class: str
    ewc_code: str | None
    unit: str
    q_range: tuple[float, float]
    weight: float
    materials: tuple[str, ...]
    price_usd_per_t: tuple[float, float] | None = None
    quality: tuple[float, float] | None = (0.5, 0.95)
    availability_mask: int = _ALL
    density_t_per_m3: float | None = None


@dataclass(frozen=True)
class SectorProfile:
    """A NACE Rev. 2 sector: its streams and the sources they rest on."""

    nace: str
    label: str
    templates: tuple[StreamTemplate, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Zone:
    """An industrial area: centre (WGS84), spread (km, 1 s.d.), weight, sector mix."""

    name: str
    lat: float
    lon: float
    spread_km: float
    weight: float
    sectors: dict[str, float]


S, D = "supply", "demand"
T = StreamTemplate

# Material class ids are those of symbioflows.materials.taxonomy (a test checks it).
# fmt: off
# Shared templates ---------------------------------------------------------------------------
_WATER_IN = T(D, "condensate_demin_water", None, "m3/yr", (2e5, 5e6), 1.0, ("process water", "demineralised water", "boiler feed water"), None, (0.8, 1.0), density_t_per_m3=1.0)
_COOLING_IN = T(D, "treated_wastewater", None, "m3/yr", (1e6, 2e7), 0.6, ("cooling water", "make-up water for cooling towers"), None, (0.3, 0.8), density_t_per_m3=1.0)
_STEAM_IN = T(D, "steam", None, "t/yr", (2e4, 5e5), 1.0, ("process steam", "LP steam (4 bar)", "MP steam"), (15.0, 40.0), (0.7, 1.0))
_HEAT_IN = T(D, "waste_heat_low_temp", None, "MWh/yr", (5e3, 1e5), 0.8, ("low-temperature heat", "hot water for space and process heating"), None, (0.4, 0.9))
_WASTEWATER_OUT = T(S, "nutrient_rich_water", None, "m3/yr", (1e5, 3e6), 0.6, ("process wastewater", "organic-rich effluent to treatment"), None, (0.2, 0.6), density_t_per_m3=1.0)


def _heat_out(lo: float, hi: float, w: float = 1.0, *, hot: bool = False) -> StreamTemplate:
    if hot:
        return T(S, "waste_heat_high_temp", None, "MWh/yr", (lo, hi), w, ("hot flue gas (>250 C)", "high-temperature waste heat", "kiln exhaust heat"), None, (0.4, 0.9))
    return T(S, "waste_heat_low_temp", None, "MWh/yr", (lo, hi), w, ("surplus heat", "low-grade waste heat (cooling water 30-40 C)", "residual heat from condensers"), None, (0.3, 0.8))


def _co2_out(lo: float, hi: float, w: float = 0.8, what: str = "CO2 in flue gas") -> StreamTemplate:
    return T(S, "co2_stream", None, "t/yr", (lo, hi), w, (what, "carbon dioxide"), None, (0.2, 0.99))


def _steam_out(lo: float, hi: float, w: float = 0.8) -> StreamTemplate:
    return T(S, "steam", None, "t/yr", (lo, hi), w, ("surplus steam", "excess LP steam", "steam from waste heat boiler"), None, (0.7, 1.0))


# Sector profiles ----------------------------------------------------------------------------
# Prices: disposal cost (supply) or current purchase price (demand), USD/t, drawn in the range
# and clipped at 0; ASSUMPTION unless noted.
SECTORS: dict[str, SectorProfile] = {
    p.nace: p
    for p in (
        SectorProfile("35.11", "power plant", (
            T(S, "coal_fly_ash", "10 01 02", "t/yr", (2e4, 3e5), 1.5, ("coal fly ash", "pulverised fuel ash (PFA)", "fly ash from coal-fired boiler"), (15.0, 45.0)),
            T(S, "furnace_bottom_ash", "10 01 01", "t/yr", (5e3, 6e4), 1.0, ("boiler bottom ash", "furnace bottom ash and slag")),
            T(S, "fgd_gypsum", "10 01 05", "t/yr", (3e4, 2e5), 1.2, ("FGD gypsum", "flue gas desulphurisation gypsum"), (5.0, 25.0)),
            _heat_out(1e5, 2e6, 1.2),
            _co2_out(3e5, 3e6),
            _steam_out(5e4, 5e5),
            T(D, "waste_wood", "19 12 07", "t/yr", (2e4, 3e5), 0.8, ("waste wood chips for co-firing", "biomass (B-grade wood)"), (20.0, 60.0)),
            T(D, "refuse_derived_fuel", "19 12 10", "t/yr", (1e4, 1e5), 0.5, ("refuse derived fuel (RDF)", "solid recovered fuel"), (-10.0, 20.0)),
            T(D, "lime_sludge", "02 04 02", "t/yr", (5e3, 5e4), 0.4, ("limestone sorbent for FGD", "calcium carbonate"), (20.0, 40.0)),
            T(D, "biogas_landfill_gas", None, "MWh/yr", (1e4, 2e5), 0.4, ("biogas", "biomethane"), None),
            _WATER_IN,
            _COOLING_IN,
        ), ("BREF_LCP_2017", "MAESTRI_2018", "EUROSTAT_WASGEN_2020")),
        SectorProfile("35.30", "district heating and steam supply", (
            T(D, "waste_heat_low_temp", None, "MWh/yr", (5e4, 1e6), 2.0, ("heat for the district heating network", "industrial residual heat (70-90 C)"), None, (0.5, 0.9), _OCT_APR),
            T(D, "waste_heat_high_temp", None, "MWh/yr", (2e4, 3e5), 0.8, ("high-temperature heat for steam raising",), None, (0.5, 0.9)),
            _steam_out(2e4, 2e5, 1.0),
            T(D, "clean_wood", "03 01 05", "t/yr", (1e4, 1e5), 0.7, ("biomass fuel (wood chips)", "sawdust for biomass boiler"), (20.0, 60.0)),
            T(D, "biogas_landfill_gas", None, "MWh/yr", (1e4, 1e5), 0.5, ("biogas for CHP", "landfill or digester gas"), None),
        ), ("MAESTRI_2018", "ASSUMPTION")),
        SectorProfile("24.10", "iron and steel works", (
            T(S, "blast_furnace_slag", "10 02 02", "t/yr", (2e5, 1.5e6), 2.0, ("granulated blast furnace slag (GBS)", "blast furnace slag", "unprocessed slag"), (5.0, 20.0), (0.6, 0.95)),
            T(S, "steel_slag", "10 02 01", "t/yr", (8e4, 5e5), 1.2, ("BOF steel slag", "EAF slag", "steel slag aggregate")),
            T(S, "mill_scale", "10 02 10", "t/yr", (5e3, 4e4), 0.7, ("mill scale", "iron oxide scale from rolling")),
            _heat_out(2e5, 2e6, hot=True),
            _co2_out(1e6, 5e6),
            T(D, "ferrous_scrap", "19 12 02", "t/yr", (1e5, 1e6), 1.5, ("ferrous scrap", "steel scrap (HMS 1&2)", "shredded steel scrap"), (250.0, 420.0), (0.6, 0.98)),
            _WATER_IN,
        ), ("BREF_IS_2013", "MAESTRI_2018")),
        SectorProfile("24.42", "aluminium production", (
            T(D, "aluminium_scrap", "19 12 03", "t/yr", (1e4, 1e5), 2.0, ("aluminium scrap", "non-ferrous metal scrap (Al)"), (1200.0, 1900.0)),
            _heat_out(1e4, 1e5, hot=True),
            T(S, "metal_dross_dust", "10 03 09*", "t/yr", (1e3, 1e4), 0.8, ("black dross", "salt slag from secondary aluminium")),
        ), ("EUROSTAT_WASGEN_2020", "ASSUMPTION")),
        SectorProfile("24.45", "non-ferrous metal recovery", (
            T(D, "spent_catalysts", "16 08 02*", "t/yr", (5e2, 1e4), 2.0, ("spent catalysts for metal recovery (Ni, Mo, Co, V)", "spent hydroprocessing catalyst"), (-200.0, 300.0)),
            T(D, "metal_dross_dust", "10 03 09*", "t/yr", (1e3, 1e4), 0.6, ("aluminium dross for recovery",)),
            _heat_out(5e3, 5e4, 0.5),
        ), ("BREF_REF_2015", "MAESTRI_2018")),
        SectorProfile("23.51", "cement plant", (
            T(D, "coal_fly_ash", "10 01 02", "t/yr", (2e4, 3e5), 1.5, ("fly ash for blended cement", "pozzolanic fly ash"), (0.0, 30.0)),
            T(D, "blast_furnace_slag", "10 02 02", "t/yr", (1e5, 1e6), 1.5, ("ground granulated blast furnace slag", "slag for CEM III"), (20.0, 60.0)),
            T(D, "fgd_gypsum", "10 01 05", "t/yr", (2e4, 1e5), 1.0, ("gypsum as set retarder", "synthetic gypsum"), (10.0, 35.0)),
            T(D, "refuse_derived_fuel", "19 12 10", "t/yr", (2e4, 1.5e5), 1.0, ("alternative fuel (RDF/SRF)", "waste-derived fuel"), (-20.0, 10.0)),
            T(D, "waste_oil", "13 02 08*", "t/yr", (2e3, 2e4), 0.5, ("waste oil as kiln fuel", "used lubricating oil"), (0.0, 100.0)),
            T(D, "sewage_sludge", "19 08 05", "t/yr", (5e3, 5e4), 0.5, ("dried sewage sludge as fuel",), (-40.0, 0.0)),
            T(D, "mill_scale", "10 02 10", "t/yr", (2e3, 2e4), 0.5, ("iron corrective (mill scale)", "iron oxide"), (10.0, 40.0)),
            T(D, "paper_sludge", "03 03 10", "t/yr", (5e3, 5e4), 0.4, ("paper sludge as raw material and fuel",), (-30.0, 0.0)),
            T(D, "oily_sludge", "05 01 03*", "t/yr", (1e3, 1e4), 0.3, ("oily sludge for co-processing",), (-100.0, 0.0)),
            T(D, "steel_slag", "10 02 01", "t/yr", (1e4, 1e5), 0.4, ("steel slag as raw meal component",), (2.0, 15.0)),
            T(S, "kiln_dust", "10 13 06", "t/yr", (5e3, 5e4), 0.8, ("cement kiln dust (CKD)", "bypass dust")),
            _co2_out(5e5, 2e6),
            _heat_out(5e4, 3e5, hot=True),
        ), ("BREF_CLM_2013", "MAESTRI_2018")),
        SectorProfile("23.61", "concrete products", (
            T(D, "coal_fly_ash", "10 01 02", "t/yr", (2e3, 3e4), 1.0, ("fly ash for concrete", "PFA filler"), (10.0, 40.0)),
            T(D, "blast_furnace_slag", "10 02 02", "t/yr", (5e3, 5e4), 1.0, ("GGBS for concrete",), (30.0, 70.0)),
            T(D, "concrete_rubble", "17 01 07", "t/yr", (1e4, 1e5), 1.0, ("recycled concrete aggregate", "crushed rubble"), (5.0, 15.0)),
            T(D, "incinerator_bottom_ash", "19 01 12", "t/yr", (1e4, 1e5), 0.6, ("processed incinerator bottom ash (IBA) aggregate",), (0.0, 10.0)),
            T(D, "furnace_bottom_ash", "10 01 01", "t/yr", (5e3, 5e4), 0.5, ("furnace bottom ash as lightweight aggregate",), (0.0, 15.0)),
            T(S, "concrete_rubble", "17 01 01", "t/yr", (1e3, 1e4), 0.8, ("concrete waste", "rejected precast elements")),
        ), ("BREF_CLM_2013", "MAESTRI_2018")),
        SectorProfile("23.62", "plaster products", (
            T(D, "fgd_gypsum", "10 01 05", "t/yr", (5e4, 3e5), 2.0, ("FGD gypsum for plasterboard", "synthetic gypsum"), (10.0, 35.0)),
            T(D, "plasterboard_waste", "17 08 02", "t/yr", (2e3, 2e4), 1.0, ("recycled gypsum", "plasterboard offcuts for recycling"), (5.0, 25.0)),
            T(S, "plasterboard_waste", "17 08 02", "t/yr", (1e3, 1e4), 0.6, ("plasterboard production rejects",)),
            _STEAM_IN,
        ), ("BREF_CLM_2013", "ASSUMPTION")),
        SectorProfile("23.13", "container glass", (
            T(D, "glass_cullet", "19 12 05", "t/yr", (2e4, 1.5e5), 2.0, ("glass cullet", "recycled glass"), (65 * EUR_TO_USD, 95 * EUR_TO_USD)),  # EUROSTAT_PRICES
            _heat_out(3e4, 2e5, hot=True),
            _co2_out(5e4, 2e5, 0.5),
        ), ("EUROSTAT_PRICES", "ECB_2024", "ASSUMPTION")),
        SectorProfile("19.20", "oil refinery", (
            _co2_out(3e5, 2e6, 1.2, "high-purity CO2 from hydrogen production"),
            _heat_out(2e5, 3e6, 1.2),
            T(S, "sulphur", "05 01 16", "t/yr", (2e4, 3e5), 1.0, ("recovered sulphur (Claus unit)", "liquid sulphur"), (0.0, 30.0), (0.9, 1.0)),
            T(S, "spent_catalysts", "16 08 02*", "t/yr", (5e2, 5e3), 0.8, ("spent hydrotreating catalyst", "spent FCC catalyst"), (100.0, 600.0)),
            T(S, "spent_sulphuric_acid", "06 01 01*", "t/yr", (5e3, 5e4), 0.8, ("spent sulphuric acid from alkylation", "spent acid"), (50.0, 200.0)),
            T(S, "oily_sludge", "05 01 03*", "t/yr", (1e3, 1e4), 0.6, ("tank bottom sludge", "oily sludge"), (150.0, 500.0)),
            T(D, "steam", None, "t/yr", (1e5, 1e6), 1.0, ("process steam", "HP steam"), (15.0, 40.0)),
            T(D, "hydrogen_offgas", None, "t/yr", (1e4, 1e5), 0.8, ("hydrogen for hydrotreating",), (1500.0, 3000.0)),
            _WATER_IN,
            _COOLING_IN,
        ), ("BREF_REF_2015", "MAESTRI_2018")),
        SectorProfile("20.13", "inorganic chemicals (acid, chlor-alkali)", (
            T(S, "hydrogen_offgas", None, "t/yr", (1e3, 3e4), 1.0, ("by-product hydrogen from chlor-alkali electrolysis",), None, (0.9, 1.0)),
            T(S, "spent_hydrochloric_acid", "06 01 02*", "t/yr", (5e3, 5e4), 0.8, ("by-product hydrochloric acid", "HCl 30 %"), (20.0, 100.0)),
            _heat_out(2e4, 3e5),
            T(D, "spent_sulphuric_acid", "06 01 01*", "t/yr", (1e4, 1e5), 1.2, ("spent acid for regeneration (SAR)",), (-150.0, -30.0)),
            T(D, "sulphur", "05 01 16", "t/yr", (2e4, 2e5), 1.0, ("sulphur feedstock",), (50.0, 150.0)),
            T(D, "spent_hydrochloric_acid", "11 01 05*", "t/yr", (1e3, 2e4), 0.5, ("spent pickling acid for regeneration",), (-120.0, -20.0)),
            _STEAM_IN,
            _WATER_IN,
        ), ("BREF_LVIC_2007", "BREF_CAK_2014", "MAESTRI_2018")),
        SectorProfile("20.14", "organic chemicals", (
            _heat_out(5e4, 1e6, 1.5),
            _steam_out(2e4, 3e5),
            _co2_out(5e4, 5e5, 0.6, "CO2 from ethylene oxide / process off-gas"),
            T(S, "spent_solvents", "07 01 04*", "t/yr", (5e2, 1e4), 0.8, ("spent organic solvents", "mother liquors"), (200.0, 800.0)),
            T(S, "spent_hydrochloric_acid", "06 01 02*", "t/yr", (5e3, 5e4), 0.5, ("HCl from chlorination",), (20.0, 100.0)),
            T(D, "steam", None, "t/yr", (5e4, 5e5), 1.2, ("process steam", "MP steam"), (15.0, 40.0)),
            T(D, "hydrogen_offgas", None, "t/yr", (1e3, 2e4), 0.6, ("hydrogen feedstock",), (1500.0, 3000.0)),
            T(D, "glycerol", None, "t/yr", (5e3, 5e4), 0.4, ("crude glycerine feedstock (epichlorohydrin)",), (150.0, 400.0)),
            _WATER_IN,
            _COOLING_IN,
        ), ("BREF_LVOC_2017", "MAESTRI_2018")),
        SectorProfile("20.15", "fertiliser plant", (
            _co2_out(1e5, 8e5, 1.5, "pure CO2 from ammonia synthesis"),
            _heat_out(5e4, 3e5),
            T(D, "spent_sulphuric_acid", "06 01 01*", "t/yr", (5e4, 5e5), 1.2, ("sulphuric acid for phosphate digestion (spent acid accepted)",), (30.0, 120.0)),
            _STEAM_IN,
        ), ("BREF_LVIC_2007", "MAESTRI_2018")),
        SectorProfile("20.11", "industrial gases", (
            T(D, "co2_stream", None, "t/yr", (2e4, 2e5), 2.0, ("raw CO2 for purification and liquefaction",), (10.0, 40.0)),
            _heat_out(5e3, 5e4, 0.5),
        ), ("MAESTRI_2018", "ASSUMPTION")),
        SectorProfile("20.16", "polymer production", (
            T(S, "mixed_plastics", "07 02 13", "t/yr", (5e2, 1e4), 1.2, ("off-spec polymer pellets", "polymer waste", "PE/PP granulate rejects"), (-50.0, 100.0)),
            _heat_out(3e4, 3e5),
            T(D, "steam", None, "t/yr", (5e4, 4e5), 1.0, ("process steam",), (15.0, 40.0)),
            _WATER_IN,
        ), ("BREF_LVOC_2017", "ASSUMPTION")),
        SectorProfile("20.59", "biodiesel and oleochemicals", (
            T(D, "animal_fats_uco", "20 01 25", "t/yr", (1e4, 2e5), 1.5, ("used cooking oil (UCO)", "waste edible oil"), (600.0, 1000.0)),
            T(D, "animal_fats_uco", "02 02 03", "t/yr", (1e4, 1e5), 1.0, ("category 1/2 animal fat", "rendered fat"), (500.0, 900.0)),
            T(S, "glycerol", None, "t/yr", (5e3, 5e4), 1.2, ("crude glycerine", "glycerol by-product of biodiesel"), None, (0.5, 0.85)),
            _STEAM_IN,
        ), ("BREF_WT_2018", "ASSUMPTION")),
        SectorProfile("17.12", "paper mill (recovered fibre)", (
            T(S, "paper_sludge", "03 03 05", "t/yr", (1e4, 8e4), 1.2, ("de-inking sludge", "paper sludge", "fibre rejects"), (30.0, 70.0)),
            _heat_out(5e4, 3e5),
            _WASTEWATER_OUT,
            T(D, "mixed_paper", "19 12 01", "t/yr", (1e5, 5e5), 1.5, ("recovered paper", "mixed paper"), (156 * EUR_TO_USD, 206 * EUR_TO_USD)),  # EUROSTAT_PRICES
            T(D, "cardboard", "15 01 01", "t/yr", (5e4, 3e5), 1.0, ("old corrugated containers (OCC)", "cardboard for repulping"), (156 * EUR_TO_USD, 206 * EUR_TO_USD)),  # EUROSTAT_PRICES
            T(D, "steam", None, "t/yr", (1e5, 5e5), 1.0, ("steam for paper drying",), (15.0, 40.0)),
            _WATER_IN,
        ), ("BREF_PP_2015", "MAESTRI_2018", "EUROSTAT_PRICES")),
        SectorProfile("16.10", "sawmill", (
            T(S, "clean_wood", "03 01 05", "t/yr", (5e3, 5e4), 1.5, ("sawdust and shavings", "bark and offcuts")),
            T(D, "waste_heat_low_temp", None, "MWh/yr", (5e3, 5e4), 1.0, ("heat for timber drying kilns",), None, (0.4, 0.8)),
        ), ("EUROSTAT_WASGEN_2020", "ASSUMPTION")),
        SectorProfile("16.21", "wood-based panels", (
            T(D, "waste_wood", "19 12 07", "t/yr", (5e4, 3e5), 2.0, ("recycled wood for particle board", "A-grade wood chips"), (10.0, 50.0)),
            _STEAM_IN,
            T(S, "clean_wood", "03 01 05", "t/yr", (1e3, 1e4), 0.5, ("sanding dust", "board trimmings")),
        ), ("EUROSTAT_WASGEN_2020", "ASSUMPTION")),
        SectorProfile("10.41", "vegetable oil mill", (
            T(S, "food_processing_residues", "02 03 04", "t/yr", (5e4, 5e5), 1.5, ("rapeseed meal", "oilseed press cake", "sunflower seed meal"), None, (0.7, 0.95)),
            _heat_out(2e4, 1e5, 0.6),
            _WASTEWATER_OUT,
            T(D, "steam", None, "t/yr", (5e4, 3e5), 1.0, ("steam for extraction and refining",), (15.0, 40.0)),
            _WATER_IN,
        ), ("BREF_FDM_2019", "MAESTRI_2018")),
        SectorProfile("10.81", "sugar factory", (
            T(S, "sugar_residues", "02 04 99", "t/yr", (5e4, 3e5), 1.2, ("sugar beet pulp", "pressed pulp", "molasses"), None, (0.6, 0.9), _SEP_JAN),
            T(S, "lime_sludge", "02 04 02", "t/yr", (1e4, 1e5), 1.0, ("carbonation lime", "off-specification calcium carbonate"), (0.0, 10.0), (0.6, 0.9), _SEP_JAN),
            _co2_out(2e4, 1e5, 0.5, "CO2 from lime kiln"),
            _STEAM_IN,
        ), ("BREF_FDM_2019", "MAESTRI_2018")),
        SectorProfile("10.91", "animal feed", (
            T(D, "brewers_spent_grain", "02 07 04", "t/yr", (1e4, 1e5), 1.2, ("brewers' spent grain", "wet grains for feed"), (20.0, 60.0)),
            T(D, "food_processing_residues", "02 06 01", "t/yr", (5e4, 3e5), 1.0, ("protein meal", "former foodstuffs", "bakery waste for feed"), (50.0, 400.0)),
            T(D, "sugar_residues", "02 04 99", "t/yr", (1e4, 1e5), 0.8, ("beet pulp for feed", "molasses"), (30.0, 80.0)),
            T(D, "glycerol", None, "t/yr", (1e3, 1e4), 0.4, ("glycerine as feed energy",), (150.0, 350.0)),
            T(D, "distillers_residues", "02 07 04", "t/yr", (5e2, 5e3), 0.4, ("brewers' yeast", "distillers' grains (DDGS)"), (10.0, 50.0)),
        ), ("BREF_FDM_2019", "MAESTRI_2018")),
        SectorProfile("11.05", "brewery", (
            T(S, "brewers_spent_grain", "02 07 04", "t/yr", (5e3, 8e4), 2.0, ("brewers' spent grain (BSG)", "spent grain", "draff"), (0.0, 20.0), (0.6, 0.9)),
            _co2_out(2e3, 3e4, 1.0, "fermentation CO2"),
            T(S, "distillers_residues", "02 07 04", "t/yr", (5e2, 5e3), 0.7, ("surplus brewers' yeast", "spent yeast")),
            _WASTEWATER_OUT,
            T(D, "steam", None, "t/yr", (2e4, 2e5), 1.0, ("steam for wort boiling",), (15.0, 40.0)),
            _WATER_IN,
        ), ("BREF_FDM_2019", "MAESTRI_2018")),
        SectorProfile("11.07", "soft drinks and water", (
            T(D, "co2_stream", None, "t/yr", (2e3, 2e4), 2.0, ("food-grade CO2 for carbonation",), (80.0, 200.0)),
            _WATER_IN,
            T(S, "mixed_plastics", "15 01 02", "t/yr", (1e2, 2e3), 0.8, ("PET bottle rejects", "plastic packaging waste"), (-30.0, 50.0)),
        ), ("BREF_FDM_2019", "ASSUMPTION")),
        SectorProfile("10.13", "meat processing", (
            T(S, "animal_fats_uco", "02 02 03", "t/yr", (2e3, 2e4), 1.5, ("animal fat", "rendered tallow"), (0.0, 50.0)),
            _WASTEWATER_OUT,
            _STEAM_IN,
            _WATER_IN,
        ), ("BREF_FDM_2019", "ASSUMPTION")),
        SectorProfile("10.39", "fruit and vegetable processing", (
            T(S, "food_processing_residues", "02 03 04", "t/yr", (1e3, 3e4), 1.5, ("vegetable peelings", "off-spec produce", "food processing residues"), (20.0, 80.0)),
            _WASTEWATER_OUT,
            _HEAT_IN,
            _STEAM_IN,
        ), ("BREF_FDM_2019", "MAESTRI_2018")),
        SectorProfile("01.13", "greenhouse horticulture", (
            T(D, "co2_stream", None, "t/yr", (5e2, 1e4), 2.0, ("CO2 for crop fertilisation", "CO2 dosing in greenhouses"), (30.0, 90.0), (0.9, 1.0), _MAR_OCT),
            T(D, "waste_heat_low_temp", None, "MWh/yr", (5e3, 5e4), 2.0, ("heat for greenhouses", "hot water 50-70 C"), None, (0.5, 0.9), _OCT_APR),
            T(S, "crop_residues", "02 01 03", "t/yr", (2e2, 5e3), 1.0, ("plant-tissue waste", "crop residues (tomato stems)")),
            T(D, "digestate_compost", "19 06 06", "t/yr", (5e2, 5e3), 0.5, ("digestate as fertiliser", "compost"), (0.0, 10.0)),
        ), ("MAESTRI_2018", "ASSUMPTION")),
        SectorProfile("35.21", "anaerobic digestion (biogas)", (
            T(D, "brewers_spent_grain", "02 07 04", "t/yr", (5e3, 5e4), 0.8, ("spent grain for digestion",), (-10.0, 20.0)),
            T(D, "food_waste", "20 01 08", "t/yr", (1e4, 1e5), 1.2, ("food waste", "kitchen and canteen waste"), (-60.0, -20.0)),
            T(D, "sewage_sludge", "19 08 05", "t/yr", (1e4, 1e5), 0.6, ("sewage sludge for co-digestion",), (-50.0, -10.0)),
            T(D, "crop_residues", "02 01 03", "t/yr", (5e3, 5e4), 0.8, ("crop residues", "plant-tissue waste"), (-30.0, 0.0)),
            T(D, "glycerol", None, "t/yr", (1e3, 1e4), 0.3, ("glycerine as co-substrate",), (0.0, 100.0)),
            T(S, "biogas_landfill_gas", None, "MWh/yr", (2e4, 2e5), 1.5, ("biogas", "upgraded biomethane")),
            T(S, "digestate_compost", "19 06 06", "t/yr", (1e4, 1e5), 1.0, ("digestate", "liquid digestate")),
            _co2_out(2e3, 2e4, 0.6, "CO2 from biogas upgrading"),
        ), ("BREF_WT_2018", "MAESTRI_2018")),
        SectorProfile("38.11", "waste collection", (
            T(S, "animal_fats_uco", "20 01 25", "t/yr", (1e3, 2e4), 1.0, ("used cooking oil", "edible oil and fat waste"), (0.0, 50.0)),
            T(S, "food_waste", "20 01 08", "t/yr", (5e3, 5e4), 1.0, ("biodegradable kitchen waste", "separately collected food waste"), (40.0, 100.0)),
            T(S, "mixed_paper", "20 01 01", "t/yr", (5e3, 5e4), 1.0, ("collected paper and cardboard",)),
            T(S, "glass_cullet", "20 01 02", "t/yr", (2e3, 2e4), 0.6, ("collected glass",)),
            T(S, "mixed_packaging", "15 01 06", "t/yr", (1e4, 1e5), 1.0, ("mixed packaging waste",), (60.0, 120.0)),
            T(S, "green_waste", "20 02 01", "t/yr", (2e3, 3e4), 0.8, ("garden and park waste", "green waste")),
        ), ("EUROSTAT_WASGEN_2020", "ASSUMPTION")),
        SectorProfile("38.21", "waste-to-energy and composting", (
            T(S, "incinerator_bottom_ash", "19 01 12", "t/yr", (5e4, 3e5), 1.5, ("incinerator bottom ash (IBA)", "MSWI bottom ash"), (20.0, 60.0), (0.4, 0.8)),
            T(S, "apc_residue", "19 01 07*", "t/yr", (5e3, 4e4), 0.8, ("air pollution control residues", "flue gas cleaning residues"), (100.0, 250.0)),
            T(S, "ferrous_scrap", "19 01 02", "t/yr", (5e3, 3e4), 1.0, ("ferrous metals from bottom ash",), (-20.0, 30.0), (0.4, 0.8)),
            _steam_out(1e5, 1e6, 1.2),
            _heat_out(1e5, 1e6, 1.2),
            _co2_out(3e5, 1e6, 0.6),
            T(D, "refuse_derived_fuel", "19 12 10", "t/yr", (5e4, 4e5), 1.0, ("residual waste and RDF", "combustible waste"), (-120.0, -60.0)),
            T(D, "green_waste", "20 02 01", "t/yr", (5e3, 5e4), 0.5, ("green waste for composting",), (-40.0, -10.0)),
        ), ("BREF_WI_2019", "MAESTRI_2018")),
        SectorProfile("38.22", "hazardous waste treatment", (
            T(D, "spent_solvents", "07 01 04*", "t/yr", (1e3, 2e4), 1.2, ("spent solvents for distillation",), (-300.0, -50.0)),
            T(D, "oily_sludge", "05 01 03*", "t/yr", (1e3, 2e4), 1.0, ("oily sludges",), (-400.0, -100.0)),
            T(D, "waste_oil", "13 02 08*", "t/yr", (2e3, 3e4), 1.0, ("waste oil for re-refining",), (-50.0, 50.0)),
            T(D, "apc_residue", "19 01 07*", "t/yr", (5e3, 5e4), 0.8, ("APC residues for stabilisation",), (-250.0, -100.0)),
            _steam_out(2e4, 1e5, 0.6),
        ), ("BREF_WT_2018", "BREF_WI_2019")),
        SectorProfile("38.32", "materials recovery (recycling)", (
            T(S, "ferrous_scrap", "19 12 02", "t/yr", (1e4, 2e5), 1.5, ("processed steel scrap", "shredder scrap"), None, (0.7, 0.98)),
            T(S, "mixed_plastics", "19 12 04", "t/yr", (2e3, 3e4), 1.0, ("sorted plastics", "mixed plastic bales")),
            T(S, "mixed_paper", "19 12 01", "t/yr", (5e3, 5e4), 1.0, ("sorted paper and cardboard",)),
            T(S, "refuse_derived_fuel", "19 12 10", "t/yr", (1e4, 1e5), 1.0, ("sorting residues as RDF", "SRF")),
            T(S, "waste_wood", "19 12 07", "t/yr", (5e3, 5e4), 0.8, ("recycled wood chips (A/B grade)",)),
            T(S, "glass_cullet", "19 12 05", "t/yr", (2e3, 3e4), 0.6, ("processed glass cullet",)),
            T(D, "mixed_packaging", "15 01 06", "t/yr", (1e4, 1e5), 1.0, ("mixed packaging for sorting",), (-80.0, -30.0)),
            T(D, "mixed_cd_waste", "17 09 04", "t/yr", (1e4, 1e5), 0.8, ("construction and demolition waste for sorting and crushing",), (-30.0, -5.0)),
            T(D, "mixed_plastics", "15 01 02", "t/yr", (1e3, 2e4), 0.6, ("plastic packaging waste",), (-20.0, 50.0)),
        ), ("BREF_WT_2018", "EUROSTAT_WASGEN_2020")),
        SectorProfile("46.77", "scrap wholesale", (
            T(S, "ferrous_scrap", "19 12 02", "t/yr", (1e4, 1e5), 1.2, ("steel scrap", "HMS scrap"), None, (0.6, 0.95)),
            T(S, "aluminium_scrap", "19 12 03", "t/yr", (1e3, 2e4), 0.8, ("aluminium scrap", "non-ferrous scrap")),
            T(D, "ferrous_scrap", "12 01 01", "t/yr", (2e3, 5e4), 1.0, ("turnings and swarf", "industrial steel scrap"), (150.0, 300.0)),
        ), ("EUROSTAT_WASGEN_2020", "ASSUMPTION")),
        SectorProfile("25.11", "metal structures and machining", (
            T(S, "ferrous_scrap", "12 01 01", "t/yr", (2e2, 5e3), 1.5, ("ferrous metal filings and turnings", "steel offcuts"), (-20.0, 10.0)),
            T(S, "waste_oil", "12 01 07*", "t/yr", (5e1, 5e2), 0.8, ("spent machining oil",), (100.0, 300.0)),
            T(S, "spent_hydrochloric_acid", "11 01 05*", "t/yr", (1e2, 2e3), 0.5, ("spent pickling acid", "ferrous chloride pickle liquor"), (100.0, 300.0)),
        ), ("EUROSTAT_WASGEN_2020", "ASSUMPTION")),
        SectorProfile("22.21", "plastic products", (
            T(D, "mixed_plastics", "07 02 13", "t/yr", (1e3, 2e4), 2.0, ("plastic regranulate", "recycled PE/PP"), (321 * EUR_TO_USD, 454 * EUR_TO_USD)),  # EUROSTAT_PRICES
            T(S, "mixed_plastics", "07 02 13", "t/yr", (1e2, 3e3), 1.0, ("production offcuts", "start-up scrap")),
        ), ("EUROSTAT_PRICES", "ECB_2024")),
        SectorProfile("36.00", "water supply and treatment", (
            T(S, "condensate_demin_water", None, "m3/yr", (1e6, 2e7), 2.0, ("demineralised water", "industrial water"), None, (0.8, 1.0), density_t_per_m3=1.0),
        ), ("MAESTRI_2018", "ASSUMPTION")),
        SectorProfile("37.00", "wastewater treatment", (
            T(S, "sewage_sludge", "19 08 05", "t/yr", (2e4, 1.5e5), 1.5, ("dewatered sewage sludge", "sludge cake"), (50.0, 120.0)),
            T(S, "treated_wastewater", None, "m3/yr", (5e6, 5e7), 1.0, ("treated effluent for cooling", "reclaimed water"), None, (0.3, 0.7), density_t_per_m3=1.0),
            T(S, "biogas_landfill_gas", None, "MWh/yr", (1e4, 8e4), 0.8, ("sewage gas", "digester gas")),
            T(D, "nutrient_rich_water", None, "m3/yr", (5e5, 1e7), 1.0, ("industrial wastewater for treatment",), None, None, density_t_per_m3=1.0),
        ), ("MAESTRI_2018", "ASSUMPTION")),
        SectorProfile("42.11", "road construction", (
            T(D, "incinerator_bottom_ash", "19 01 12", "t/yr", (1e4, 2e5), 1.2, ("IBA for road foundations",), (0.0, 15.0)),
            T(D, "steel_slag", "10 02 01", "t/yr", (1e4, 2e5), 1.0, ("steel slag aggregate for asphalt",), (5.0, 20.0)),
            T(D, "concrete_rubble", "17 01 07", "t/yr", (1e4, 2e5), 1.2, ("recycled aggregate (road base)",), (5.0, 15.0)),
            T(D, "kiln_dust", "10 13 06", "t/yr", (2e3, 2e4), 0.4, ("CKD for soil stabilisation",), (0.0, 15.0)),
            T(D, "asphalt_planings", "17 03 02", "t/yr", (5e3, 5e4), 0.6, ("reclaimed asphalt for hot mix",), (5.0, 20.0)),
            T(S, "asphalt_planings", "17 03 02", "t/yr", (5e3, 5e4), 1.0, ("reclaimed asphalt", "road planings")),
        ), ("MAESTRI_2018", "BREF_IS_2013", "BREF_WI_2019")),
        SectorProfile("41.20", "building construction", (
            T(S, "mixed_cd_waste", "17 09 04", "t/yr", (1e3, 3e4), 1.5, ("mixed construction and demolition waste", "rubble")),
            T(S, "waste_wood", "17 02 01", "t/yr", (5e2, 5e3), 0.8, ("demolition wood",)),
            T(S, "plasterboard_waste", "17 08 02", "t/yr", (1e2, 2e3), 0.5, ("plasterboard waste",)),
            T(S, "ferrous_scrap", "17 04 05", "t/yr", (2e2, 5e3), 0.7, ("reinforcing steel from demolition",)),
        ), ("EUROSTAT_WASGEN_2020",)),
        SectorProfile("52.10", "warehousing and cargo handling", (
            T(S, "waste_wood", "15 01 03", "t/yr", (2e2, 5e3), 1.2, ("broken wooden pallets", "wooden packaging")),
            T(S, "cardboard", "15 01 01", "t/yr", (2e2, 5e3), 1.0, ("cardboard packaging",)),
            T(S, "mixed_plastics", "15 01 02", "t/yr", (5e1, 1e3), 0.8, ("stretch film", "plastic packaging")),
            T(S, "mixed_packaging", "15 01 06", "t/yr", (1e2, 3e3), 0.6, ("mixed packaging",)),
        ), ("EUROSTAT_WASGEN_2020",)),
    )
}
# fmt: on

# Industrial zones ---------------------------------------------------------------------------
#: Centre of the default region (port of Rotterdam, between Botlek and Pernis).
REGION_CENTER = (51.90, 4.30)

#: Industrial areas of the Rijnmond / port of Rotterdam region and neighbours; centroids from
#: OSM_2024 (rounded), spreads and sector mixes are ASSUMPTION (informed by the public
#: descriptions of each area: power plants and tank storage on Maasvlakte, refineries in
#: Europoort and Pernis, chemicals in Botlek and Moerdijk, greenhouses in Westland).
ZONES: tuple[Zone, ...] = (
    Zone(
        "Maasvlakte",
        51.955,
        4.020,
        2.5,
        1.0,
        {"35.11": 4, "20.14": 2, "52.10": 4, "38.21": 1, "20.13": 1, "24.45": 1, "36.00": 1},
    ),
    Zone(
        "Europoort",
        51.945,
        4.140,
        2.5,
        1.2,
        {
            "19.20": 3,
            "20.14": 3,
            "10.41": 2,
            "52.10": 3,
            "20.11": 1,
            "38.22": 1,
            "20.59": 2,
            "37.00": 0.5,
        },
    ),
    Zone(
        "Botlek",
        51.875,
        4.290,
        2.0,
        1.5,
        {
            "20.14": 4,
            "20.13": 3,
            "20.16": 3,
            "20.11": 2,
            "20.15": 1,
            "38.21": 2,
            "38.22": 1,
            "35.30": 1,
            "36.00": 1,
            "20.59": 1,
        },
    ),
    Zone(
        "Pernis",
        51.885,
        4.385,
        1.5,
        0.6,
        {"19.20": 2, "20.14": 2, "20.11": 1, "35.11": 1, "37.00": 0.5},
    ),
    Zone(
        "Waalhaven-Eemhaven",
        51.885,
        4.440,
        2.0,
        1.2,
        {
            "52.10": 4,
            "46.77": 2,
            "38.32": 2,
            "25.11": 3,
            "22.21": 1,
            "10.13": 1,
            "41.20": 1,
            "38.11": 1,
        },
    ),
    Zone(
        "Schiedam-Vlaardingen",
        51.910,
        4.350,
        2.0,
        1.0,
        {
            "10.41": 2,
            "11.05": 2,
            "10.39": 2,
            "10.91": 2,
            "11.07": 1,
            "23.61": 1,
            "37.00": 1,
            "35.30": 1,
            "35.21": 1,
        },
    ),
    Zone("Westland", 51.990, 4.220, 4.0, 1.6, {"01.13": 12, "35.21": 1, "35.30": 1, "10.39": 1}),
    Zone(
        "Moerdijk",
        51.695,
        4.610,
        3.0,
        1.0,
        {
            "20.14": 3,
            "20.16": 1,
            "35.11": 1,
            "38.21": 1,
            "17.12": 1,
            "23.61": 1,
            "42.11": 1,
            "38.32": 1,
            "23.51": 1,
            "52.10": 2,
        },
    ),
    Zone(
        "Dordrecht-Zwijndrecht",
        51.800,
        4.660,
        3.0,
        0.9,
        {
            "20.16": 2,
            "20.13": 1,
            "24.10": 1,
            "24.42": 1,
            "23.62": 1,
            "23.51": 1,
            "23.13": 1,
            "16.21": 1,
            "16.10": 1,
            "25.11": 2,
            "10.81": 0.5,
        },
    ),
    Zone(
        "Rotterdam city",
        51.920,
        4.480,
        4.0,
        1.0,
        {
            "41.20": 3,
            "42.11": 2,
            "38.11": 2,
            "37.00": 1,
            "36.00": 1,
            "35.30": 1,
            "10.39": 1,
            "11.07": 1,
            "22.21": 1,
            "23.61": 1,
        },
    ),
)
