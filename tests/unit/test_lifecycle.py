"""The garment lifecycle, pair by pair: every (state, action), every (role, action), every detail rule.

The tables below are written out by hand from issue 2 and DOMAIN.md rather than read from
``lifecycle.RULES``, so a change to the rules shows up here as a failing, reviewable difference.
"""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from cksloop.domain.errors import IllegalTransition, InvalidDetails, NotPermitted
from cksloop.domain.lifecycle import (
    RULES, Action, Context, GarmentState, LocationKind, Place, Role, Snapshot, allowed_actions, apply,
    decide, may, replay,
)

S = GarmentState
A = Action
TODAY = dt.date(2026, 11, 25)
HERE, OTHER_STORE, WAREHOUSE, OUTLET, PARTNER_PLACE = "ANT-MEIR", "GENT-VELD", "WH-WOMMELGEM", "OUTLET-W", "DRESSR"
PARTNER_ID, BUYER_LOT = 7, 3
PRICE = 12995

PLACES = {
    HERE: Place(HERE, LocationKind.STORE, "Antwerpen"),
    OTHER_STORE: Place(OTHER_STORE, LocationKind.STORE, "Gent"),
    WAREHOUSE: Place(WAREHOUSE, LocationKind.WAREHOUSE, "Wommelgem"),
    OUTLET: Place(OUTLET, LocationKind.OUTLET, "Wommelgem"),
    PARTNER_PLACE: Place(PARTNER_PLACE, LocationKind.PARTNER, "Antwerpen"),
}

ALL_STATES: list[GarmentState | None] = [None, *GarmentState]

#: from which states each action may start (issue 2: the lifecycle as an explicit state machine)
FROM_STATES: dict[Action, set[GarmentState | None]] = {
    A.RECEIVE: {None},
    A.TRANSFER: {S.IN_STOCK},
    A.SELL: {S.IN_STOCK},
    A.CUSTOMER_RETURN: {S.SOLD},
    A.ADD_TO_RENTAL_POOL: {S.IN_STOCK},
    A.REMOVE_FROM_RENTAL_POOL: {S.IN_RENTAL_POOL},
    A.CHECK_OUT_RENTAL: {S.IN_RENTAL_POOL},
    A.RETURN_RENTAL: {S.RENTED_OUT},
    A.RECEIVE_RENTAL_RETURN: {S.RENTED_OUT},
    A.INSPECT: {S.AWAITING_INSPECTION},
    A.START_CARE: {S.IN_STOCK, S.IN_RENTAL_POOL, S.AWAITING_INSPECTION},
    A.FINISH_CARE: {S.IN_CARE},
    A.MOVE_TO_OUTLET: {S.IN_STOCK},
    A.MARK_DOWN: {S.IN_STOCK},
    A.ALLOCATE_TO_BUYER_LOT: {S.IN_STOCK},
    A.RELEASE_FROM_BUYER_LOT: {S.ALLOCATED_TO_BUYER_LOT},
    A.SHIP_TO_BUYER: {S.ALLOCATED_TO_BUYER_LOT},
    A.RETIRE: {S.IN_STOCK, S.AWAITING_INSPECTION, S.IN_CARE},
    A.WRITE_OFF: {S.IN_STOCK, S.IN_RENTAL_POOL, S.RENTED_OUT, S.AWAITING_INSPECTION, S.IN_CARE,
                  S.ALLOCATED_TO_BUYER_LOT},
}

