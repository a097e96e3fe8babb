"""Proof after shipping a buyer lot: what is still missing, when a lot is overdue, accepting it all.

Sources: issue 14 and DOMAIN.md §5.6. ``overdue`` is never stored: it is the shipped status read on
a date past the deadline (shipped_on + the contract's proof days), so no nightly job can forget it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from . import buyer_lots as lots
from .buyer_contracts import ProofKind
from .buyer_lots import BuyerLot, LotNotAllowedNow, LotStatus
from .errors import DomainError, InvalidDetails
from .messages import N_

PROOF_STATUSES = frozenset({LotStatus.SHIPPED, LotStatus.OVERDUE})


class ProofMissing(LotNotAllowedNow):
    """The lot cannot be proven yet: ``details["missing"]`` names the owed proof not uploaded."""

    code = "proof_missing"

    def __init__(self, lot: BuyerLot, missing: Iterable[ProofKind]):
        names = sorted(k.value for k in missing)
        DomainError.__init__(self, N_("Proof is still missing: %(missing)s. Upload it before accepting."),
                             details={"status": lot.status.value, "missing": names}, missing=", ".join(names))


def status_on(lot: BuyerLot, *, today: dt.date) -> LotStatus:
    """The lot's status as shown on ``today``: a shipped lot past its proof deadline is overdue."""
    return LotStatus.OVERDUE if lots.is_overdue(lot, today=today) else lot.status


def check_upload(lot: BuyerLot, *, kind: str | None) -> ProofKind:
    """The owed kind a proof document may be uploaded as; refuses other lots and kinds."""
    if lot.status not in PROOF_STATUSES:
        raise LotNotAllowedNow(N_("Proof is uploaded only for a shipped lot."), status=lot.status,
                               allowed_from=PROOF_STATUSES)
    try:
        found = ProofKind((kind or "").strip())
    except ValueError:
        found = None
    if found is None or found not in lot.verdict.proof_owed:
        raise InvalidDetails({"kind": N_("Choose one of the kinds of proof this lot owes.")},
                             owed=", ".join(sorted(k.value for k in lot.verdict.proof_owed)))
    return found


def accept_all(lot: BuyerLot, *, uploaded: Iterable[ProofKind]) -> lots.Step:
    """Accept the uploaded proof: the lot is proven once every owed kind is there (ProofMissing names the rest).

    Late proof still proves an overdue lot; the deadline it missed stays visible in its dates.
    """
    if lot.status not in PROOF_STATUSES:
        raise LotNotAllowedNow(N_("Proof is accepted only for a shipped lot."), status=lot.status,
                               allowed_from=PROOF_STATUSES)
    owed = lot.verdict.proof_owed
    missing = owed - frozenset(uploaded) - lot.proof_accepted
    if missing:
        raise ProofMissing(lot, missing)
    if not owed:  # a contract that owes nothing: accepting proves the lot at once
        return lots.Step(replace(lot, status=LotStatus.PROVEN))
    step = lots.Step(lot)
    for kind in sorted(owed - lot.proof_accepted):
        step = lots.accept_proof(step.lot, kind=kind)
    return step
