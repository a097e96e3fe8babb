"""Remanufacturing projects: lots sent to a partner, statuses, and the made-from record of each product."""
from __future__ import annotations

from typing import Any

import pytest

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.offcuts import InsufficientOffcut, OffcutAction, apply
from cksloop.domain.remanufacturing import (LotFacts, Project, ProjectNotOpen, ProjectStatus, change_status,
                                            return_product, start_project)
from tests.unit.offcut_fixtures import PLACES, context, make_lot

LOTS = {"CKSR-00012": make_lot("CKSR-00012", 5000, "WH-WOMMELGEM"),
        "CKSR-00013": make_lot("CKSR-00013", 2000, "WH-WOMMELGEM")}
FACTS = {"CKSR-00012": LotFacts("CKSR-00012", "wool blend", "grey", (("wool", 70), ("polyamide", 30))),
         "CKSR-00013": LotFacts("CKSR-00013", "lining", "black", (("viscose", 100),))}
STYLES = {"RM-BLAZER-24": frozenset({"S", "M", "L"})}


def start(**overrides: Any):
    args: dict[str, Any] = dict(project_id=3, name="CKS x Rebelle Antwerp, winter 2024",
                                partner_location="REBELLE-ANT", partner_name="Rebelle Antwerp",
                                lots=[{"code": "CKSR-00012", "grams": 4000}, {"code": "CKSR-00013", "grams": 800}],
                                snapshots=LOTS, places=PLACES, ctx=context())
    return start_project(**{**args, **overrides})


def project(status: ProjectStatus = ProjectStatus.IN_PRODUCTION, **lots_g: int) -> Project:
    return Project(3, "CKS x Rebelle Antwerp", "REBELLE-ANT", "Rebelle Antwerp", status,
                   lots_g or {"CKSR-00012": 4000, "CKSR-00013": 800})


def test_sending_lots_to_a_partner_consumes_them_for_the_project():
    started = start()
    assert started.project.status is ProjectStatus.SENT
    assert started.project.lots_g == {"CKSR-00012": 4000, "CKSR-00013": 800}
    step = started.lot_steps[0]
    [change] = step.changes
    assert (step.code, step.expected_version, change.action, change.details) == \
        ("CKSR-00012", 1, OffcutAction.CONSUME, {"grams": 4000, "project_id": 3})
    assert apply(LOTS["CKSR-00012"], change).remaining_g == 1000


@pytest.mark.parametrize("overrides, field", [
    ({"partner_location": "ANT-MEIR"}, "partner_location"),
    ({"partner_location": "NOWHERE"}, "partner_location"),
    ({"name": ""}, "name"),
    ({"lots": []}, "lots"),
    ({"lots": [{"code": "CKSR-00012"}]}, "lots.CKSR-00012"),
    ({"lots": [{"code": "CKSR-00099", "grams": 5}]}, "lots.CKSR-00099"),
    ({"lots": [{"code": "CKSR-00012", "grams": 0}]}, "lots.CKSR-00012"),
])
def test_a_project_with_bad_input_is_refused_naming_the_field(overrides, field):
    with pytest.raises(InvalidDetails) as refusal:
        start(**overrides)
    assert field in refusal.value.field_errors


def test_sending_more_than_a_lot_holds_is_refused_with_what_is_left():
    with pytest.raises(InsufficientOffcut) as refusal:
        start(lots=[{"code": "CKSR-00013", "grams": 2001}])
    assert refusal.value.details["remaining_g"] == 2000


def test_a_project_moves_forward_to_finished_and_never_back():
    assert change_status(project(ProjectStatus.SENT), "in_production") is ProjectStatus.IN_PRODUCTION
    assert change_status(project(ProjectStatus.SENT), "finished") is ProjectStatus.FINISHED
    with pytest.raises(ProjectNotOpen):
        change_status(project(ProjectStatus.IN_PRODUCTION), "sent")
    with pytest.raises(InvalidDetails):
        change_status(project(), "lost")


def test_a_returned_product_is_made_from_all_the_projects_lots_materials_and_partner():
    product = return_product(project=project(), style_number="RM-BLAZER-24", size="M", price_cents=34900,
                             remanufactured_styles=STYLES, lot_facts=FACTS)
    assert (product.style_number, product.size, product.price_cents) == ("RM-BLAZER-24", "M", 34900)
    assert product.made_from.as_dict() == {
        "project_id": 3, "project": "CKS x Rebelle Antwerp", "partner_location": "REBELLE-ANT",
        "partner": "Rebelle Antwerp", "lots": [{"code": "CKSR-00012", "grams": 4000}, {"code": "CKSR-00013", "grams": 800}],
        "materials": ["lining", "wool blend"], "fibres": ["polyamide", "viscose", "wool"]}


def test_a_lot_whose_grams_all_came_back_is_not_named_in_the_made_from_record():
    product = return_product(project=project(**{"CKSR-00012": 4000, "CKSR-00013": 0}), style_number="RM-BLAZER-24",
                             size="S", price_cents=100, remanufactured_styles=STYLES, lot_facts=FACTS)
    assert product.made_from.lots == (("CKSR-00012", 4000),) and product.made_from.materials == ("wool blend",)


@pytest.mark.parametrize("overrides, field", [
    ({"style_number": "CKS-ORDINARY"}, "style_number"),
    ({"size": "XXL"}, "size"),
    ({"price_cents": 0}, "price_cents"),
    ({"price_cents": "349"}, "price_cents"),
    ({"price_cents": 349.5}, "price_cents"),
    ({"project": project(**{"CKSR-00012": 0})}, "project"),
])
def test_a_returned_product_with_bad_input_is_refused_naming_the_field(overrides, field):
    args: dict[str, Any] = dict(project=project(), style_number="RM-BLAZER-24", size="M", price_cents=34900,
                                remanufactured_styles=STYLES, lot_facts=FACTS)
    with pytest.raises(InvalidDetails) as refusal:
        return_product(**{**args, **overrides})
    assert field in refusal.value.field_errors


def test_a_finished_project_takes_no_more_products():
    with pytest.raises(ProjectNotOpen):
        return_product(project=project(ProjectStatus.FINISHED), style_number="RM-BLAZER-24", size="M",
                       price_cents=34900, remanufactured_styles=STYLES, lot_facts=FACTS)