_SHOP = {Role.STORE_STAFF, Role.MERCHANDISER, Role.ADMIN}
_MERCH = {Role.MERCHANDISER, Role.ADMIN}
#: who may take each action (the workshop organiser only retires garments into offcuts)
ROLES: dict[Action, set[Role]] = {
    **{a: _SHOP for a in (A.RECEIVE, A.TRANSFER, A.SELL, A.CUSTOMER_RETURN, A.ADD_TO_RENTAL_POOL,
                          A.REMOVE_FROM_RENTAL_POOL, A.CHECK_OUT_RENTAL, A.RETURN_RENTAL,
                          A.RECEIVE_RENTAL_RETURN, A.INSPECT, A.START_CARE, A.FINISH_CARE)},
    **{a: _MERCH for a in (A.MOVE_TO_OUTLET, A.MARK_DOWN, A.ALLOCATE_TO_BUYER_LOT,
                           A.RELEASE_FROM_BUYER_LOT, A.SHIP_TO_BUYER, A.WRITE_OFF)},
    A.RETIRE: {Role.MERCHANDISER, Role.WORKSHOP_ORGANISER, Role.ADMIN},
}

#: details that make each action valid for a garment at HERE priced PRICE, and the state it leads to
VALID: dict[Action, tuple[dict[str, Any], GarmentState | None]] = {
    A.RECEIVE: ({"location": HERE, "price_cents": PRICE}, S.IN_STOCK),
    A.TRANSFER: ({"to_location": OTHER_STORE}, None),  # None: stays in the state it was in
    A.SELL: ({"receipt": "T-0001"}, S.SOLD),
    A.CUSTOMER_RETURN: ({"location": HERE}, S.IN_STOCK),
    A.ADD_TO_RENTAL_POOL: ({"partner": PARTNER_ID}, S.IN_RENTAL_POOL),
    A.REMOVE_FROM_RENTAL_POOL: ({}, S.IN_STOCK),
    A.CHECK_OUT_RENTAL: ({"partner": PARTNER_ID, "due_on": "2026-12-05"}, S.RENTED_OUT),
    A.RETURN_RENTAL: ({"reason": "end_of_rental", "grade": "A"}, S.IN_RENTAL_POOL),
    A.RECEIVE_RENTAL_RETURN: ({}, S.AWAITING_INSPECTION),
    A.INSPECT: ({"grade": "A"}, S.IN_RENTAL_POOL),
    A.START_CARE: ({"care_kind": "cleaning"}, S.IN_CARE),
    A.FINISH_CARE: ({"outcome": "done", "cost_cents": 450}, None),  # back where it came from
    A.MOVE_TO_OUTLET: ({"to_location": OUTLET, "price_cents": 7995}, S.IN_STOCK),
    A.MARK_DOWN: ({"price_cents": 9995}, S.IN_STOCK),
    A.ALLOCATE_TO_BUYER_LOT: ({"buyer_lot": BUYER_LOT}, S.ALLOCATED_TO_BUYER_LOT),
    A.RELEASE_FROM_BUYER_LOT: ({}, S.IN_STOCK),
    A.SHIP_TO_BUYER: ({"destination_country": "nl", "destination_use": "reuse",
                       "transport_document": "CMR 2026-118"}, S.SHIPPED_TO_BUYER),
    A.RETIRE: ({"route": "offcuts"}, S.RETIRED),
    A.WRITE_OFF: ({"reason": "stolen"}, S.WRITTEN_OFF),
}


def ctx(role: Role = Role.ADMIN, *, here: str | None = HERE) -> Context:
    return Context(actor_role=role, today=TODAY, here=here, places=PLACES,
                   partners=frozenset({PARTNER_ID}), buyer_lots=frozenset({BUYER_LOT}))


def snap(state: GarmentState | None, **overrides: Any) -> Snapshot:
    if state is None:
        return Snapshot()
    values: dict[str, Any] = {"state": state, "location": HERE, "price_cents": PRICE}
    if state is S.IN_CARE:
        values["care_return_state"] = S.IN_RENTAL_POOL
    values.update(overrides)
    return Snapshot(**values)


def _any_role(action: Action) -> Role:
    return sorted(ROLES[action])[0]


# --- the tables agree with the rules --------------------------------------------------------------

def test_every_action_has_a_row_in_the_test_tables():
    assert set(FROM_STATES) == set(ROLES) == set(VALID) == set(Action)


