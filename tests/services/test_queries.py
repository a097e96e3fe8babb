"""Read-side queries: garment search and its filters, history, summaries — and no query per row."""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from cksloop.db import queries
from cksloop.db.models import Location, User
from cksloop.db.queries import GarmentSearch
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import catalogue, garments
from tests.builders import OTHER_STORE, OUTLET, STORE, WAREHOUSE, make_garment, make_user

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)


@contextlib.contextmanager
def counted_statements(session) -> Iterator[list[str]]:
    """Collect the SQL queries the session's engine runs inside the block."""
    statements: list[str] = []
    engine = session.get_bind()

    def _count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def codes(page) -> list[str]:
    return [row.code for row in page.items]


def test_search_without_filters_lists_every_garment_by_code(db_session, world):
    made = [make_garment(db_session).code for _ in range(3)]
    page = queries.search_garments(db_session, search=GarmentSearch())
    assert codes(page) == sorted(made)
    assert page.total == 3 and not page.total_capped and not page.has_next


def test_search_rows_carry_style_location_and_price(db_session, world):
    garment = make_garment(db_session, style=world["blazer"], size="40", location=OTHER_STORE)
    row = queries.search_garments(db_session, search=GarmentSearch()).items[0]
    assert (row.code, row.style_number, row.style_name, row.size, row.colour) == \
        (garment.code, "AW25-0202", "Noor", "40", "camel")
    assert (row.state, row.location_code, row.price_cents) == \
        (GarmentState.IN_STOCK, OTHER_STORE, world["blazer"].retail_price_cents)


def test_search_filters_by_state(db_session, world):
    sold = make_garment(db_session, state=GarmentState.SOLD)
    make_garment(db_session, state=GarmentState.IN_STOCK)
    page = queries.search_garments(db_session, search=GarmentSearch(state=GarmentState.SOLD))
    assert codes(page) == [sold.code]


def test_search_filters_by_location_code(db_session, world):
    make_garment(db_session, location=STORE)
    there = make_garment(db_session, location=WAREHOUSE)
    page = queries.search_garments(db_session, search=GarmentSearch(location_code=WAREHOUSE))
    assert codes(page) == [there.code]


def test_search_filters_by_style_number_and_by_season(db_session, world):
    dress = make_garment(db_session, style=world["dress"])
    blazer = make_garment(db_session, style=world["blazer"])
    assert codes(queries.search_garments(db_session, search=GarmentSearch(style_number="AW25-0202"))) == \
        [blazer.code]
    assert codes(queries.search_garments(db_session, search=GarmentSearch(season="SS25"))) == [dress.code]


def test_filters_combine(db_session, world):
    make_garment(db_session, style=world["dress"], location=STORE)
    make_garment(db_session, style=world["dress"], location=OTHER_STORE, state=GarmentState.SOLD)
    wanted = make_garment(db_session, style=world["dress"], location=OTHER_STORE)
    search = GarmentSearch(state=GarmentState.IN_STOCK, location_code=OTHER_STORE, season="SS25")
    assert codes(queries.search_garments(db_session, search=search)) == [wanted.code]


def test_an_unknown_location_or_style_finds_nothing(db_session, world):
    make_garment(db_session)
    assert queries.search_garments(db_session, search=GarmentSearch(location_code="NOWHERE")).items == []
    assert queries.search_garments(db_session, search=GarmentSearch(style_number="XX99-0000")).items == []


@pytest.mark.parametrize("typed", ["{code}", "{code_lower}", "{number}"])
def test_free_text_finds_a_garment_by_its_code_however_it_is_typed(db_session, world, typed):
    make_garment(db_session, style=world["blazer"], size="38")
    garment = make_garment(db_session, style=world["blazer"], size="38")
    text = typed.format(code=garment.code, code_lower=garment.code.lower(),
                        number=str(int(garment.code.split("-")[1])))
    assert codes(queries.search_garments(db_session, search=GarmentSearch(text=text))) == [garment.code]


