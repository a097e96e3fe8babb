"""Demo of issue 14's compliance side: styles' CN codes and weights, a year of lawful discards with
their grounds and evidence (a small generated PDF), and — when the demo holds shipped buyer lots —
one lot proven with its documents (a lot shipped long enough ago stays overdue by its dates)."""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cksloop.db.models import BuyerLot, Style, User
from cksloop.demo.chain import DISCLOSURE_FACTS, STYLES, WAREHOUSE
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.lifecycle import Action, DestructionGround
from cksloop.services import buyer_proof, catalogue, discard_evidence, garments

#: (days before the end of last year, style index, size index, ground): twelve discards over the year
DISCARDS: list[tuple[int, int, int, DestructionGround]] = [
    (340, 0, 1, DestructionGround.DAMAGED_BEYOND_REPAIR), (310, 2, 2, DestructionGround.UNFIXABLE_DEFECTS),
    (280, 4, 1, DestructionGround.NON_COMPLIANT), (250, 7, 2, DestructionGround.DAMAGED_BEYOND_REPAIR),
    (220, 1, 0, DestructionGround.UNSUITABLE_FOR_REUSE), (190, 9, 1, DestructionGround.DAMAGED_BEYOND_REPAIR),
    (160, 3, 2, DestructionGround.DANGEROUS), (130, 5, 1, DestructionGround.UNFIXABLE_DEFECTS),
    (100, 8, 0, DestructionGround.DAMAGED_BEYOND_REPAIR), (70, 6, 3, DestructionGround.IP_INFRINGEMENT),
    (40, 7, 1, DestructionGround.NO_DONATION_RECIPIENT), (10, 0, 2, DestructionGround.DAMAGED_BEYOND_REPAIR),
]


def _pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas  # only the demo writes documents of its own

    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 770, title)
    page.setFont("Helvetica", 11)
    for index, line in enumerate(lines):
        page.drawString(72, 740 - 16 * index, line)
    page.save()
    return out.getvalue()


def upload_dir_of_app() -> str:
    """The app's upload folder inside the CLI's app context; a temporary folder elsewhere (tests)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config["UPLOAD_DIR"])
    return str(Path(tempfile.mkdtemp(prefix="cksloop-demo-uploads-")))


def ensure_disclosure_facts(session: Session) -> None:
    """Give every demo style without a CN code the one of its category."""
    for style in list(session.scalars(select(Style).where(Style.cn_code.is_(None)))):
        facts = DISCLOSURE_FACTS.get(style.category)
        if facts:
            catalogue.set_disclosure_facts(session, style_number=style.style_number, cn_code=facts[0],
                                           unit_weight_g=facts[1])


def load(session: Session, *, now: dt.datetime, actor: User, upload_dir: str | None = None) -> int:
    """Write the year of discards (and prove one shipped lot if there is one); the number of discards."""
    upload_dir = upload_dir or upload_dir_of_app()
    ensure_disclosure_facts(session)
    styles = {s.style_number: s for s in session.scalars(select(Style))}
    year_end = dt.datetime(now.year - 1, 12, 31, 15, 0, tzinfo=dt.UTC)
    evidence: dict[DestructionGround, int] = {}
    for days, style_index, size_index, ground in DISCARDS:
        at = year_end - dt.timedelta(days=days)
        if ground not in evidence:
            report = _pdf("CKS kwaliteitsrapport", [f"Ground: {ground.value}", f"Date: {at.date().isoformat()}",
                                                 "Gekeurd door het kwaliteitsteam van CKS; foto's in het dossier."])
            evidence[ground] = discard_evidence.keep(session, filename=f"quality-report-{ground.value}.pdf",
                                                     raw=report, upload_dir=upload_dir, actor=actor, now=at).id
        demo_style = STYLES[style_index]
        style = styles[demo_style.number]
        garment = catalogue.receive_garment(session, style=style, size=demo_style.sizes[size_index],
                                            location_code=WAREHOUSE, actor=actor, now=at - dt.timedelta(days=30))
        garments.act(session, code=garment.code, action=Action.RETIRE, actor=actor, now=at,
                     details={"route": "recycling", "ground": ground.value, "evidence": evidence[ground],
                              "note": "Demo: afgevoerd op grond van Gedelegeerde Verordening 2026/296."})
    _prove_one_lot(session, now=now, actor=actor, upload_dir=upload_dir)
    return len(DISCARDS)


def _prove_one_lot(session: Session, *, now: dt.datetime, actor: User, upload_dir: str) -> None:
    shipped = list(session.scalars(select(BuyerLot).where(BuyerLot.status == LotStatus.SHIPPED)
                                   .order_by(BuyerLot.shipped_on.desc(), BuyerLot.id)))
    if len(shipped) < 2:
        return  # keep a shipped lot for the proof panel; its dates make it overdue or not
    lot = shipped[0]
    lot_id, owed = lot.id, list(lot.verdict["proof_owed"])
    for kind in owed:
        buyer_proof.upload_proof(session, lot_id=lot_id, kind=kind, filename=f"{kind}.pdf",
                                 raw=_pdf(f"Lot {lot_id}: {kind}", ["Ondertekend door de koper."]),
                                 upload_dir=upload_dir, actor=actor, now=now)
    buyer_proof.accept_proof(session, lot_id=lot_id, actor=actor, now=now)
