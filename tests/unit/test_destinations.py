"""The end-use vocabulary (four uses a contract may allow, four never), and the single-garment check's answers."""
from __future__ import annotations

import pytest

from cksloop.domain.destinations import (ALLOWED_USES, CONTRACTABLE_USES, NEVER_ALLOWED_USES, EndUse,
                                         check_destination)


def test_every_end_use_is_either_contractable_or_never_allowed():
    assert CONTRACTABLE_USES | NEVER_ALLOWED_USES == set(EndUse)
    assert not CONTRACTABLE_USES & NEVER_ALLOWED_USES
    assert {u.value for u in NEVER_ALLOWED_USES} == {"landfill", "incineration", "energy_recovery", "destruction"}
    assert all(use.may_be_allowed for use in CONTRACTABLE_USES)
    assert all(use.label for use in EndUse)


def test_the_default_uses_are_reuse_and_the_licensed_routes():
    assert ALLOWED_USES == {"reuse", "licensed_sorting", "licensed_recycling"}


@pytest.mark.parametrize(("country", "use", "refused"), [
    ("NL", "reuse", False),
    ("NL", "landfill", True),
    ("NL", "destruction", True),
    ("GH", "reuse", True),
    ("US", "reuse", True),
])
def test_the_single_garment_check_keeps_its_answers(country, use, refused):
    assert (check_destination(country=country, use=use) is not None) is refused