def test_free_text_finds_garments_by_style_name_or_number(db_session, world):
    dress = make_garment(db_session, style=world["dress"])
    blazer = make_garment(db_session, style=world["blazer"])
    assert codes(queries.search_garments(db_session, search=GarmentSearch(text="blazer"))) == [blazer.code]
    assert codes(queries.search_garments(db_session, search=GarmentSearch(text="ss25"))) == [dress.code]


def test_free_text_matching_many_styles_still_finds_their_garments(db_session, world, monkeypatch):
    monkeypatch.setattr(queries.garments, "MAX_LISTED_STYLES", 0)  # take the path for very broad searches
    dress = make_garment(db_session, style=world["dress"])
    make_garment(db_session, style=world["blazer"])
    assert codes(queries.search_garments(db_session, search=GarmentSearch(text="lisa"))) == [dress.code]


@pytest.mark.parametrize("text", ["%", "_", "\\", "%wrap%"])
def test_free_text_wildcards_are_taken_literally(db_session, world, text):
    make_garment(db_session)
    assert queries.search_garments(db_session, search=GarmentSearch(text=text)).items == []


def test_overdue_lists_only_rentals_past_their_due_date_most_overdue_first(db_session, world):
    late = make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW - dt.timedelta(days=20))
    later = make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW - dt.timedelta(days=30))
    make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW)  # due in ten days
    make_garment(db_session, state=GarmentState.IN_STOCK)
    page = queries.search_garments(db_session, search=GarmentSearch(overdue_on=TODAY))
    assert codes(page) == [later.code, late.code]
    assert page.items[0].due_on == (NOW - dt.timedelta(days=20)).date()


def test_a_returned_rental_is_no_longer_overdue(db_session, world):
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT, now=NOW - dt.timedelta(days=20))
    admin = db_session.scalar(select(User).where(User.role == Role.ADMIN))
    garments.act(db_session, code=garment.code, action=Action.RECEIVE_RENTAL_RETURN, details={},
                 actor=admin, now=NOW)
    assert queries.search_garments(db_session, search=GarmentSearch(overdue_on=TODAY)).items == []


def _receive_many(session, world, n: int) -> list[str]:
    admin = make_user(session, Role.ADMIN)
    made = [catalogue.receive_garment(session, style=world["dress"], size="M", location_code=STORE,
                                      actor=admin, now=NOW, commit=False).code for _ in range(n)]
    session.commit()
    return made


def test_pages_follow_each_other_without_gaps_or_repeats(db_session, world):
    made = _receive_many(db_session, world, 7)
    first = queries.search_garments(db_session, search=GarmentSearch(), page=1, per_page=3)
    second = queries.search_garments(db_session, search=GarmentSearch(), page=2, per_page=3)
    last = queries.search_garments(db_session, search=GarmentSearch(), page=3, per_page=3)
    assert codes(first) + codes(second) + codes(last) == sorted(made)
    assert first.has_next and second.has_next and not last.has_next
    assert not first.has_prev and last.has_prev
    assert first.total == 7


def test_a_page_past_the_end_is_empty_not_an_error(db_session, world):
    _receive_many(db_session, world, 2)
    page = queries.search_garments(db_session, search=GarmentSearch(), page=queries.MAX_PAGE)
    assert page.items == [] and not page.has_next


def test_the_count_stops_at_the_cap(db_session, world, monkeypatch):
    monkeypatch.setattr(queries.paging, "COUNT_CAP", 4)
    _receive_many(db_session, world, 6)
    page = queries.search_garments(db_session, search=GarmentSearch(), per_page=2)
    assert (page.total, page.total_capped) == (4, True)


def test_a_page_of_garments_costs_the_same_few_queries_however_many_rows(db_session, world):
    _receive_many(db_session, world, 3)
    with counted_statements(db_session) as few:
        queries.search_garments(db_session, search=GarmentSearch(season="SS25", text="lisa"))
    _receive_many(db_session, world, 30)
    with counted_statements(db_session) as many:
        page = queries.search_garments(db_session, search=GarmentSearch(season="SS25", text="lisa"))
    assert len(page.items) == 33
    assert len(many) == len(few) <= 4  # matching styles, the count, the page's ids, their rows


