"""The garment lifecycle: its vocabulary (vocabulary.py), one decider per action (deciders.py) and the rules table (rules.py).

Every change of a garment is one of these actions. The names re-exported here are the lifecycle's
public face: ``from cksloop.domain.lifecycle import GarmentState, decide`` keeps working wherever
the names live.
"""
from __future__ import annotations

from .rules import RENTAL_LIFE_ACTIONS, RULES, ActionRule, allowed_actions, apply, decide, may, replay
from .vocabulary import (ACTION_LABELS, FINAL_STATES, ROLE_LABELS, STATE_LABELS, Action, CareKind, CareOutcome,
                         Change, Context, DestructionGround, GarmentState, LocationKind, Place, RetireRoute, Role,
                         Snapshot, WriteOffReason)
from .deciders import Decider

__all__ = [
    "ACTION_LABELS", "FINAL_STATES", "RENTAL_LIFE_ACTIONS", "ROLE_LABELS", "RULES", "STATE_LABELS", "Action",
    "ActionRule", "CareKind", "CareOutcome", "Change", "Context", "Decider", "DestructionGround", "GarmentState",
    "LocationKind", "Place", "RetireRoute", "Role", "Snapshot", "WriteOffReason", "allowed_actions", "apply",
    "decide", "may", "replay",
]
