"""Codes as people type or scanners send them are read by one parser wherever codes are entered."""
from __future__ import annotations

import html

import pytest

from cksloop.domain.lifecycle import Role
from tests.builders import make_garment


@pytest.fixture
def dress(db_session, world):
    return make_garment(db_session, style=world["dress"], size="M")  # size M has GTIN 5400000001024


def _typed_forms(code: str) -> list[str]:
    number = int(code.removeprefix("CKS-"))
    return [f"CKS-{number}", f"{number:05d}", code.lower(), f"(01)05400000001024(21){code}"]


def test_the_print_page_reads_codes_as_people_type_them_and_says_so(login, dress) -> None:
    clerk = login(Role.STORE_STAFF)
    typed = _typed_forms(dress.code)
    page = html.unescape(clerk.get("/labels/print", query_string={"codes": "\n".join(typed)})
                         .get_data(as_text=True))
    assert 'class="field-error"' not in page  # nothing refused
    assert f"1 label</strong>:\n    {dress.code}" in page  # four ways of writing one garment: one label
    for form in typed:
        assert f"{form} read as {dress.code}" in page


def test_the_print_page_prints_a_code_typed_short(login, dress) -> None:
    clerk = login(Role.STORE_STAFF)
    number = int(dress.code.removeprefix("CKS-"))
    response = clerk.post("/labels/print", data={"codes": f"CKS-{number}", "format": "zpl", "layout": "a4-3x8",
                                                 "start_at": "1", "dpi": "300"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert dress.code in response.get_data(as_text=True)


def test_garment_search_reads_a_scanned_element_string_and_says_what_it_read(login, dress) -> None:
    typed = f"(01)05400000001024(21){dress.code}"
    page = html.unescape(login(Role.STORE_STAFF).get("/garments", query_string={"q": typed}).get_data(as_text=True))
    assert f"{typed} read as {dress.code}" in page
    assert f"/garments/{dress.code}" in page
