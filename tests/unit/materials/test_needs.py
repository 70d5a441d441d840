"""The demand side: needs, their classifier, sector suggestions and the fit between groups."""

from __future__ import annotations

import numpy as np
import pytest

from symbioflows.errors import InvalidInputError
from symbioflows.materials import load_taxonomy
from symbioflows.materials.infer import (
    classify_supplies,
    group_fit_matrix,
    infer_stream_classes,
)
from symbioflows.materials.needs import NeedClassifier, classify_needs, load_needs, suggest_needs

# the demands of issue 16 that were read as wastes before, with the need they ask for
ISSUE_NEEDS = [
    ("animal feed for dairy cows", "animal_feed"),
    ("cattle feed", "animal_feed"),
    ("phosphate fertiliser for arable land", "phosphate_fertiliser"),
    ("supplementary cementitious material for ready-mix concrete", "portland_cement"),
    ("raw gypsum for wallboard production", "natural_gypsum"),
    ("natural gas replacement for boilers", "natural_gas"),
]


@pytest.fixture(scope="module")
def clf() -> NeedClassifier:
    return NeedClassifier(backend="hashing")


def test_needs_data_is_consistent():
    tax = load_taxonomy()
    needs = load_needs()
    assert len({n.id for n in needs}) == len(needs) >= 50
    virgin = set(tax.virgin_materials)
    assert virgin <= {n.id for n in needs}  # every virgin input of the taxonomy is a need
    for n in needs:
        assert n.phrases and all(c in tax for c in n.served_by)
        assert {"served_by", "users", "cpa"} <= set(n.facts)


@pytest.mark.parametrize(("text", "need"), ISSUE_NEEDS)
def test_issue_needs_are_understood(clf, text, need):
    assert clf.predict([text], k=1)[0][0].need == need


def test_supply_fit_serves_the_right_classes(clf):
    ids = clf.taxonomy.ids
    fit = clf.supply_fit(["cattle feed", "ground granulated blast furnace slag for cement"])
    assert fit[0, ids.index("brewers_spent_grain")] == pytest.approx(1.0, abs=1e-3)
    assert fit[0, ids.index("coal_fly_ash")] == 0.0
    assert ids[int(fit[1].argmax())] == "blast_furnace_slag"
    assert fit.shape == (2, len(ids)) and (fit >= 0).all() and (fit <= 1).all()


def test_classify_needs_refuses_non_text():
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        classify_needs(["feed", None], backend="hashing")
    with pytest.raises(InvalidInputError, match="k must"):
        classify_needs(["feed"], k=0, backend="hashing")


def test_suggest_needs_by_sector():
    got = suggest_needs("01.41", k=3)
    assert got and all(s.suggested for s in got)
    assert "animal_feed" in [s.need for s in got]
    assert suggest_needs("2351", k=10)[0].confidence == 1.0
    with pytest.raises(InvalidInputError, match="NACE"):
        suggest_needs("not a sector")


def test_classify_supplies_dedupes_and_keeps_order():
    r = classify_supplies(["fly ash", "spent grain", "Fly-ash", ""], backend="hashing")
    assert r.ids[0, 0] == r.ids[2, 0] == "coal_fly_ash"
    assert r.ids[1, 0] == "brewers_spent_grain"
    assert r.ids[3, 0] == "" and r.probs[3].sum() == 0


def test_given_class_wins_and_sources_are_reported():
    t = infer_stream_classes(
        ["granulated blast furnace slag", "spent grain", "cattle feed", ""],
        ["supply", "supply", "demand", "supply"],
        ["coal_fly_ash", None, None, None],
        ewc_class=[None, "food_processing_residues", None, None],
        backend="hashing",
    )
    assert t["class_source"].tolist() == ["given", "ewc", "inferred", "none"]
    assert t["material_class"].tolist()[:2] == ["coal_fly_ash", "food_processing_residues"]
    assert t["need"][2] == "animal_feed" and t["group_key"][2].startswith("need:animal_feed")
    assert t["group_key"][:2].isna().all()


def test_a_runner_up_class_still_opens_the_candidate():
    # top-1 is wrong (manure), the runner-up (spent grain) serves the need: the pair stays
    # compatible at the threshold instead of vanishing
    keys = [
        "mix:manure=0.90,brewers_spent_grain=0.10",
        "need:animal_feed=1.00",
        "class:manure",
        "need:portland_cement=1.00",
    ]
    m = group_fit_matrix(keys, 0.25)
    assert m[0, 1] >= 0.25
    assert m[0, 3] == 0.0 and m[2, 3] == 0.0
    # given classes keep the taxonomy's substitution score
    m2 = group_fit_matrix(["class:coal_fly_ash", "class:blast_furnace_slag"], 0.25)
    assert m2[0, 1] == pytest.approx(
        float(load_taxonomy().score("coal_fly_ash", "blast_furnace_slag"))
    )
    assert np.allclose(np.diag(m2), 1.0)