@pytest.mark.parametrize("state", ALL_STATES, ids=lambda s: s.value if s else "new")
def test_allowed_actions_list_exactly_the_actions_that_start_from_the_state(state):
    expected = {a for a, states in FROM_STATES.items() if state in states}
    assert set(allowed_actions(state)) == expected
    for role in Role:
        assert set(allowed_actions(state, role)) == {a for a in expected if role in ROLES[a]}


def test_final_states_offer_no_way_back_and_sold_only_the_customer_return():
    for state in (S.SHIPPED_TO_BUYER, S.RETIRED, S.WRITTEN_OFF):
        assert allowed_actions(state) == []
    assert allowed_actions(S.SOLD) == [A.CUSTOMER_RETURN]


def test_no_action_destroys_a_garment():
    # EU Regulation 2024/1781 Art. 25: destruction of unsold apparel is banned, so it is no action
    assert not any("destroy" in a.value for a in Action)


# --- every (state, action) pair --------------------------------------------------------------------

PAIRS = [(state, action) for state in ALL_STATES for action in Action]


@pytest.mark.parametrize(("state", "action"), PAIRS,
                         ids=[f"{s.value if s else 'new'}-{a.value}" for s, a in PAIRS])
def test_every_state_and_action_pair_is_decided_by_the_table(state, action):
    role = _any_role(action)
    details, expected_to = VALID[action]
    if state in FROM_STATES[action]:
        change = decide(snap(state), action, details, ctx(role))
        assert change.action is action
        assert change.from_state is state
        if expected_to is None:
            expected_to = S.IN_RENTAL_POOL if state is S.IN_CARE else state
        assert change.to_state is expected_to
        after = apply(snap(state), change)
        assert after.state is expected_to
    else:
        with pytest.raises(IllegalTransition) as caught:
            decide(snap(state), action, details, ctx(role))
        error = caught.value
        assert error.state == (state.value if state else None)
        assert error.action == action.value
        expected_allowed = [a.value for a, rule in RULES.items()
                            if state in FROM_STATES[a] and role in ROLES[a]]
        assert sorted(error.allowed) == sorted(expected_allowed)
        assert error.details["allowed_actions"] == error.allowed
        assert (state.value if state else "not yet received") in error.render()


# --- every (role, action) pair ---------------------------------------------------------------------

ROLE_PAIRS = list(itertools.product(Role, Action))


@pytest.mark.parametrize(("role", "action"), ROLE_PAIRS, ids=[f"{r.value}-{a.value}" for r, a in ROLE_PAIRS])
def test_every_role_and_action_pair_is_permitted_or_refused(role, action):
    state = sorted(FROM_STATES[action], key=lambda s: s.value if s else "")[0]
    details, _ = VALID[action]
    assert may(role, action) is (role in ROLES[action])
    if role in ROLES[action]:
        assert decide(snap(state), action, details, ctx(role)).action is action
    else:
        with pytest.raises(NotPermitted) as caught:
            decide(snap(state), action, details, ctx(role))
        assert caught.value.details["roles_allowed"] == sorted(r.value for r in ROLES[action])
        assert role.value in caught.value.render()


def test_role_is_checked_before_state_so_a_refusal_does_not_reveal_the_state():
    with pytest.raises(NotPermitted):
        decide(snap(S.SOLD), A.MARK_DOWN, {"price_cents": 100}, ctx(Role.STORE_STAFF))


# --- details: what each action requires -----------------------------------------------------------

def _refused(state: GarmentState | None, action: Action, details: dict[str, Any], *,
             role: Role = Role.ADMIN, here: str | None = HERE, **snap_overrides: Any) -> dict[str, str]:
    with pytest.raises(InvalidDetails) as caught:
        decide(snap(state, **snap_overrides), action, details, ctx(role, here=here))
    assert caught.value.details["fields"] == caught.value.field_errors
    return caught.value.field_errors


