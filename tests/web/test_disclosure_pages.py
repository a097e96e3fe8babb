"""Pages of issue 14: the disclosure (page, CSV, drill), the proof panel, lots overdue, and the
garment page's retire form that needs a ground and evidence for recycling."""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import func, select

from cksloop.db.models import DiscardEvidence, GarmentEvent
from cksloop.domain.lifecycle import GarmentState, Role
from cksloop.services import garments
from tests.builders import make_garment
from tests.proof_files import RENAMED_HTML, pdf_bytes
from tests.services.test_disclosure import evidence_id, merch, year_of_discards  # noqa: F401  # fixtures
from tests.web.test_buyer_proof_api import _shipped_lot


def test_the_disclosure_page_shows_the_figures_linked_to_their_garments_and_says_sales_are_not_discards(
        login, year_of_discards):  # noqa: F811
    page = login(role=Role.MERCHANDISER).get("/reports/unsold-disclosure?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sales (also to bulk buyers) and donations are not discards" in html
    assert "/reports/unsold-disclosure/garments?year=2026&amp;cn_code=61" in html
    assert "1.050" in html and year_of_discards["scarf"] in html  # the style without a CN code is named


def test_the_disclosure_csv_holds_the_header_categories_and_measures(login, year_of_discards):  # noqa: F811
    response = login(role=Role.ADMIN).get("/reports/unsold-disclosure.csv?year=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Legal entity", "CKS"] and rows[2] == ["Financial year", "2026"]
    first = next(r for r in rows if r and r[0] == "61")
    assert first[:5] == ["61", "3", "1.05", "(f) damaged beyond cost-effective repair", "2"]
    assert first[5:] == ["0.0", "100.0", "0.0", "0.0", "0.0"]
    assert ["sold at the outlet", "1", "0.35"] in rows


def test_the_drill_page_lists_exactly_the_garments_behind_a_figure(login, year_of_discards):  # noqa: F811
    html = login(role=Role.MERCHANDISER).get(
        "/reports/unsold-disclosure/garments?year=2026&cn_code=61&ground=f_damaged_beyond_repair").get_data(as_text=True)
    assert "2 garments" in html
    assert sum(code in html for code in year_of_discards["dresses"]) == 2


def test_store_staff_get_403_from_the_disclosure_and_proof_pages(login, db_session, now):
    staff = login(role=Role.STORE_STAFF)
    for url in ("/reports/unsold-disclosure", "/reports/unsold-disclosure.csv", "/buyer-lots/overdue",
                "/reports/unsold-disclosure/garments?year=2026", "/buyer-lots/1/proof"):
        assert staff.get(url).status_code == 403, url
    assert staff.post("/buyer-lots/1/accept-proof").status_code == 403


def test_the_proof_panel_uploads_refuses_html_and_accepts_to_proven(login, db_session, now):
    lot_id = _shipped_lot(db_session, now, shipped_on=dt.date(2026, 9, 1))
    merch = login(role=Role.MERCHANDISER)  # noqa: F811
    overdue = merch.get("/buyer-lots/overdue").get_data(as_text=True)
    assert f"/buyer-lots/{lot_id}/proof" in overdue
    panel = merch.get(f"/buyer-lots/{lot_id}/proof").get_data(as_text=True)
    assert "Proof was due on 1 Oct 2026" in panel and "missing" in panel
    refused = merch.post(f"/buyer-lots/{lot_id}/proof", data={
        "kind": "destination_declaration", "file": (io.BytesIO(RENAMED_HTML), "proof.pdf")},
        content_type="multipart/form-data")
    assert refused.status_code == 422 and "This file is not a PDF document or a JPEG or PNG photo." in \
        refused.get_data(as_text=True)
    early = merch.post(f"/buyer-lots/{lot_id}/accept-proof")
    assert early.status_code == 409 and "Proof is still missing" in early.get_data(as_text=True)
    for kind in ("destination_declaration", "transport_document"):
        done = merch.post(f"/buyer-lots/{lot_id}/proof", data={"kind": kind, "file": (io.BytesIO(pdf_bytes(kind)),
                                                                                       f"{kind}.pdf")},
                          content_type="multipart/form-data")
        assert done.status_code == 303
    accepted = merch.post(f"/buyer-lots/{lot_id}/accept-proof", data={"next_url": "https://evil.example/"})
    assert accepted.status_code == 303 and accepted.location.endswith(f"/buyer-lots/{lot_id}/proof")
    assert "proven" in merch.get(f"/buyer-lots/{lot_id}/proof").get_data(as_text=True)
    assert f"/buyer-lots/{lot_id}/proof" not in merch.get("/buyer-lots/overdue").get_data(as_text=True)


def _retire(client, garment, data):
    return client.post(f"/garments/{garment.code}/actions/retire", content_type="multipart/form-data",
                       data={"expected_version": garment.version, "route": "recycling", **data})


def test_the_garment_page_refuses_a_discard_without_ground_or_evidence_and_writes_nothing(login, db_session):
    garment = make_garment(db_session)
    merch = login(role=Role.MERCHANDISER)  # noqa: F811
    before = db_session.scalar(select(func.count()).select_from(GarmentEvent))
    no_evidence = _retire(merch, garment, {"ground": "f_damaged_beyond_repair"})
    assert no_evidence.status_code == 422 and "Add the evidence" in no_evidence.get_data(as_text=True)
    no_ground = _retire(merch, garment, {"evidence_file": (io.BytesIO(pdf_bytes()), "report.pdf")})
    assert no_ground.status_code == 422 and "Name the ground of Delegated Regulation 2026/296" in no_ground.get_data(as_text=True)
    renamed = _retire(merch, garment, {"ground": "f_damaged_beyond_repair",
                                       "evidence_file": (io.BytesIO(RENAMED_HTML), "photo.pdf")})
    assert renamed.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(GarmentEvent)) == before
    assert db_session.scalar(select(func.count()).select_from(DiscardEvidence)) == 0
    done = _retire(merch, garment, {"ground": "f_damaged_beyond_repair",
                                    "evidence_file": (io.BytesIO(pdf_bytes("lab report")), "report.pdf")})
    assert done.status_code == 303
    db_session.rollback()  # end the test session's read snapshot: the request wrote since
    retired = garments.get_garment(db_session, garment.code)
    assert retired.state is GarmentState.RETIRED
    last = garments.events_of(db_session, retired)[-1]
    evidence = db_session.get(DiscardEvidence, last.details["evidence"])
    assert last.details["ground"] == "f_damaged_beyond_repair" and evidence.original_name == "report.pdf"