def test_a_demand_without_text_gets_its_sectors_suggested_needs():
    from symbioflows.materials.infer import sector_fit

    t = infer_stream_classes(
        ["", "cement production"],
        ["demand", "demand"],
        [None, None],
        sector=["23.51", "2351"],
        backend="hashing",
    )
    assert t["class_source"].tolist() == ["suggested", "inferred"]
    assert t["group_key"][0] == "need:|sector=23.51"
    assert t["group_key"][1].endswith("|sector=23.51")
    tax = load_taxonomy()
    f = sector_fit("23.51")
    assert f[tax.index_of("coal_fly_ash")] == 1.0 and f[tax.index_of("pet_plastic")] == 0.0
    m = group_fit_matrix(["class:coal_fly_ash", "need:|sector=23.51"], 0.25)
    assert m[0, 1] == pytest.approx(0.8)  # a sector guess counts less than a written need


def test_utilities_are_usual_inputs_of_whole_divisions():
    """Steam, heat, water and fuel gas are inputs of most companies of a division (Eurostat
    energy and water statistics), not of a few NACE classes: a pharmaceutical plant (21.10) or a
    steelworks (24.10) written only as its business can take surplus steam, at half weight."""
    from symbioflows.materials.infer import sector_fit

    needs = {n.id: n for n in load_needs()}
    steam = needs["gas_steam"]
    assert "21" in steam.user_divisions and "21.20" not in steam.users
    assert steam.user_weight("21.20") == 0.5 and steam.user_weight("17.12") == 1.0
    assert steam.user_weight("47.11") == 0.0 and steam.user_weight("") == 0.0
    assert "user_divisions" in steam.facts  # every division list names its source
    assert ("gas_steam", 0.5) in [(s.need, s.confidence) for s in suggest_needs("21.20", k=20)]
    tax = load_taxonomy()
    assert sector_fit("21.20")[tax.index_of("steam")] == 0.5
    assert sector_fit("47.11")[tax.index_of("steam")] == 0.0  # retail does not buy steam
    m = group_fit_matrix(["class:steam", "need:|sector=21.20"], 0.25)
    assert m[0, 1] == pytest.approx(0.4)  # 0.8 (a sector guess) x 0.5 (a division user)


def test_a_nace_group_or_division_is_read_as_such_not_as_another_class():
    """'17.1' is the pulp-and-paper group, not class 01.71 (which a digits-only reading made
    of it), and a bare division '17' is kept: both count as division users."""
    t = infer_stream_classes(["paper mill", "paper mill", "paper mill"],
                             ["demand"] * 3, [None] * 3, sector=["17.1", "17", "C17.12"],
                             backend="hashing")
    assert [k.rpartition("|sector=")[2] for k in t["group_key"]] == ["17.1", "17", "17.12"]
    steam = {n.id: n for n in load_needs()}["gas_steam"]
    assert steam.user_weight("17.1") == 0.5 and steam.user_weight("17") == 0.5


def test_a_product_of_the_companys_own_sector_is_its_output_not_its_input():
    """A business text that names what its own NACE class makes ("ready-mixed concrete" from a
    23.63 company) describes the company's output: the demand also accepts its sector's usual
    inputs (blast-furnace slag for a concrete plant).  The same product named by a company of
    another sector is what it needs, taken at its word."""
    t = infer_stream_classes(["ready-mixed concrete", "ready-mixed concrete"],
                             ["demand", "demand"], [None, None], sector=["23.63", "41.20"],
                             backend="hashing")
    assert t["need"].tolist() == ["concrete", "concrete"]
    assert t["group_key"][0].endswith("|sector=23.63")
    assert "|sector=" not in t["group_key"][1]
    tax = load_taxonomy()
    keys = ["class:" + c.id for c in tax.classes]
    m = group_fit_matrix([*keys, t["group_key"][0], t["group_key"][1]], 0.25)
    own, other = m[: len(keys), len(keys)], m[: len(keys), len(keys) + 1]
    assert (own >= other).all()  # the sector's inputs are added, the named need kept
    assert own[tax.index_of("coal_fly_ash")] >= 0.8  # a concrete plant's usual input
    assert (own > other).sum() > 10


