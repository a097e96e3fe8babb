"""What the public passport may tell: life in counts from the ledger, retirement, vocabularies, estimates."""
from __future__ import annotations

import pytest

from cksloop.domain.lifecycle import Action, GarmentState
from cksloop.domain.passport import LONGER_USE, GarmentGone, LifeCounts, check_public, count_life, recycled_percent
from cksloop.domain.vocabulary import CARE_PHRASES, CATEGORIES, CERTIFICATIONS, COLOURS, care_phrases, vocabulary_word

S = GarmentState


def events(*steps):
    return [(action, details, to_state) for action, details, to_state in steps]


def test_life_counts_rental_cycles_repairs_and_cleanings_from_the_events():
    history = events(
        (Action.RECEIVE, {}, S.IN_STOCK),
        (Action.ADD_TO_RENTAL_POOL, {}, S.IN_RENTAL_POOL),
        (Action.CHECK_OUT_RENTAL, {"partner": 1}, S.RENTED_OUT),
        (Action.RETURN_RENTAL, {"grade": "C", "care_kind": "repair"}, S.IN_CARE),
        (Action.FINISH_CARE, {"outcome": "done"}, S.IN_RENTAL_POOL),
        (Action.CHECK_OUT_RENTAL, {"partner": 1}, S.RENTED_OUT),
        (Action.RETURN_RENTAL, {"grade": "B", "care_kind": "cleaning"}, S.IN_CARE),
        (Action.FINISH_CARE, {"outcome": "done"}, S.IN_RENTAL_POOL),
        (Action.START_CARE, {"care_kind": "repair"}, S.IN_CARE),
    )
    assert count_life(history, S.IN_CARE) == LifeCounts(rental_cycles=2, repairs=2, cleanings=1,
                                                        previous_owners=0)


@pytest.mark.parametrize("sales,state,previous", [
    (0, S.IN_STOCK, 0),
    (1, S.SOLD, 0),  # the buyer is the current owner
    (2, S.SOLD, 1),
    (1, S.IN_STOCK, 1),  # sold, taken back: that buyer came before
    (3, S.IN_STOCK, 3),
])
def test_previous_owners_are_the_sales_before_the_current_one(sales, state, previous):
    history = [(Action.RECEIVE, {}, S.IN_STOCK)]
    for n in range(sales):
        history.append((Action.SELL, {"price_cents": 100}, S.SOLD))
        if n < sales - 1 or state is not S.SOLD:
            history.append((Action.CUSTOMER_RETURN, {}, S.IN_STOCK))
    assert count_life(history, state).previous_owners == previous


def test_a_new_garment_has_no_life_yet():
    assert count_life([(Action.RECEIVE, None, S.IN_STOCK)], S.IN_STOCK).is_new


@pytest.mark.parametrize("state,route,words", [
    (S.RETIRED, "offcuts", "cut into offcuts"),
    (S.RETIRED, "remanufacturing", "remanufacturing partner"),
    (S.RETIRED, "recycling", "recycling"),
    (S.RETIRED, None, "has been retired"),
    (S.WRITTEN_OFF, None, "no longer in circulation"),
])
def test_retired_and_written_off_garments_are_gone_with_their_reason(state, route, words):
    with pytest.raises(GarmentGone) as gone:
        check_public(code="CKS-00042", state=state, retire_route=route)
    assert words in str(gone.value) and "CKS-00042" in str(gone.value)
    assert gone.value.code == "gone"


@pytest.mark.parametrize("state", [s for s in GarmentState if s not in (S.RETIRED, S.WRITTEN_OFF)])
def test_every_other_state_has_a_passport(state):
    check_public(code="CKS-00042", state=state, retire_route=None)


def test_care_text_is_translated_only_when_every_phrase_is_known():
    assert care_phrases("40°C, tumble dry low, iron on medium heat.") == [
        CARE_PHRASES["40°c"], CARE_PHRASES["tumble dry low"], CARE_PHRASES["iron on medium heat"]]
    assert care_phrases("30°C  GENTLE cycle; do not tumble dry") is not None
    assert care_phrases("40°C, dry in the sun of Ostend") is None
    assert care_phrases("") is None


def test_vocabulary_words_are_found_regardless_of_case_and_free_text_is_not():
    assert vocabulary_word(COLOURS, " Navy ") == "navy"
    assert vocabulary_word(COLOURS, "ocean at dusk") is None


def test_recycled_share_counts_only_fibres_certified_as_recycled():
    materials = [("wool", 60, False, ""), ("polyester", 30, True, "recycled"), ("polyamide", 10, True, "Recycled")]
    assert recycled_percent(materials) == 40
    assert recycled_percent([("cotton", 100, True, "organic")]) == 0


def test_the_estimate_carries_its_source_and_caveat():
    assert "WRAP" in LONGER_USE.source and "2012" in LONGER_USE.source
    assert "not a measurement" in LONGER_USE.caveat and "transport" in LONGER_USE.caveat


def test_every_demo_style_speaks_the_passports_vocabularies():
    # the demo is what people try first: its passports must be translated through and through
    from cksloop.demo.chain import STYLES
    from cksloop.demo.overstock import styles_for
    from cksloop.demo.workshops import LOTS
    from cksloop.domain.fibre_names import annex_row

    for style in STYLES + styles_for("AW26"):
        assert vocabulary_word(CATEGORIES, style.category), style.category
        assert vocabulary_word(COLOURS, style.colour), style.colour
        assert care_phrases(style.care) is not None, style.care
        for fibre, _percent, _sustainable, certification in style.materials:
            assert annex_row(fibre) is not None, fibre
            # a flag is a word every language has, or a trade mark that stays as written
            assert not certification or vocabulary_word(CERTIFICATIONS, certification) or "™" in certification
    for _store, material, colour, fibres, _grams in LOTS:  # the workshops' own offcut lots
        assert annex_row(material) is not None and vocabulary_word(COLOURS, colour), (material, colour)
        assert all(annex_row(fibre) is not None for fibre, _pct in fibres)
