"""CSV import of styles and garments: every row checked first, all or nothing written."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cksloop.db.models import Garment, GarmentEvent, Style
from cksloop.domain.errors import NotFound
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import garments, imports
from tests.builders import make_user

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STYLE_HEADER = ("style_number,name,season,category,colour,sizes,gtins,materials,country_of_manufacture,"
                "supplier,retail_price,care")
GOOD_STYLE = ("AW26-5001,Wrap dress Saar,AW26,dress,plum,XS|S|M,S=5400008101016,"
              "viscose:100:sustainable:LENZING™ ECOVERO™,TR,Atelier Izmir,129.95,30°C gentle")
GARMENT_HEADER = "code,style_number,size,location,price"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(db_session, world):
    return make_user(db_session, Role.ADMIN, home_location=None)


# --- styles ---------------------------------------------------------------------------------


def test_example_styles_file_imports_every_style_with_its_sizes_gtins_and_composition(db_session, world):
    report = imports.import_styles(db_session, data=(EXAMPLES / "styles.csv").read_bytes())

    assert report.ok, [e.render() for e in report.errors]
    assert report.imported == report.rows == 3
    dress = db_session.scalar(select(Style).where(Style.style_number == "AW26-4001"))
    assert dress.size_list == ["XS", "S", "M", "L"]
    assert dress.gtin_for("M") == "05400008001033"  # stored as GTIN-14
    assert dress.retail_price_cents == 13995
    assert [(m.fibre, m.percent, m.sustainable, m.certification) for m in dress.materials] == [
        ("viscose", 80, True, "LENZING™ ECOVERO™"), ("polyamide", 20, False, "")]
    shirt = db_session.scalar(select(Style).where(Style.style_number == "AW26-4003"))
    assert shirt.retail_price_cents == 5995  # "59,95" with a decimal comma
    assert shirt.gtin_for("L") is None  # a size without a GTIN is allowed


def test_styles_file_saved_by_a_belgian_spreadsheet_with_bom_and_semicolons_imports(db_session, world):
    text = STYLE_HEADER.replace(",", ";") + "\n" + (
        "AW26-5002;Blazer Jet;aw26;blazer;black;36|38;;wool:60|polyester:40:sustainable:recycled;pt;"
        "Porto Tailoring;189,95;Dry clean\n")
    report = imports.import_styles(db_session, data=b"\xef\xbb\xbf" + text.encode())

    assert report.ok, [e.render() for e in report.errors]
    style = db_session.scalar(select(Style).where(Style.style_number == "AW26-5002"))
    assert (style.season, style.country_of_manufacture, style.retail_price_cents) == ("AW26", "PT", 18995)


def test_dry_run_of_styles_reports_the_rows_and_writes_nothing(db_session, world):
    before = count(db_session, Style)
    report = imports.import_styles(db_session, data=csv_bytes(STYLE_HEADER, GOOD_STYLE), dry_run=True)

    assert report.ok and report.dry_run and report.rows == 1 and report.imported == 0
    assert report.keys == ["AW26-5001"]
    assert count(db_session, Style) == before


def _style_row(**changes: str) -> str:
    values = dict(zip(STYLE_HEADER.split(","), next(csv.reader([GOOD_STYLE]))))
    values.update(changes)
    return ",".join(f'"{v}"' for v in values.values())


@pytest.mark.parametrize("column, value, reason", [
    ("style_number", "", "required"),
    ("style_number", "SS 26/01", "not a style number"),
    ("name", "x" * 121, "Too long"),
    ("season", "Summer26", "not a season"),
    ("category", "", "required"),
    ("colour", "", "required"),
    ("sizes", "", "required"),
    ("sizes", "S|S", "listed twice"),
    ("sizes", "S,M", "not a size"),
    ("gtins", "S=5400008101017", "not a valid GTIN"),
    ("gtins", "XL=5400008101016", "not in the sizes column"),
    ("gtins", "S:5400008101016", "SIZE=GTIN"),
    ("gtins", "S=5400008101016|S=5400008101023", "two GTINs"),
    ("materials", "viscose:90:sustainable", "adds up to 90%"),
    ("materials", "viscose:110", "whole percentage"),
    ("materials", "viscose:hundred", "whole percentage"),
    ("materials", "viscose:100:green", "sustainable or conventional"),
    ("materials", "viscose", "FIBRE:PERCENT"),
    ("materials", "cotton:50|cotton:50", "listed twice"),
    ("country_of_manufacture", "XX", "ISO 3166"),
    ("country_of_manufacture", "Turkey", "ISO 3166"),
    ("supplier", "", "required"),
    ("retail_price", "", "required"),
    ("retail_price", "€129.95", "not a price"),
    ("retail_price", "1.299,95", "not a price"),
    ("retail_price", "0", "between 0.01"),
    ("retail_price", "-5", "not a price"),
    ("care", "line one\u202eevil", "control characters"),
])
def test_a_wrong_style_cell_is_reported_with_row_column_and_reason(db_session, world, column, value, reason):
    before = count(db_session, Style)
    report = imports.import_styles(db_session, data=csv_bytes(STYLE_HEADER, GOOD_STYLE.replace(
        "AW26-5001", "AW26-5003").replace("S=5400008101016", "S=5400008101023"), _style_row(**{column: value})))

    assert [(e.row, e.column) for e in report.errors] == [(3, column)], [e.render() for e in report.errors]
    assert reason in report.errors[0].render()
    assert report.imported == 0
    assert count(db_session, Style) == before  # the good row is not imported either


def test_a_style_number_or_gtin_used_twice_in_the_file_or_already_known_is_refused(db_session, world):
    report = imports.import_styles(db_session, data=csv_bytes(
        STYLE_HEADER, GOOD_STYLE,
        _style_row(gtins=""),  # same style number as row 2
        _style_row(style_number="AW26-5004"),  # same GTIN as row 2
        _style_row(style_number="SS25-0101", gtins=""),  # exists in the database
        _style_row(style_number="AW26-5005", gtins="S=5400000001017"),  # GTIN of an existing style
    ))

    found = {(e.row, e.column): e.render() for e in report.errors}
    assert "already on row 2" in found[(3, "style_number")]
    assert "already on row 2" in found[(4, "gtins")]
    assert "already exists" in found[(5, "style_number")]
    assert "already belongs to another style" in found[(6, "gtins")]
    assert report.imported == 0


# --- garments -------------------------------------------------------------------------------


def test_garments_are_received_into_the_ledger_with_generated_and_given_codes(db_session, world, admin, now):
    report = imports.import_garments(db_session, actor=admin, now=now, data=csv_bytes(
        GARMENT_HEADER,
        ",SS25-0101,S,ANT-MEIR,",
        "cks-a0001,SS25-0101,M,WH-WOMMELGEM,99.95",
        ",aw25-0202,38,OUTLET-WOMMELGEM,",
    ))

    assert report.ok, [e.render() for e in report.errors]
    assert report.imported == 3
    generated, given, third = (garments.get_garment(db_session, code) for code in report.keys)
    assert given.code == "CKS-A0001" and given.price_cents == 9995
    assert generated.code.startswith("CKS-") and generated.price_cents == world["dress"].retail_price_cents
    assert third.style.style_number == "AW25-0202" and third.location.code == "OUTLET-WOMMELGEM"
    for garment in (generated, given, third):
        events = garments.events_of(db_session, garment)
        assert [(e.action, e.to_state, e.actor_id) for e in events] == [
            (Action.RECEIVE, GarmentState.IN_STOCK, admin.id)]
        assert garments.replay_matches(db_session, garment)


def test_generated_codes_skip_codes_the_file_and_the_database_already_use(db_session, world, admin, now):
    first = imports.import_garments(db_session, actor=admin, now=now,
                                    data=csv_bytes(GARMENT_HEADER, ",SS25-0101,S,ANT-MEIR,"))
    taken = first.keys[0]
    following = f"CKS-{int(taken[4:]) + 1:05d}"
    report = imports.import_garments(db_session, actor=admin, now=now, data=csv_bytes(
        GARMENT_HEADER, ",SS25-0101,S,ANT-MEIR,", f"{following},SS25-0101,M,ANT-MEIR,"))

    assert report.ok, [e.render() for e in report.errors]
    assert len(set(report.keys) | {taken}) == 3
    assert following in report.keys


def test_dry_run_of_garments_writes_no_garment_and_no_event(db_session, world, admin, now):
    events_before = count(db_session, GarmentEvent)
    report = imports.import_garments(db_session, actor=admin, now=now, dry_run=True,
                                     data=csv_bytes(GARMENT_HEADER, ",SS25-0101,S,ANT-MEIR,"))

    assert report.ok and report.rows == 1 and report.imported == 0 and len(report.keys) == 1
    assert count(db_session, Garment) == 0
    assert count(db_session, GarmentEvent) == events_before


def test_a_file_with_one_bad_row_imports_nothing(db_session, world, admin, now):
    report = imports.import_garments(db_session, actor=admin, now=now, data=csv_bytes(
        GARMENT_HEADER, ",SS25-0101,S,ANT-MEIR,", ",SS25-0101,M,GENT-VELD,", ",SS25-0101,XXL,ANT-MEIR,",
        ",AW25-0202,38,ANT-MEIR,"))

    assert [(e.row, e.column) for e in report.errors] == [(4, "size")]
    assert report.imported == 0
    assert count(db_session, Garment) == 0


@pytest.mark.parametrize("row, column, reason", [
    ("CKS-1,SS25-0101,S,ANT-MEIR,", "code", "not a garment code"),
    ("<script>,SS25-0101,S,ANT-MEIR,", "code", "not a garment code"),
    (",,S,ANT-MEIR,", "style_number", "required"),
    (",XX99-0000,S,ANT-MEIR,", "style_number", "No style with number XX99-0000"),
    (",SS25-0101,,ANT-MEIR,", "size", "required"),
    (",SS25-0101,38,ANT-MEIR,", "size", "has no size 38"),
    (",SS25-0101,S,,", "location", "required"),
    (",SS25-0101,S,NOWHERE,", "location", "No location with code NOWHERE"),
    (",SS25-0101,S,DRESSR-ANT,", "location", "not at DRESSR-ANT"),
    (",SS25-0101,S,ANT-MEIR,free", "price", "not a price"),
    (",SS25-0101,S,ANT-MEIR,0.00", "price", "between 0.01"),
    (",SS25-0101,S,ANT-MEIR,100000.01", "price", "between 0.01"),
    (",SS25-0101,S,ANT-MEIR,12.345", "price", "not a price"),
    (",SS25-0101,S\u0007,ANT-MEIR,", "size", "control characters"),
    (",SS25-0101,S,ANT-MEIR," + "9" * 1001, "price", "Too long"),
])
def test_a_wrong_garment_cell_is_reported_with_row_column_and_reason(db_session, world, admin, now,
                                                                     row, column, reason):
    report = imports.import_garments(db_session, actor=admin, now=now,
                                     data=csv_bytes(GARMENT_HEADER, ",SS25-0101,S,ANT-MEIR,", row))

    assert [(e.row, e.column) for e in report.errors] == [(3, column)], [e.render() for e in report.errors]
    assert reason in report.errors[0].render()
    assert count(db_session, Garment) == 0


def test_a_garment_code_twice_in_the_file_or_already_in_the_ledger_is_refused(db_session, world, admin, now):
    imports.import_garments(db_session, actor=admin, now=now,
                            data=csv_bytes(GARMENT_HEADER, "CKS-B0001,SS25-0101,S,ANT-MEIR,"))
    report = imports.import_garments(db_session, actor=admin, now=now, data=csv_bytes(
        GARMENT_HEADER, "CKS-B0002,SS25-0101,S,ANT-MEIR,", "cks-b0002,SS25-0101,M,ANT-MEIR,",
        "CKS-B0001,SS25-0101,L,ANT-MEIR,"))

    found = {(e.row, e.column): e.render() for e in report.errors}
    assert "already on row 2" in found[(3, "code")]
    assert "already exists" in found[(4, "code")]
    assert count(db_session, Garment) == 1


def test_a_workshop_organiser_cannot_receive_garments_by_import(db_session, world, now):
    organiser = make_user(db_session, Role.WORKSHOP_ORGANISER)
    report = imports.import_garments(db_session, actor=organiser, now=now,
                                     data=csv_bytes(GARMENT_HEADER, ",SS25-0101,S,ANT-MEIR,"))

    assert not report.ok and "may not receive" in report.errors[0].render()
    assert count(db_session, Garment) == 0


# --- hostile files --------------------------------------------------------------------------


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\n", "empty"),
    (b"\xef\xbb\xbf", "empty"),
    (GARMENT_HEADER.encode() + b"\n", "header but no rows"),
    (GARMENT_HEADER.encode() + b"\n,,,,\n\n", "header but no rows"),
    (b"\xff\xfec\x00o\x00d\x00e\x00", "UTF-16"),
    (GARMENT_HEADER.encode() + b"\n,SS25-0101,S,ANT-MEIR,\xe9\n", "not UTF-8 text (first bad byte on line 2)"),
    (GARMENT_HEADER.encode() + b"\n,SS25-0101,S,ANT\x00,\n", "NUL"),
    (b"%PDF-1.7\n\x89\xff binary", "not UTF-8"),
    (b"garment,style\n1,2\n", "Unknown column"),
    (b"code,code,style_number,size,location\n", "appears twice"),
    (b"code,style_number,size\n", "required column location is missing"),
    (GARMENT_HEADER.encode() + b"\n,SS25-0101,S\n", "has 3 values; the header has 5"),
    (GARMENT_HEADER.encode() + b'\n,"SS25-0101,S,ANT-MEIR,\n', "not valid CSV"),
    (GARMENT_HEADER.encode() + b"\n,SS25-0101,S,ANT-MEIR," + b"9" * 200_000 + b"\n", "not valid CSV"),
    (b"x" * (imports.MAX_BYTES + 1), "larger than 5 MB"),
    ((GARMENT_HEADER + "\n" + ",SS25-0101,S,ANT-MEIR,\n" * (imports.MAX_ROWS + 1)).encode(), "more than"),
])
def test_a_hostile_file_gets_a_clear_message_and_writes_nothing(db_session, world, admin, now, data, reason):
    report = imports.import_garments(db_session, actor=admin, now=now, data=data)

    assert not report.ok
    assert any(reason in e.render() for e in report.errors), [e.render() for e in report.errors]
    assert report.imported == 0
    assert count(db_session, Garment) == 0


def test_a_file_full_of_errors_stops_listing_them_at_a_limit(db_session, world, admin, now):
    data = csv_bytes(GARMENT_HEADER, *[",NOPE,S,NOWHERE,x"] * (imports.MAX_ERRORS))

    report = imports.import_garments(db_session, actor=admin, now=now, data=data)

    assert len(report.errors) == imports.MAX_ERRORS and report.truncated
    assert count(db_session, Garment) == 0


def test_values_echoed_in_messages_are_shortened_and_show_control_characters():
    assert imports.shown("\x1b[31mred") == "\\x1b[31mred"
    assert imports.shown("a" * 100) == "a" * 40 + "…"


@pytest.mark.parametrize("text, cents", [("129.95", 12995), ("129,95", 12995), ("129", 12900),
                                         ("0.5", 50), ("12.3", 1230)])
def test_prices_are_read_as_euros_with_a_point_or_a_comma(text, cents):
    assert imports.parse_price(text) == cents


def test_importing_with_no_admin_names_the_missing_admin(db_session, world):
    with pytest.raises(NotFound, match="no admin yet"):
        imports.default_receiver(db_session)