def test_a_demand_that_asks_for_something_is_taken_at_its_word():
    """A text that asks for a named input, with a request word or a use after it, is a product
    request: a cement works' "clinker substitute" is not its own output, and neither it nor
    "alternative fuels for the kiln" takes the sector's other usual inputs (fly ash is not a
    fuel); a business name with a request word ("recycled paper mill") is still a business."""
    texts = ["clinker substitute", "alternative fuels for the kiln", "cement production",
             "Recycled paper mill"]
    t = infer_stream_classes(texts, ["demand"] * 4, [None] * 4,
                             sector=["23.51", "23.51", "23.51", "17.12"], backend="hashing")
    assert t["need"].tolist()[0] == "portland_cement"
    assert ["|sector=" in k for k in t["group_key"]] == [False, False, True, True]
    fit = group_fit_matrix(["class:coal_fly_ash", *t["group_key"]], 0.25)[0, 1:]
    assert fit[0] == pytest.approx(1.0) and fit[1] == 0.0 and fit[2] >= 0.8


@pytest.mark.parametrize("backend", ["hashing", "sentence"])
def test_a_demand_that_names_a_secondary_material_asks_for_it(backend):
    """"steel scrap" from a steelworks names a secondary class that serves its need: an input,
    not the works' output, so it does not also take every usual input of steelmaking (spent
    pot lining, tyres, foundry sand); "ready-mixed concrete" from a concrete plant, which the
    hashing encoder reads as concrete rubble (that does not serve concrete), is still the
    plant's product; a phrase holding a request word matches ("alternative fuel")."""
    t = infer_stream_classes(["steel scrap", "ready-mixed concrete"], ["demand"] * 2,
                             [None] * 2, sector=["24.10", "23.63"], backend=backend)
    assert t["need"].tolist() == ["primary_steel", "concrete"]
    assert ["|sector=" in k for k in t["group_key"]] == [False, True]
    top = [p[0].need for p in classify_needs(["alternative fuel for our kiln", "GGBS"],
                                             backend=backend)]
    assert top == ["coal", "portland_cement"]


def test_a_listed_head_names_each_material_it_lists(clf):
    # "gypsum, fly ash or slag" names gypsum and fly ash (each part clears the stricter bar);
    # a part that scores high for a class it does not name ("fertiliser" -> agrochemical
    # residues) stays below it, and the words after "from" are the inputs
    named, whole = clf._named_classes([
        "gypsum, fly ash or slag",
        "soil quality improvement and fertiliser",
        "bricks from clay and fly ash",
        "",
    ])
    ids = clf.taxonomy.ids
    got = [sorted(ids[j] for j in np.flatnonzero(r)) for r in named]
    assert got == [["chemical_gypsum", "coal_fly_ash"], [], ["coal_fly_ash"], []]
    # only the whole head decides whether the text names a product
    assert whole.tolist() == [True, False, True, False]


def test_supply_fit_takes_every_named_class(clf):
    ids = clf.taxonomy.ids
    one = clf.supply_fit(["fly ash"])[0]
    two = clf.supply_fit(["gypsum, fly ash or slag"])[0]
    sub = np.asarray(clf.taxonomy.substitution_matrix())
    for c in ("coal_fly_ash", "chemical_gypsum"):
        col = sub[:, ids.index(c)]
        assert (two >= np.clip(col, 0, 1) - 1e-12).all(), c
    assert two[ids.index("fgd_gypsum")] > one[ids.index("fgd_gypsum")]


def test_a_group_key_with_several_named_classes_fits_each():
    tax = load_taxonomy()
    m = group_fit_matrix(["class:waste_wood", "class:mixed_plastics",
                          "need:virgin_plastics=1.00|named=mixed_plastics+waste_wood",
                          "need:virgin_plastics=1.00|named=mixed_plastics"], 0.25)
    assert m[0, 2] == pytest.approx(1.0) and m[1, 2] == pytest.approx(1.0)
    assert m[0, 3] < 0.25  # before: wood had no fit to a plastics-and-wood recycler
    assert tax.index_of("waste_wood") >= 0


def test_digestible_residues_serve_a_biogas_plant():
    # anaerobic digestion: spent grain and stillage replace natural gas (MWh per t of fresh
    # mass, each with its own source), beside their feed use; they serve the digester's need
    # (its feedstock), not a boiler's natural gas
    tax = load_taxonomy()
    needs = {n.id: n for n in load_needs()}
    for cid, ratio, src in (("brewers_spent_grain", 0.70, "FNR10"),
                            ("distillers_residues", 0.19, "HAERD04")):
        c = tax[cid]
        assert c.substitutes[0].virgin == "animal_feed"  # impact and price still read feed
        gas = [s for s in c.substitutes if s.virgin == "natural_gas"]
        assert gas and gas[0].ratio == pytest.approx(ratio)
        assert c.facts["substitute_natural_gas"]["source"] == src
        assert src in tax.sources
        assert cid not in needs["natural_gas"].served_by
        assert needs["digester_feedstock"].served_by[cid] >= 0.8
    assert set(needs["natural_gas"].served_by) == {"biogas_landfill_gas", "industrial_process_gas"}
    for cid in ("manure", "food_waste"):
        assert needs["digester_feedstock"].served_by[cid] == pytest.approx(1.0)
    feed = needs["digester_feedstock"]
    assert feed.facts["virgin_price_usd_per_unit"]["source"] == "BJ17"
    assert feed.facts["virgin_ef_kg_co2e_per_unit"]["source"] == "MSGHG"


