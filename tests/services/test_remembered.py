"""What a worker keeps between requests: asked again at once after this process committed a change
to its tables, within the time to live after anyone else's (cksloop.db.changes, services.remembered)."""
from __future__ import annotations

from sqlalchemy import event, text

from cksloop.db import changes
from cksloop.db.models import Location
from cksloop.services import catalogue, remembered
from tests.builders import OTHER_STORE, seed_world


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting(session):
    seen: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql))
    return seen


def test_a_commit_moves_the_generation_of_the_tables_it_touched_and_a_rollback_does_not(db_session):
    seed_world(db_session)
    before = changes.generation("locations", "rental_partners")
    catalogue.create_location(db_session, code="BRU-NIEUW", name="Brussel", kind="store", city="Brussel")
    db_session.rollback()
    assert changes.generation("locations", "rental_partners") == before
    catalogue.create_location(db_session, code="BRU-NIEUW", name="Brussel", kind="store", city="Brussel")
    db_session.commit()
    after = changes.generation("locations", "rental_partners")
    assert after[0] != before[0] and after[1] == before[1]
    # a bulk UPDATE through the session counts as well
    from sqlalchemy import update
    db_session.execute(update(Location).where(Location.code == "BRU-NIEUW").values(active=False))
    db_session.commit()
    assert changes.generation("locations")[0] != after[0]


def test_a_list_is_kept_until_its_time_is_up_or_this_process_changes_it(db_session):
    seed_world(db_session)
    db_session.commit()
    clock = Clock()
    kept = remembered.Remembered(lambda s: tuple(l.code for l in remembered.queries.active_locations(s)),
                                 ("locations",), ttl=2.0, clock=clock)
    statements = counting(db_session)
    first = kept.get(db_session)
    assert OTHER_STORE in first and statements
    statements.clear()
    assert kept.get(db_session) == first and statements == []  # from memory
    # another process closes a store: this one does not hear of it until the time is up
    with db_session.get_bind().begin() as conn:
        conn.execute(text("UPDATE locations SET active = :no WHERE code = :code"), {"no": False, "code": OTHER_STORE})
    db_session.rollback()  # a fresh snapshot for the next read
    clock.now += 1.9
    assert OTHER_STORE in kept.get(db_session)
    clock.now += 0.2
    assert OTHER_STORE not in kept.get(db_session)
    # a change committed here shows at once
    catalogue.create_location(db_session, code="BRU-NIEUW", name="Brussel", kind="store", city="Brussel")
    db_session.commit()
    assert "BRU-NIEUW" in kept.get(db_session)
