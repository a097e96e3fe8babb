"""Parts of pages rendered once and filled in per page (issue 19): what each reader sees is still
their own, and a change shows on the next page."""
from __future__ import annotations

import re

from sqlalchemy import update

from cksloop.db.models import Location
from cksloop.domain.lifecycle import Role
from cksloop.services import catalogue
from tests.builders import OTHER_STORE, STORE, make_garment, make_user
from tests.conftest import csrf_from, sign_in


def transfer_choices(page: str) -> list[str]:
    form = page.split('id="action-transfer"', 1)[1].split("</details>", 1)[0]
    select = form.split('name="to_location"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_each_reader_sees_their_own_name_token_and_path_in_the_top_bar(app, db_session):
    first = make_user(db_session, Role.STORE_STAFF, name="Anna <Peeters> & Co")
    second = make_user(db_session, Role.STORE_STAFF, name="cksloop-fragment-csrf-token")
    pages = {}
    for user in (first, second):
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        pages[user.id] = client.get("/garments?q=cksloop-fragment-user-name").get_data(as_text=True)
    one, two = pages[first.id], pages[second.id]
    assert "Anna &lt;Peeters&gt; &amp; Co · " in one and "Anna" not in two
    assert f'data-user-id="{first.id}"' in one and f'data-user-id="{second.id}"' in two
    # a name that looks like a placeholder is shown as typed, and every token on a page is the reader's
    assert "cksloop-fragment-csrf-token · " in two
    tokens = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', two))
    assert len(tokens) == 1 and "cksloop-fragment" not in next(iter(tokens))
    # the language switch comes back to the page it was used on, as typed in the address
    assert 'name="next" value="/garments?q=cksloop-fragment-user-name"' in one
    assert not any(p in one + two for p in ("cksloop-fragment-user-id", "cksloop-fragment-next-path"))


def test_the_top_bar_follows_role_and_language(app, login):
    staff, admin = login(Role.STORE_STAFF), login(Role.ADMIN)
    staff_page = staff.get("/").get_data(as_text=True)
    admin_page = admin.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in admin_page and 'href="/admin/users"' not in staff_page
    staff.post("/language/fr", data={"next": "/"})
    french = staff.get("/").get_data(as_text=True)
    english = admin.get("/").get_data(as_text=True)
    assert '<button type="submit" class="link">Se déconnecter</button>' in french
    assert '<button type="submit" class="link">Sign out</button>' in english  # the other reader keeps theirs


def test_a_fresh_action_form_is_rendered_once_and_filled_in_for_each_garment(app, login, db_session):
    merchandiser = login(Role.MERCHANDISER)
    garments = [make_garment(db_session) for _ in range(3)]
    cache = app.extensions["cksloop.fragments"]
    merchandiser.get(f"/garments/{garments[0].code}")
    kept = len(cache)
    pages = [merchandiser.get(f"/garments/{g.code}").get_data(as_text=True) for g in garments]
    assert len(cache) == kept  # the same forms: nothing new rendered
    for garment, page in zip(garments, pages):
        assert f'action="/garments/{garment.code}/actions/mark_down"' in page
        assert f'name="expected_version" type="hidden" value="{garment.version}"' in page
        assert "cksloop-fragment" not in page
    # a filled-in form works: marking the second garment down goes through
    response = merchandiser.post(f"/garments/{garments[1].code}/actions/mark_down",
                                 data={"expected_version": str(garments[1].version), "price": "10,00"})
    assert response.status_code == 303, response.get_data(as_text=True)
    db_session.rollback()  # end the test session's read snapshot: the app wrote in its own session
    db_session.refresh(garments[1])
    assert garments[1].price_cents == 1000


def test_a_location_added_or_closed_shows_on_the_next_page(app, login, db_session):
    admin = login(Role.ADMIN)
    garment = make_garment(db_session)
    before = transfer_choices(admin.get(f"/garments/{garment.code}").get_data(as_text=True))
    assert OTHER_STORE in before and "BRU-NIEUW" not in before
    catalogue.create_location(db_session, code="BRU-NIEUW", name="CKS Brussel Nieuwstraat", kind="store",
                              city="Brussel")
    db_session.commit()
    added = transfer_choices(admin.get(f"/garments/{garment.code}").get_data(as_text=True))
    assert "BRU-NIEUW" in added
    db_session.execute(update(Location).where(Location.code == OTHER_STORE).values(active=False))
    db_session.commit()
    closed = transfer_choices(admin.get(f"/garments/{garment.code}").get_data(as_text=True))
    assert OTHER_STORE not in closed and "BRU-NIEUW" in closed


def test_a_form_sent_back_with_errors_keeps_what_was_typed(app, login, db_session):
    merchandiser = login(Role.MERCHANDISER)
    garment = make_garment(db_session)
    response = merchandiser.post(f"/garments/{garment.code}/actions/mark_down",
                                 data={"expected_version": str(garment.version), "price": "12,3456"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = page.split('id="action-mark_down"', 1)[1].split("</details>", 1)[0]
    assert 'value="12,3456"' in form and "field-error" in form
    assert form.split(">", 1)[0].rstrip().endswith("open")
    # the other forms on the page are the fresh ones, closed and without messages
    other = page.split('id="action-transfer"', 1)[1].split("</details>", 1)[0]
    assert "field-error" not in other and not other.split(">", 1)[0].rstrip().endswith("open")


def test_the_places_a_history_names_come_from_the_workers_memory(app, login, db_session, now):
    from sqlalchemy import event

    from cksloop.domain.lifecycle import Action
    from cksloop.services import garments as garment_service

    admin = login(Role.ADMIN)
    garment = make_garment(db_session)
    garment_service.act(db_session, code=garment.code, action=Action.TRANSFER, details={"to_location": OTHER_STORE},
                        actor=admin.user, now=now)
    admin.get(f"/garments/{garment.code}")  # the worker learns the names
    statements: list[str] = []
    event.listen(app.extensions["cksloop.engine"], "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: statements.append(sql))
    page = admin.get(f"/garments/{garment.code}").get_data(as_text=True)
    history = page.split('id="history-title"', 1)[1]
    assert "<dt>From</dt><dd>CKS Antwerpen Meir</dd>" in history  # the transfer's details name the store
    assert not any("FROM locations" in sql for sql in statements)
    # renamed here: the next page names it anew
    db_session.execute(update(Location).where(Location.code == STORE).values(name="CKS Antwerpen Schuttershof"))
    db_session.commit()
    history = admin.get(f"/garments/{garment.code}").get_data(as_text=True).split('id="history-title"', 1)[1]
    assert "<dt>From</dt><dd>CKS Antwerpen Schuttershof</dd>" in history and "Meir" not in history
