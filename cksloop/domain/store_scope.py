"""Store scope: who may act on a garment where (issue 12 §4.2).

Store staff and workshop organisers act on garments at their own stores (their home location
and the stores an admin gave them). From another store they may only do what brings the garment
into theirs: receive a transfer addressed to them, take back a customer return, receive a rental
return (or receive a new garment into their stock). Merchandisers and admins act chain-wide.
"""
from __future__ import annotations

from collections.abc import Collection

from .errors import NotPermitted
from .lifecycle import Action, Change, Role
from .messages import N_

#: the roles bound to their own stores
SCOPED_ROLES = frozenset({Role.STORE_STAFF, Role.WORKSHOP_ORGANISER})

#: the actions that can bring a garment into the actor's store from elsewhere
INBOUND_ACTIONS = frozenset({Action.RECEIVE, Action.TRANSFER, Action.CUSTOMER_RETURN,
                             Action.RECEIVE_RENTAL_RETURN, Action.RETURN_RENTAL})


class OutOfScope(NotPermitted):
    """The garment is at a store the actor does not work at (403, naming its location)."""

    code = "out_of_scope"

    def __init__(self, *, location: str | None, stores: Collection[str]):
        # NotPermitted's own words are about roles; a scope refusal names the place instead
        Exception.__init__(self)
        self.message = N_("This garment is at %(location)s, which is not one of your stores: from "
                          "there you may only bring it into your store.")
        self.params = {"location": location or "-"}
        self.details = {"location": location, "your_stores": sorted(stores)}
        self.args = (self.render(),)


def is_in_scope(*, role: Role, stores: Collection[str], location: str | None, change: Change) -> bool:
    """Whether ``role`` working at ``stores`` may make ``change`` to a garment now at ``location``."""
    if role not in SCOPED_ROLES or (location is not None and location in stores):
        return True
    return change.action in INBOUND_ACTIONS and change.location is not None and change.location in stores


def check_scope(*, role: Role, stores: Collection[str], location: str | None, change: Change) -> None:
    """Raise OutOfScope unless ``is_in_scope``."""
    if not is_in_scope(role=role, stores=stores, location=location, change=change):
        raise OutOfScope(location=location, stores=stores)
