"""A URL under the API that matches no route answers the API's JSON error, not the HTML 404 page."""
from __future__ import annotations

import pytest

from tests.web.test_api_auth import assert_error_shape, bearer
from tests.web.test_workshops_api import organiser  # noqa: F401  (fixture)


@pytest.mark.parametrize("path", ["/api/v1/buyer-lots/%F1%8E%0A/garments", "/api/v1/no-such-thing",
                                  "/api/v1/workshops/-1/corrections"])
def test_an_api_url_that_matches_no_route_answers_json_not_a_page(client, organiser, path):  # noqa: F811
    # found by the fuzzer: a path parameter that is not a number fell through to the HTML 404 page
    response = client.post(path, headers=bearer(organiser), json={})
    assert_error_shape(response, 404, "not_found")
