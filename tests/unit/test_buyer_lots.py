"""Buyer lots: who may join, one open lot per garment, and draft → confirmed → shipped → proven | overdue."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cksloop.domain import buyer_lots as lots
from cksloop.domain.buyer_contracts import ProofKind, Verdict
from cksloop.domain.buyer_lots import Candidate, GarmentCannotJoin, LotNotAllowedNow, LotStatus, Shipment
from cksloop.domain.destinations import EndUse
from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import GarmentState, LocationKind

D = dt.date.fromisoformat
S = GarmentState
P = ProofKind
VERDICT = Verdict(contract_id=7, contract_version=2, is_export=False,
                  proof_owed=frozenset({P.DESTINATION_DECLARATION, P.TRANSPORT_DOCUMENT}),
                  proof_days=30, labels_removed=True)
SHIPMENT = Shipment(shipped_on=D("2026-10-01"), carrier="DHL Freight", transport_document="CMR 2026-0411",
                    gross_weight_g=412_000)


def stock(code: str, kind: LocationKind = LocationKind.OUTLET, lot: int | None = None) -> Candidate:
    return Candidate(code, S.IN_STOCK, kind, lot)


def new_lot(*codes: str) -> lots.BuyerLot:
    step = lots.draft(buyer_id=3, destination_country="nl", end_use=EndUse.REUSE,
                      planned_ship_on=D("2026-10-01"), verdict=VERDICT,
                      candidates=[stock(c) for c in codes or ("G1", "G2")])
    return dataclasses.replace(step.lot, id=11)


def shipped(lot: lots.BuyerLot | None = None) -> lots.BuyerLot:
    lot = lots.confirm(lot or new_lot()).lot
    return lots.ship(lot, shipment=SHIPMENT, today=D("2026-10-01")).lot


def test_a_new_lot_is_a_draft_holding_its_garments_to_allocate():
    step = lots.draft(buyer_id=3, destination_country="nl", end_use=EndUse.REUSE, planned_ship_on=D("2026-10-01"),
                      verdict=VERDICT, candidates=[stock("G1"), stock("G2", LocationKind.STORE),
                                                   stock("G3", LocationKind.WAREHOUSE)])
    assert step.lot.status is LotStatus.DRAFT
    assert step.lot.destination_country == "NL"
    assert step.added == step.lot.garments == {"G1", "G2", "G3"}
    assert (step.lot.verdict.contract_id, step.lot.verdict.contract_version) == (7, 2)


CANNOT_JOIN = [
    (Candidate("X", S.SOLD, LocationKind.STORE), "sold"),
    (Candidate("X", S.RENTED_OUT, LocationKind.PARTNER), "rented_out"),
    (Candidate("X", S.IN_RENTAL_POOL, LocationKind.STORE), "in_rental_pool"),
    (Candidate("X", S.ALLOCATED_TO_BUYER_LOT, LocationKind.OUTLET), "allocated_to_buyer_lot"),
    (Candidate("X", S.SHIPPED_TO_BUYER, None), "shipped_to_buyer"),
    (Candidate("X", S.RETIRED, LocationKind.WAREHOUSE), "retired"),
    (Candidate("X", None, None), None),
    (Candidate("X", S.IN_STOCK, LocationKind.PARTNER), "in_stock"),
    (Candidate("X", S.IN_STOCK, LocationKind.OUTLET, open_lot_id=99), "in_stock"),
]


@pytest.mark.parametrize(("candidate", "state"), CANNOT_JOIN, ids=[f"{c.state}-{c.location_kind}-{c.open_lot_id}"
                                                                    for c, _ in CANNOT_JOIN])
def test_a_garment_that_cannot_join_refuses_the_whole_lot_naming_it_and_its_state(candidate, state):
    with pytest.raises(GarmentCannotJoin) as refused:
        lots.draft(buyer_id=3, destination_country="NL", end_use=EndUse.REUSE, planned_ship_on=D("2026-10-01"),
                   verdict=VERDICT, candidates=[stock("G1"), candidate])
    assert refused.value.code == "garment_cannot_join"
    assert [(g["code"], g["state"]) for g in refused.value.details["garments"]] == [("X", state)]
    assert refused.value.params["garment"] == "X"


def test_every_garment_that_cannot_join_is_named_not_only_the_first():
    with pytest.raises(GarmentCannotJoin) as refused:
        lots.check_candidates([Candidate("A", S.SOLD, LocationKind.STORE), stock("B"), stock("B"),
                               Candidate("C", None, None)])
    assert [g["code"] for g in refused.value.details["garments"]] == ["A", "B", "C"]


def test_garments_change_only_while_draft_and_removals_are_released():
    step = lots.change_garments(new_lot("G1", "G2"), add=[stock("G3"), stock("G1")], remove=["G2"])
    assert step.lot.garments == {"G1", "G3"}
    assert (step.added, step.released) == ({"G3"}, {"G2"})
    with pytest.raises(LotNotAllowedNow):
        lots.change_garments(lots.confirm(step.lot).lot, add=[stock("G4")])


def test_a_garment_already_in_this_lot_may_be_offered_again_but_not_one_in_another_lot():
    lot = new_lot("G1")
    assert lots.change_garments(lot, add=[stock("G2", lot=11)]).added == {"G2"}
    with pytest.raises(GarmentCannotJoin):
        lots.change_garments(lot, add=[stock("G2", lot=12)])


def test_removing_a_garment_not_in_the_lot_is_refused():
    with pytest.raises(InvalidDetails) as refused:
        lots.change_garments(new_lot("G1"), remove=["G9"])
    assert "remove" in refused.value.field_errors


def test_an_empty_lot_cannot_be_confirmed():
    empty = lots.change_garments(new_lot("G1"), remove=["G1"]).lot
    with pytest.raises(InvalidDetails):
        lots.confirm(empty)


def test_the_whole_flow_reaches_proven_once_every_owed_document_is_accepted():
    lot = shipped()
    assert lot.status is LotStatus.SHIPPED and lot.proof_due_on == D("2026-10-31")
    lot = lots.accept_proof(lot, kind=P.TRANSPORT_DOCUMENT).lot
    assert lot.status is LotStatus.SHIPPED and lot.proof_missing == {P.DESTINATION_DECLARATION}
    lot = lots.accept_proof(lot, kind=P.DESTINATION_DECLARATION).lot
    assert lot.status is LotStatus.PROVEN and not lot.proof_missing


def test_a_lot_goes_overdue_the_day_after_its_proof_deadline_and_late_proof_still_proves_it():
    lot = shipped()
    assert not lots.is_overdue(lot, today=D("2026-10-31"))
    with pytest.raises(DomainError):
        lots.mark_overdue(lot, today=D("2026-10-31"))
    overdue = lots.mark_overdue(lot, today=D("2026-11-01")).lot
    assert overdue.status is LotStatus.OVERDUE
    assert lots.overdue_lots([lot, new_lot()], today=D("2026-11-01")) == [lot]
    for kind in VERDICT.proof_owed:
        overdue = lots.accept_proof(overdue, kind=kind).lot
    assert overdue.status is LotStatus.PROVEN


def test_proof_the_lot_does_not_owe_is_refused():
    with pytest.raises(InvalidDetails):
        lots.accept_proof(shipped(), kind=P.SORTING_RECORD)


BAD_SHIPMENTS = [
    ({"gross_weight_g": 0}, "gross_weight_kg"),
    ({"gross_weight_g": -5}, "gross_weight_kg"),
    ({"carrier": "  "}, "carrier"),
    ({"transport_document": ""}, "transport_document"),
    ({"transport_document": "x" * 121}, "transport_document"),
    ({"shipped_on": D("2026-10-02")}, "shipped_on"),
]


@pytest.mark.parametrize(("change", "field"), BAD_SHIPMENTS, ids=[f for _, f in BAD_SHIPMENTS])
def test_a_shipment_without_its_documents_or_weight_is_refused(change, field):
    confirmed = lots.confirm(new_lot()).lot
    with pytest.raises(InvalidDetails) as refused:
        lots.ship(confirmed, shipment=dataclasses.replace(SHIPMENT, **change), today=D("2026-10-01"))
    assert set(refused.value.field_errors) == {field}


def test_cancelling_a_draft_or_confirmed_lot_releases_its_garments():
    for lot in (new_lot("G1", "G2"), lots.confirm(new_lot("G1", "G2")).lot):
        step = lots.cancel(lot)
        assert step.lot.status is LotStatus.CANCELLED and not step.lot.garments
        assert step.released == {"G1", "G2"}


STEPS = {
    "change": lambda lot: lots.change_garments(lot, add=[stock("Z")]),
    "confirm": lots.confirm,
    "ship": lambda lot: lots.ship(lot, shipment=SHIPMENT, today=D("2026-12-31")),
    "accept": lambda lot: lots.accept_proof(lot, kind=P.TRANSPORT_DOCUMENT),
    "overdue": lambda lot: lots.mark_overdue(lot, today=D("2026-12-31")),
    "cancel": lots.cancel,
}
ALLOWED_FROM = {
    "change": {LotStatus.DRAFT}, "confirm": {LotStatus.DRAFT}, "ship": {LotStatus.CONFIRMED},
    "accept": {LotStatus.SHIPPED, LotStatus.OVERDUE}, "overdue": {LotStatus.SHIPPED},
    "cancel": {LotStatus.DRAFT, LotStatus.CONFIRMED},
}


@given(status=st.sampled_from(list(LotStatus)), step=st.sampled_from(sorted(STEPS)))
def test_a_step_is_possible_exactly_from_the_statuses_the_machine_allows(status, step):
    lot = dataclasses.replace(new_lot(), status=status, shipment=SHIPMENT)
    if status in ALLOWED_FROM[step]:
        assert STEPS[step](lot).lot.status in LotStatus
    else:
        with pytest.raises(LotNotAllowedNow) as refused:
            STEPS[step](lot)
        assert refused.value.details["status"] == status.value


def test_open_lots_map_each_garment_to_its_lot():
    assert lots.open_lot_by_garment({1: ["A", "B"], 2: ["C"]}) == {"A": 1, "B": 1, "C": 2}
    assert LotStatus.CONFIRMED.is_open and not LotStatus.SHIPPED.is_open


def test_scanning_a_packed_box_names_the_missing_garments_and_loudly_the_strangers():
    lot = new_lot("G1", "G2", "G3")
    check = lots.check_packing(lot, scanned=["G1", "X9", "G2", "G1"])
    assert check.packed == {"G1", "G2"} and check.missing == {"G3"}
    assert check.strangers == ("X9",) and check.repeated == ("G1",)
    assert not check.is_complete
    assert lots.check_packing(lot, scanned=["G3", "G2", "G1"]).is_complete
