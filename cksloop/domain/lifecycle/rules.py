"""The lifecycle's rules: which states each action starts from, who may take it, and what it needs.

``decide`` checks an action against the garment's current snapshot and returns the ``Change`` the
ledger records; ``replay`` rebuilds a snapshot from recorded changes and refuses any chain the rules
would not have allowed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..errors import IllegalTransition, NotPermitted
from .deciders import DECIDERS, Decider
from .vocabulary import Action, Change, Context, GarmentState, Role, Snapshot


@dataclass(frozen=True)
class ActionRule:
    """One action: the states it starts from, the roles that may take it, what it needs."""

    action: Action
    from_states: frozenset[GarmentState | None]
    roles: frozenset[Role]
    to_states: frozenset[GarmentState]
    requires: tuple[str, ...]
    decide: Decider


S = GarmentState
R = Role
_ALL_STAFF = frozenset({R.STORE_STAFF, R.MERCHANDISER, R.ADMIN})
_MERCH = frozenset({R.MERCHANDISER, R.ADMIN})
_RETIRERS = frozenset({R.MERCHANDISER, R.WORKSHOP_ORGANISER, R.ADMIN})
_ON_HAND = frozenset({S.IN_STOCK, S.IN_RENTAL_POOL, S.AWAITING_INSPECTION, S.IN_CARE})


def _rule(action: Action, from_states: Iterable[GarmentState | None], roles: Iterable[Role],
          to_states: Iterable[GarmentState], requires: tuple[str, ...]) -> ActionRule:
    return ActionRule(action, frozenset(from_states), frozenset(roles), frozenset(to_states),
                      requires, DECIDERS[action])


RULES: dict[Action, ActionRule] = {r.action: r for r in [
    _rule(Action.RECEIVE, [None], _ALL_STAFF, [S.IN_STOCK], ("location", "price_cents")),
    _rule(Action.TRANSFER, [S.IN_STOCK], _ALL_STAFF, [S.IN_STOCK], ("to_location",)),
    _rule(Action.SELL, [S.IN_STOCK], _ALL_STAFF, [S.SOLD], ()),
    _rule(Action.CUSTOMER_RETURN, [S.SOLD], _ALL_STAFF, [S.IN_STOCK], ("location",)),
    _rule(Action.ADD_TO_RENTAL_POOL, [S.IN_STOCK], _ALL_STAFF, [S.IN_RENTAL_POOL], ()),
    _rule(Action.REMOVE_FROM_RENTAL_POOL, [S.IN_RENTAL_POOL], _ALL_STAFF, [S.IN_STOCK], ()),
    _rule(Action.CHECK_OUT_RENTAL, [S.IN_RENTAL_POOL], _ALL_STAFF, [S.RENTED_OUT],
          ("partner", "due_on")),
    _rule(Action.RETURN_RENTAL, [S.RENTED_OUT], _ALL_STAFF,
          [S.IN_RENTAL_POOL, S.IN_CARE, S.IN_STOCK, S.RETIRED, S.WRITTEN_OFF], ("reason", "grade")),
    _rule(Action.RECEIVE_RENTAL_RETURN, [S.RENTED_OUT], _ALL_STAFF, [S.AWAITING_INSPECTION], ()),
    _rule(Action.INSPECT, [S.AWAITING_INSPECTION], _ALL_STAFF,
          [S.IN_RENTAL_POOL, S.IN_CARE, S.IN_STOCK, S.RETIRED], ("grade",)),
    _rule(Action.START_CARE, [S.IN_STOCK, S.IN_RENTAL_POOL, S.AWAITING_INSPECTION], _ALL_STAFF,
          [S.IN_CARE], ("care_kind",)),
    _rule(Action.FINISH_CARE, [S.IN_CARE], _ALL_STAFF,
          [S.IN_RENTAL_POOL, S.IN_STOCK, S.AWAITING_INSPECTION], ("outcome",)),
    _rule(Action.MOVE_TO_OUTLET, [S.IN_STOCK], _MERCH, [S.IN_STOCK], ("to_location",)),
    _rule(Action.MARK_DOWN, [S.IN_STOCK], _MERCH, [S.IN_STOCK], ("price_cents",)),
    _rule(Action.ALLOCATE_TO_BUYER_LOT, [S.IN_STOCK], _MERCH, [S.ALLOCATED_TO_BUYER_LOT],
          ("buyer_lot",)),
    _rule(Action.RELEASE_FROM_BUYER_LOT, [S.ALLOCATED_TO_BUYER_LOT], _MERCH, [S.IN_STOCK], ()),
    _rule(Action.SHIP_TO_BUYER, [S.ALLOCATED_TO_BUYER_LOT], _MERCH, [S.SHIPPED_TO_BUYER],
          ("destination_country", "destination_use", "transport_document")),
    _rule(Action.RETIRE, [S.IN_STOCK, S.AWAITING_INSPECTION, S.IN_CARE], _RETIRERS, [S.RETIRED],
          ("route",)),
    _rule(Action.WRITE_OFF, sorted(_ON_HAND | {S.RENTED_OUT, S.ALLOCATED_TO_BUYER_LOT}), _MERCH,
          [S.WRITTEN_OFF], ("reason",)),
]}

#: a rental cycle starts with an action into "rented out", a care step with one into "in care",
#: and inspections follow a rental: a history without these actions has no life in rental
RENTAL_LIFE_ACTIONS = frozenset(action for action, rule in RULES.items()
                                if rule.to_states & {GarmentState.RENTED_OUT, GarmentState.IN_CARE})


def allowed_actions(state: GarmentState | None, role: Role | None = None) -> list[Action]:
    """The actions possible from ``state`` (for ``role`` when given), in table order."""
    return [a for a, r in RULES.items()
            if state in r.from_states and (role is None or role in r.roles)]


def may(role: Role, action: Action) -> bool:
    """Whether ``role`` may take ``action`` at all, whatever the state."""
    return role in RULES[action].roles


def decide(snapshot: Snapshot, action: Action, details: Mapping[str, Any], ctx: Context) -> Change:
    """Check ``action`` for a garment in ``snapshot`` and return the change to record.

    Raises NotPermitted (role), IllegalTransition (state, with the allowed actions) or
    InvalidDetails (field → reason). Nothing is changed: the caller records the Change.
    """
    rule = RULES[action]
    if ctx.actor_role not in rule.roles:
        raise NotPermitted(action=action.value, role=ctx.actor_role.value,
                           roles=sorted(r.value for r in rule.roles))
    if snapshot.state not in rule.from_states:
        raise IllegalTransition(action=action.value,
                                state=snapshot.state.value if snapshot.state else None,
                                allowed=[a.value for a in allowed_actions(snapshot.state, ctx.actor_role)])
    change = rule.decide(snapshot, dict(details), ctx)
    assert change.to_state in rule.to_states, (action, change.to_state)
    return change


def apply(snapshot: Snapshot, change: Change) -> Snapshot:
    """The snapshot after ``change``; refuses a change the rules could never have produced."""
    rule = RULES[change.action]
    if change.from_state != snapshot.state or snapshot.state not in rule.from_states \
            or change.to_state not in rule.to_states:
        raise IllegalTransition(action=change.action.value,
                                state=snapshot.state.value if snapshot.state else None,
                                allowed=[a.value for a in allowed_actions(snapshot.state)])
    care_return = snapshot.care_return_state
    if change.to_state is GarmentState.IN_CARE:
        raw = change.details.get("care_return_state")
        care_return = GarmentState(raw) if raw else GarmentState.IN_RENTAL_POOL
    elif snapshot.state is GarmentState.IN_CARE:
        care_return = None
    return replace(snapshot, state=change.to_state, location=change.location,
                   price_cents=change.price_cents, care_return_state=care_return)


def replay(changes: Iterable[Change]) -> Snapshot:
    """Rebuild a garment's snapshot from its ledger, oldest first."""
    snapshot = Snapshot()
    for change in changes:
        snapshot = apply(snapshot, change)
    return snapshot


def is_exit(action: Action, to_state: GarmentState) -> bool:
    """Whether an event takes its garment out of the loop unsold (retired, or written off)."""
    return to_state is GarmentState.RETIRED or action is Action.WRITE_OFF


def exit_route(details: Mapping[str, Any] | None) -> str | None:
    """Where an exit sent the garment: the retire action names its ``route``; an inspection graded
    D/E that retires it names it as ``retire_route``."""
    found = details or {}
    return found.get("route") or found.get("retire_route")