def test_history_is_oldest_first_with_who_and_where(db_session, world):
    clerk = make_user(db_session, Role.STORE_STAFF, name="An Claes", home_location=STORE)
    garment = make_garment(db_session)
    garments.act(db_session, code=garment.code, action=Action.TRANSFER,
                 details={"to_location": OTHER_STORE, "note": "for the window"}, actor=clerk,
                 now=NOW + dt.timedelta(hours=1))
    history = queries.garment_history(db_session, garment.id)
    assert [h.action for h in history] == [Action.RECEIVE, Action.TRANSFER]
    assert [h.seq for h in history] == [1, 2]
    moved = history[1]
    assert (moved.actor_name, moved.actor_role) == ("An Claes", Role.STORE_STAFF)
    assert (moved.location_code, moved.location_name) == (OTHER_STORE, "CKS Gent Veldstraat")
    assert (moved.from_state, moved.to_state) == (GarmentState.IN_STOCK, GarmentState.IN_STOCK)
    assert moved.details["note"] == "for the window"
    assert moved.details["from_location"] == STORE


def test_history_takes_one_query_however_long_it_is(db_session, world):
    garment = make_garment(db_session)
    admin = db_session.scalar(select(User).where(User.role == Role.ADMIN))
    people = [make_user(db_session, Role.MERCHANDISER) for _ in range(3)]
    for i in range(6):
        actor = people[i % 3] if i % 2 else admin
        action = Action.ADD_TO_RENTAL_POOL if i % 2 == 0 else Action.REMOVE_FROM_RENTAL_POOL
        garments.act(db_session, code=garment.code, action=action, details={}, actor=actor, now=NOW)
    names = {p.name for p in people}
    garment_id = garment.id
    db_session.expire_all()
    with counted_statements(db_session) as statements:
        history = queries.garment_history(db_session, garment_id)
    assert {h.actor_name for h in history} >= names
    assert len(history) == 7 and len(statements) == 1


def test_names_in_details_are_looked_up_together(db_session, world):
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT)
    admin = db_session.scalar(select(User).where(User.role == Role.ADMIN))
    garments.act(db_session, code=garment.code, action=Action.RECEIVE_RENTAL_RETURN, details={},
                 actor=admin, now=NOW)
    garments.act(db_session, code=garment.code, action=Action.START_CARE,
                 details={"care_kind": "cleaning"}, actor=admin, now=NOW)
    garments.act(db_session, code=garment.code, action=Action.FINISH_CARE,
                 details={"outcome": "done"}, actor=admin, now=NOW)
    garments.act(db_session, code=garment.code, action=Action.REMOVE_FROM_RENTAL_POOL, details={},
                 actor=admin, now=NOW)
    garments.act(db_session, code=garment.code, action=Action.TRANSFER,
                 details={"to_location": WAREHOUSE}, actor=admin, now=NOW)
    history = queries.garment_history(db_session, garment.id)
    with counted_statements(db_session) as statements:
        names = queries.names_in_details(db_session, history)
    assert names.partners == {world["partner"].id: "Dressr"}
    assert names.locations == {STORE: "CKS Antwerpen Meir"}
    assert len(statements) == 2


def test_open_rental_names_the_partner_and_due_date(db_session, world):
    garment = make_garment(db_session, state=GarmentState.RENTED_OUT)
    rental = queries.open_rental(db_session, garment.id)
    assert rental is not None
    assert (rental.partner_name, rental.due_on) == ("Dressr", dt.date(2026, 12, 5))
    assert queries.open_rental(db_session, make_garment(db_session).id) is None


def test_garment_by_code_loads_style_facts_in_a_few_queries(db_session, world):
    garment = make_garment(db_session, style=world["blazer"], size="38")
    code = garment.code
    db_session.expire_all()
    with counted_statements(db_session) as statements:
        found = queries.garment_by_code(db_session, code)
        assert found is not None
        facts = ([m.fibre for m in found.style.materials], found.style.size_list,
                 found.style.gtin_for("38"), found.location.code)
    assert facts == (["wool", "polyester"], ["36", "38", "40"], None, STORE)
    assert len(statements) <= 3
    assert queries.garment_by_code(db_session, "CKS-99999") is None


