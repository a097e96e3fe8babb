"""The garment lifecycle: its vocabulary (vocabulary.py), one decider per action (deciders.py) and the rules table (rules.py).

Every change of a garment is one of these actions. The names re-exported here are the lifecycle's
public face: ``from cksloop.domain.lifecycle import GarmentState, decide`` keeps working wherever
the names live.
"""
from __future__ import annotations

from .rules import (RENTAL_LIFE_ACTIONS, RULES, ActionRule, allowed_actions, apply, decide, exit_route, is_exit,
                    may, replay)
from .vocabulary import (FINAL_STATES, Action, CareKind, CareOutcome,
                         Change, Context, DestructionGround, GarmentState, LocationKind, Place, RetireRoute, Role,
                         Snapshot, WriteOffReason)
from .deciders import Decider

__all__ = [
    "FINAL_STATES", "RENTAL_LIFE_ACTIONS", "RULES", "Action",
    "ActionRule", "CareKind", "CareOutcome", "Change", "Context", "Decider", "DestructionGround", "GarmentState",
    "LocationKind", "Place", "RetireRoute", "Role", "Snapshot", "WriteOffReason", "allowed_actions", "apply",
    "decide", "exit_route", "is_exit", "may", "replay",
]
