"""The catalogue's words are stored once (English keys) but read in three languages: a clerk searches
the garment list in the words the page shows her ("robe", "bleu marine", "jurk")."""
from __future__ import annotations

import re

import pytest

from cksloop.domain.lifecycle import Role
from tests.builders import make_garment


def _codes(response) -> set[str]:
    assert response.status_code == 200
    return set(re.findall(r"CKS-\d{5,}", response.get_data(as_text=True)))


@pytest.mark.parametrize("language,words", [
    ("fr", "robe"), ("fr", "bleu marine"), ("fr", "marine"), ("nl", "jurk"), ("nl", "marineblauw"),
    ("en", "dress"), ("en", "navy")])
def test_a_search_in_the_page_language_finds_the_garments_it_names(db_session, world, login, language, words):
    dresses = {make_garment(db_session, style=world["dress"], size="M").code for _ in range(2)}  # a navy dress
    blazer = make_garment(db_session, style=world["blazer"], size="38").code  # a camel blazer
    client = login(Role.STORE_STAFF)
    found = _codes(client.get("/garments", query_string={"q": words}, headers={"Accept-Language": language}))
    assert dresses <= found and blazer not in found


def test_a_word_that_names_nothing_in_the_page_language_finds_nothing_more(db_session, world, login):
    make_garment(db_session, style=world["dress"], size="M")
    client = login(Role.STORE_STAFF)
    assert _codes(client.get("/garments", query_string={"q": "jurk"}, headers={"Accept-Language": "fr"})) == set()  # Dutch on a French page