def test_counts_by_state_for_a_style_and_for_a_location(db_session, world):
    make_garment(db_session, style=world["dress"], location=STORE)
    make_garment(db_session, style=world["dress"], location=STORE, state=GarmentState.SOLD)
    make_garment(db_session, style=world["blazer"], location=OUTLET)
    dress = world["dress"]
    store_id = db_session.scalar(select(Location.id).where(Location.code == STORE))
    assert queries.counts_by_state(db_session, style_id=dress.id) == \
        {GarmentState.IN_STOCK: 1, GarmentState.SOLD: 1}
    assert queries.counts_by_state(db_session, location_id=store_id) == \
        {GarmentState.IN_STOCK: 1, GarmentState.SOLD: 1}
    assert list(queries.counts_by_state(db_session, style_id=dress.id)) == \
        [GarmentState.IN_STOCK, GarmentState.SOLD]  # in lifecycle order


def test_counts_by_size(db_session, world):
    make_garment(db_session, style=world["dress"], size="S")
    make_garment(db_session, style=world["dress"], size="S")
    make_garment(db_session, style=world["dress"], size="L")
    assert queries.counts_by_size(db_session, world["dress"].id) == {"S": 2, "L": 1}


def test_style_list_counts_each_styles_garments_in_one_grouped_query(db_session, world):
    make_garment(db_session, style=world["dress"])
    make_garment(db_session, style=world["dress"])
    with counted_statements(db_session) as statements:
        page = queries.search_styles(db_session)
    assert [(s.style_number, s.garments) for s in page.items] == [("AW25-0202", 0), ("SS25-0101", 2)]
    assert len(statements) == 3  # the page, its counts, the total
    assert [s.style_number for s in queries.search_styles(db_session, season="AW25").items] == ["AW25-0202"]
    assert [s.style_number for s in queries.search_styles(db_session, category="dress").items] == ["SS25-0101"]
    assert queries.search_styles(db_session, category="shoes").items == []


def test_seasons_newest_first_and_categories(db_session, world):
    catalogue.create_style(db_session, style_number="SS26-0001", name="Linen shirt", season="SS26",
                           category="shirt", colour="white", sizes=["M"], country_of_manufacture="PT",
                           supplier="Porto", retail_price_cents=5995, materials=[("linen", 100, True, "")])
    db_session.commit()
    assert queries.seasons(db_session) == ["SS26", "AW25", "SS25"]
    assert queries.categories(db_session) == ["blazer", "dress", "shirt"]


def test_location_lists_and_choices(db_session, world):
    kinds = {loc.code: loc.kind.value for loc in queries.all_locations(db_session)}
    assert kinds[OUTLET] == "outlet" and kinds["DRESSR-ANT"] == "partner"
    assert queries.location_by_code(db_session, WAREHOUSE).city == "Wommelgem"
    assert queries.location_by_code(db_session, "NOWHERE") is None
    assert {c.code for c in queries.active_locations(db_session)} == set(kinds)
    assert [p.name for p in queries.rental_partners(db_session)] == ["Dressr"]


def test_the_garment_page_gets_the_garment_its_style_lists_and_location_in_one_query(db_session, world):
    garment = make_garment(db_session, style=world["blazer"], size="38")
    code = garment.code
    db_session.expunge_all()  # nothing already loaded may hide a query
    with counted_statements(db_session) as statements:
        found = queries.garment_by_code(db_session, code)
        sizes, materials = found.style.size_list, [(m.fibre, m.percent) for m in found.style.materials]
        place = found.location.code
    assert len(statements) == 1
    # the joined lists come out once each, in their own order, not multiplied by each other
    assert sizes == ["36", "38", "40"] and materials == [("wool", 70), ("polyester", 30)]
    assert place == STORE and found.size == "38"
    assert queries.garment_by_code(db_session, "CKS-9999999") is None