@pytest.mark.parametrize("action", [a for a in Action if RULES[a].requires])
def test_each_action_names_every_required_detail_when_none_is_given(action):
    state = sorted(FROM_STATES[action], key=lambda s: s.value if s else "")[0]
    errors = _refused(state, action, {}, here=None)  # nobody's home store fills a gap
    # return_rental without a reason cannot know whether a grade is needed; the reason is named
    expected = set(RULES[action].requires) - ({"grade"} if action is A.RETURN_RENTAL else set())
    assert expected <= set(errors)


def test_rental_due_date_before_the_start_is_refused():
    errors = _refused(S.IN_RENTAL_POOL, A.CHECK_OUT_RENTAL,
                      {"partner": PARTNER_ID, "due_on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert set(errors) == {"due_on"}
    assert "before the start" in errors["due_on"]


def test_rental_due_today_is_accepted_and_records_the_start():
    change = decide(snap(S.IN_RENTAL_POOL), A.CHECK_OUT_RENTAL,
                    {"partner": PARTNER_ID, "due_on": TODAY.isoformat(), "partner_reference": "DR-88"}, ctx())
    assert change.details == {"partner": PARTNER_ID, "due_on": "2026-11-25", "started_on": "2026-11-25",
                              "partner_reference": "DR-88"}


@pytest.mark.parametrize("due_on", ["tomorrow", "2026-13-01", "1999-12-31", "2101-01-01", 20261205])
def test_rental_due_date_that_is_not_a_date_in_range_is_refused(due_on):
    errors = _refused(S.IN_RENTAL_POOL, A.CHECK_OUT_RENTAL, {"partner": PARTNER_ID, "due_on": due_on})
    assert set(errors) == {"due_on"}


@pytest.mark.parametrize("partner", [999, 0, -1, "abc", True])
def test_renting_to_an_unknown_partner_is_refused(partner):
    errors = _refused(S.IN_RENTAL_POOL, A.CHECK_OUT_RENTAL, {"partner": partner, "due_on": "2026-12-01"})
    assert set(errors) == {"partner"}


@pytest.mark.parametrize("price", [PRICE, PRICE + 1, 0, -5, "cheap"])
def test_markdown_that_does_not_lower_the_price_is_refused(price):
    errors = _refused(S.IN_STOCK, A.MARK_DOWN, {"price_cents": price})
    assert set(errors) == {"price_cents"}


def test_markdown_records_the_previous_price():
    change = decide(snap(S.IN_STOCK), A.MARK_DOWN, {"price_cents": 8995}, ctx(Role.MERCHANDISER))
    assert change.price_cents == 8995
    assert change.details["previous_price_cents"] == PRICE


def test_outlet_price_above_the_current_price_is_refused():
    errors = _refused(S.IN_STOCK, A.MOVE_TO_OUTLET, {"to_location": OUTLET, "price_cents": PRICE + 100})
    assert set(errors) == {"price_cents"}


@pytest.mark.parametrize("place", [HERE, WAREHOUSE, PARTNER_PLACE, "NOWHERE"])
def test_move_to_outlet_must_name_an_outlet(place):
    errors = _refused(S.IN_STOCK, A.MOVE_TO_OUTLET, {"to_location": place})
    assert set(errors) == {"to_location"}


def test_transfer_to_where_the_garment_already_is_is_refused():
    assert set(_refused(S.IN_STOCK, A.TRANSFER, {"to_location": HERE})) == {"to_location"}


def test_transfer_to_a_rental_partner_is_refused():
    assert set(_refused(S.IN_STOCK, A.TRANSFER, {"to_location": PARTNER_PLACE})) == {"to_location"}


def test_garment_is_not_sold_from_the_warehouse():
    errors = _refused(S.IN_STOCK, A.SELL, {}, location=WAREHOUSE)
    assert set(errors) == {"location"}


def test_sale_records_the_price_paid_or_the_current_price():
    assert decide(snap(S.IN_STOCK), A.SELL, {}, ctx()).details["price_cents"] == PRICE
    assert decide(snap(S.IN_STOCK), A.SELL, {"price_cents": "9000"}, ctx()).details["price_cents"] == 9000


def test_customer_return_defaults_to_the_store_of_the_person_taking_it_back():
    change = decide(snap(S.SOLD), A.CUSTOMER_RETURN, {}, ctx(Role.STORE_STAFF, here=OTHER_STORE))
    assert change.location == OTHER_STORE
    errors = _refused(S.SOLD, A.CUSTOMER_RETURN, {"location": WAREHOUSE})
    assert set(errors) == {"location"}


def test_receiving_needs_a_stock_location_and_a_positive_price():
    errors = _refused(None, A.RECEIVE, {"location": PARTNER_PLACE, "price_cents": 0})
    assert set(errors) == {"location", "price_cents"}


def test_recycling_without_a_legal_ground_or_evidence_is_refused():
    errors = _refused(S.IN_STOCK, A.RETIRE, {"route": "recycling"})
    assert set(errors) == {"ground", "evidence"}
    assert "2024/1781" in errors["ground"]
    errors = _refused(S.IN_STOCK, A.RETIRE, {"route": "recycling", "ground": "f_damaged_beyond_repair"})
    assert set(errors) == {"evidence"}
    errors = _refused(S.IN_STOCK, A.RETIRE, {"route": "recycling", "evidence": 7})
    assert set(errors) == {"ground"}


@pytest.mark.parametrize("word", ["end_of_season", "overproduction", "End_Of_Season"])
def test_end_of_season_and_overproduction_are_not_grounds_for_recycling(word):
    errors = _refused(S.IN_STOCK, A.RETIRE, {"route": "recycling", "ground": word, "evidence": 3})
    assert set(errors) == {"ground"}
    assert "not grounds" in errors["ground"]


def test_recycling_with_a_legal_ground_and_evidence_is_recorded_with_both():
    change = decide(snap(S.IN_STOCK), A.RETIRE,
                    {"route": "recycling", "ground": "f_damaged_beyond_repair", "evidence": "12"}, ctx())
    assert change.to_state is S.RETIRED
    assert change.details == {"route": "recycling", "ground": "f_damaged_beyond_repair", "evidence": 12}


def test_retire_with_an_unknown_ground_or_route_is_refused():
    errors = _refused(S.IN_STOCK, A.RETIRE, {"route": "landfill", "ground": "end_of_season"})
    assert set(errors) == {"route", "ground"}


def test_quality_return_without_a_defect_is_refused():
    errors = _refused(S.RENTED_OUT, A.RETURN_RENTAL, {"reason": "quality_return", "grade": "B"})
    assert set(errors) == {"defects"}


def test_quality_return_with_a_defect_is_recorded_with_it():
    change = decide(snap(S.RENTED_OUT), A.RETURN_RENTAL,
                    {"reason": "quality_return", "grade": "B",
                     "defects": [{"code": "snag", "zone": "Sleeve", "severity": "2", "note": " left cuff "}]},
                    ctx())
    assert change.to_state is S.IN_CARE
    assert change.details["defects"] == [{"code": "SNAG", "zone": "sleeve", "severity": 2, "note": "left cuff"}]
    assert change.details["care_kind"] == "cleaning"


@pytest.mark.parametrize(("defects", "field"), [
    ("SNAG", "defects"),
    ([{"code": "RIP", "zone": "front", "severity": 2}], "defects.0.code"),
    ([{"code": "SNAG", "zone": "pocketbook", "severity": 2}], "defects.0.zone"),
    ([{"code": "SNAG", "zone": "front", "severity": 6}], "defects.0.severity"),
    ([{"code": "SNAG", "zone": "front", "severity": True}], "defects.0.severity"),
    (["SNAG"], "defects.0"),
    ([{"code": "SNAG", "zone": "front", "severity": 1}] * 21, "defects"),
    ([{"code": "SNAG", "zone": "front", "severity": 1, "note": "a\x00b"}], "defects.0.note"),
    ([{"code": "SNAG", "zone": "front", "severity": 1, "note": "x" * 501}], "defects.0.note"),
])
def test_malformed_defects_are_refused_with_the_field_that_is_wrong(defects, field):
    errors = _refused(S.AWAITING_INSPECTION, A.INSPECT, {"grade": "C", "defects": defects})
    assert field in errors


def test_grade_e_without_a_retire_route_is_refused():
    errors = _refused(S.AWAITING_INSPECTION, A.INSPECT, {"grade": "E"})
    assert set(errors) == {"retire_route"}


def test_grade_e_cannot_send_a_garment_to_recycling_without_the_retire_action():
    errors = _refused(S.AWAITING_INSPECTION, A.INSPECT, {"grade": "E", "retire_route": "recycling"})
    assert set(errors) == {"retire_route"}


@pytest.mark.parametrize(("grade", "extra", "to_state", "care_kind"), [
    ("A", {}, S.IN_RENTAL_POOL, None),
    ("B", {}, S.IN_CARE, "cleaning"),
    ("C", {}, S.IN_CARE, "repair"),
    ("D", {}, S.IN_STOCK, None),
    ("E", {"retire_route": "offcuts"}, S.RETIRED, None),
    ("E", {"retire_route": "remanufacturing"}, S.RETIRED, None),
])
def test_each_inspection_grade_sends_the_garment_where_domain_md_says(grade, extra, to_state, care_kind):
    for action, state, base in ((A.INSPECT, S.AWAITING_INSPECTION, {}),
                                (A.RETURN_RENTAL, S.RENTED_OUT, {"reason": "end_of_rental"})):
        change = decide(snap(state), action, {**base, "grade": grade, **extra}, ctx())
        assert change.to_state is to_state
        assert change.details.get("care_kind") == care_kind
        if to_state is S.IN_CARE:
            # after cleaning or repair it goes back to the rental pool
            after = apply(snap(state), change)
            finished = decide(after, A.FINISH_CARE, {"outcome": "done"}, ctx())
            assert finished.to_state is S.IN_RENTAL_POOL


def test_lost_rental_return_writes_the_garment_off_without_an_inspection():
    change = decide(snap(S.RENTED_OUT), A.RETURN_RENTAL, {"reason": "lost"}, ctx(Role.STORE_STAFF))
    assert change.to_state is S.WRITTEN_OFF
    assert change.details["write_off_reason"] == "lost_by_renter"
    assert "grade" not in change.details


def test_garment_on_the_inspection_table_cannot_be_lost():
    errors = _refused(S.AWAITING_INSPECTION, A.INSPECT, {"reason": "lost", "grade": "A"})
    assert set(errors) == {"reason"}


def test_rental_return_without_a_grade_is_refused():
    assert set(_refused(S.RENTED_OUT, A.RETURN_RENTAL, {"reason": "end_of_rental"})) == {"grade"}


def test_failed_repair_goes_back_to_inspection_to_be_graded_again():
    change = decide(snap(S.IN_CARE), A.FINISH_CARE, {"outcome": "failed"}, ctx())
    assert change.to_state is S.AWAITING_INSPECTION


def test_care_started_from_stock_returns_the_garment_to_stock():
    started = decide(snap(S.IN_STOCK), A.START_CARE, {"care_kind": "repair"}, ctx())
    in_care = apply(snap(S.IN_STOCK), started)
    assert in_care.care_return_state is S.IN_STOCK
    finished = decide(in_care, A.FINISH_CARE, {"outcome": "done"}, ctx())
    assert finished.to_state is S.IN_STOCK
    assert apply(in_care, finished).care_return_state is None


def test_care_cost_must_be_a_whole_non_negative_number():
    assert set(_refused(S.IN_CARE, A.FINISH_CARE, {"outcome": "done", "cost_cents": -1})) == {"cost_cents"}
    assert set(_refused(S.IN_CARE, A.FINISH_CARE, {"outcome": "done", "cost_cents": "4.50"})) == {"cost_cents"}


@pytest.mark.parametrize(("country", "use"), [("GH", "reuse"), ("NL", "landfill"), ("NL", "energy_recovery")])
def test_shipment_to_a_forbidden_destination_or_use_is_refused(country, use):
    errors = _refused(S.ALLOCATED_TO_BUYER_LOT, A.SHIP_TO_BUYER,
                      {"destination_country": country, "destination_use": use, "transport_document": "CMR 1"})
    assert set(errors) == {"destination_country"}


def test_shipment_needs_a_transport_document():
    errors = _refused(S.ALLOCATED_TO_BUYER_LOT, A.SHIP_TO_BUYER,
                      {"destination_country": "BE", "destination_use": "reuse"})
    assert set(errors) == {"transport_document"}


def test_allocation_to_a_lot_that_is_not_open_is_refused():
    assert set(_refused(S.IN_STOCK, A.ALLOCATE_TO_BUYER_LOT, {"buyer_lot": BUYER_LOT + 1})) == {"buyer_lot"}


@pytest.mark.parametrize("reason", [None, "", "misplaced"])
def test_write_off_needs_a_known_reason(reason):
    assert set(_refused(S.IN_STOCK, A.WRITE_OFF, {"reason": reason})) == {"reason"}


@pytest.mark.parametrize(("note", "ok"), [("x" * 2000, True), ("x" * 2001, False), ("bell\x07", False),
                                          ("two\nlines\tand a tab", True), (42, False)])
def test_notes_are_plain_text_of_bounded_length(note, ok):
    details = {"reason": "stolen", "note": note}
    if ok:
        assert decide(snap(S.IN_STOCK), A.WRITE_OFF, details, ctx()).details["note"] == note.strip()
    else:
        assert set(_refused(S.IN_STOCK, A.WRITE_OFF, details)) == {"note"}


def test_decide_does_not_change_the_details_it_was_given():
    details = {"reason": "end_of_rental", "grade": "E", "retire_route": "offcuts"}
    copy = dict(details)
    decide(snap(S.RENTED_OUT), A.RETURN_RENTAL, details, ctx())
    assert details == copy


# --- replay ---------------------------------------------------------------------------------------

def test_replay_of_a_full_loop_equals_the_snapshot_built_step_by_step():
    steps = [
        (A.RECEIVE, VALID[A.RECEIVE][0]), (A.ADD_TO_RENTAL_POOL, {}),
        (A.CHECK_OUT_RENTAL, VALID[A.CHECK_OUT_RENTAL][0]),
        (A.RETURN_RENTAL, {"reason": "customer_damage", "grade": "C",
                           "defects": [{"code": "TEAR", "zone": "hem", "severity": 3}]}),
        (A.FINISH_CARE, {"outcome": "failed"}), (A.INSPECT, {"grade": "D"}),
        (A.MOVE_TO_OUTLET, {"to_location": OUTLET, "price_cents": 5995}), (A.MARK_DOWN, {"price_cents": 3995}),
        (A.SELL, {}), (A.CUSTOMER_RETURN, {"location": OUTLET}),
        (A.RETIRE, {"route": "remanufacturing"}),
    ]
    current, changes = Snapshot(), []
    for action, details in steps:
        change = decide(current, action, details, ctx())
        changes.append(change)
        current = apply(current, change)
    assert current == replay(changes)
    assert current == Snapshot(state=S.RETIRED, location=OUTLET, price_cents=3995)


def test_replay_refuses_a_ledger_the_rules_would_not_have_written():
    received = decide(Snapshot(), A.RECEIVE, VALID[A.RECEIVE][0], ctx())
    sold = decide(snap(S.IN_STOCK), A.SELL, {}, ctx())
    with pytest.raises(IllegalTransition):
        replay([received, sold, sold])  # sold twice
    with pytest.raises(IllegalTransition):
        replay([sold])  # sold before it was received
