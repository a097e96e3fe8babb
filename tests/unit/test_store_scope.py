"""Store scope: store staff and workshop organisers act at their own stores; the chain roles everywhere."""
from __future__ import annotations

import pytest

from cksloop.domain.errors import NotPermitted
from cksloop.domain.lifecycle import Action, Change, GarmentState, Role
from cksloop.domain.store_scope import OutOfScope, check_scope, is_in_scope

S = GarmentState
HOME, OTHER, WAREHOUSE = "ANT-MEIR", "GENT-VELD", "WH-WOMMELGEM"
MINE = frozenset({HOME})


def change(action: Action, *, to: str | None) -> Change:
    return Change(action, S.IN_STOCK, S.IN_STOCK, to, 1000, {})


# what each action does to where the garment ends up, when taken on a garment at OTHER
LEAVING = [Action.SELL, Action.ADD_TO_RENTAL_POOL, Action.START_CARE, Action.RETIRE, Action.WRITE_OFF,
           Action.MARK_DOWN, Action.INSPECT]


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
@pytest.mark.parametrize("action", LEAVING + [Action.TRANSFER])
def test_a_store_role_acts_on_a_garment_at_its_own_store(role: Role, action: Action) -> None:
    assert is_in_scope(role=role, stores=MINE, location=HOME, change=change(action, to=HOME))


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
@pytest.mark.parametrize("action", LEAVING)
def test_a_store_role_may_not_act_on_a_garment_at_another_store(role: Role, action: Action) -> None:
    with pytest.raises(OutOfScope) as refused:
        check_scope(role=role, stores=MINE, location=OTHER, change=change(action, to=OTHER))
    assert refused.value.code == "out_of_scope"
    assert refused.value.details["location"] == OTHER and OTHER in refused.value.render()
    assert isinstance(refused.value, NotPermitted)  # answered as 403


@pytest.mark.parametrize("role", [Role.STORE_STAFF, Role.WORKSHOP_ORGANISER])
@pytest.mark.parametrize("action", [Action.TRANSFER, Action.CUSTOMER_RETURN, Action.RECEIVE_RENTAL_RETURN,
                                    Action.RETURN_RENTAL])
def test_from_another_store_a_store_role_may_bring_the_garment_into_its_own(role: Role, action: Action) -> None:
    assert is_in_scope(role=role, stores=MINE, location=OTHER, change=change(action, to=HOME))


@pytest.mark.parametrize("action", [Action.TRANSFER, Action.CUSTOMER_RETURN, Action.RECEIVE_RENTAL_RETURN])
def test_bringing_a_garment_from_one_foreign_store_to_another_is_refused(action: Action) -> None:
    with pytest.raises(OutOfScope):
        check_scope(role=Role.STORE_STAFF, stores=MINE, location=OTHER, change=change(action, to=WAREHOUSE))


@pytest.mark.parametrize("role", [Role.MERCHANDISER, Role.ADMIN])
@pytest.mark.parametrize("action", LEAVING + [Action.TRANSFER])
def test_merchandisers_and_admins_act_chain_wide(role: Role, action: Action) -> None:
    assert is_in_scope(role=role, stores=frozenset(), location=OTHER, change=change(action, to=OTHER))


def test_a_store_an_admin_gave_the_clerk_counts_as_their_own() -> None:
    assert is_in_scope(role=Role.STORE_STAFF, stores=MINE | {OTHER}, location=OTHER,
                       change=change(Action.SELL, to=OTHER))