@pytest.mark.parametrize("backend", ["hashing", "sentence"])
def test_a_digester_asks_for_feedstock_and_a_boiler_for_gas(backend):
    texts = ["feedstock for our anaerobic digester", "substrate for our biogas plant",
             "natural gas replacement for boilers"]
    top = [p[0].need for p in classify_needs(texts, backend=backend)]
    assert top == ["digester_feedstock", "digester_feedstock", "natural_gas"]


def test_the_plan_reads_the_list_marks_of_a_need():
    # each distinct normalised text is classified once, from its first raw wording, so the
    # commas that normalisation drops still split "gypsum, fly ash or slag"; a wording that
    # normalises to nothing stays unclassified
    from symbioflows.materials.infer import classify_needs_table, named_in_key

    r = classify_needs_table(["---", "gypsum, fly ash or slag", "Gypsum fly-ash or slag"],
                             backend="hashing")
    assert r.ids[0, 0] == "" and r.named[0] == ""
    assert sorted(r.named[1].split("+")) == ["chemical_gypsum", "coal_fly_ash"]
    assert r.named[2] == r.named[1]  # same normalised text, read once
    assert named_in_key(f"need:natural_gypsum=0.70|named={r.named[1]}|sector=23.51") == \
        r.named[1].split("+")


@pytest.mark.parametrize("backend", ["hashing", "sentence"])
def test_a_business_is_read_from_what_it_consumes_not_from_a_word_of_its_name(backend):
    # "pet food" is feed, not PET resin; a biogas plant takes feedstock, though "biogas" is a
    # phrase of natural gas: a text that is only a business and is one of a need's uses counts
    # that use with its coverage; a need written as such still reads as before
    texts = ["Pet food manufacturer", "Biogas plant", "Sawmill", "biogas for our boilers",
             "PET flakes for bottle production"]
    top = [p[0].need for p in classify_needs(texts, backend=backend)]
    assert top == ["animal_feed", "digester_feedstock", "virgin_wood", "natural_gas", "virgin_pet"]
    if backend == "sentence":  # a town heats homes (the hashing encoder has no word for it)
        assert "gas_heat" in [p.need for p in classify_needs(["Municipality"], backend=backend)[0]]


def test_recovered_paper_serves_cellulose_insulation(clf):
    # cellulose insulation is about 80 % post-consumer paper (CIMA): mixed paper replaces
    # mineral wool at 0.4 t per t (an estimate with its own source), a further listed use
    tax = load_taxonomy()
    sub = [s for s in tax["mixed_paper"].substitutes if s.virgin == "mineral_wool"]
    assert sub and sub[0].ratio == pytest.approx(0.4)
    assert tax["mixed_paper"].facts["substitute_mineral_wool"]["source"] == "CIMA"
    assert "CIMA" in tax.sources
    ids = clf.taxonomy.ids
    fit = clf.supply_fit(["cellulose insulation production"])
    assert fit[0, ids.index("mixed_paper")] == pytest.approx(0.8, abs=1e-3)


@pytest.mark.parametrize("backend", ["hashing", "sentence"])
def test_pet_food_is_an_animal_by_product_not_pet_plastic(backend):
    # as a supply, expired pet food is a category 3 animal by-product; PET stays PET
    from symbioflows.materials import classify_material

    got = [r[0].material_class for r in classify_material(
        ["expired pet food", "PET bottles", "PET flakes"], k=1, backend=backend)]
    assert got == ["animal_by_products", "pet_plastic", "pet_plastic"]


@pytest.mark.parametrize("backend", ["hashing", "sentence"])
def test_biomass_for_the_digesters_and_fats_for_biodiesel(backend):
    """"biomass for the digesters" asks for digester feedstock, not wood fuel, and names no
    ash; a biodiesel plant's "fats and oils feedstock" is a liquid-fuel input."""
    from symbioflows.materials import NeedClassifier, sentence_model_available
    from symbioflows.materials.infer import classify_needs_table

    if backend == "sentence" and not sentence_model_available():
        pytest.skip("sentence model not installed")
    top = [r[0].need for r in NeedClassifier(backend=backend).predict(
        ["biomass for the digesters", "fats and oils feedstock"], k=1)]
    assert top == ["digester_feedstock", "fuel_oil"]
    assert "biomass_ash" not in list(classify_needs_table(["biomass for the digesters"],
                                                         backend=backend).named)
