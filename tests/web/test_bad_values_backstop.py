"""Values no column can hold are answered 400 with a message, never 500, and change nothing."""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from cksloop.db.models import Garment
from cksloop.web.database import db
from cksloop.web.guards import allow
from tests.conftest import test_database_kind as database_kind


def _app_with_careless_route(app):
    # a route that forgets to check its input, as a future one might
    careless = Blueprint("careless", __name__)

    @careless.route("/careless")
    @allow()
    def lookup():
        from flask import request

        found = db().scalar(select(Garment.id).where(Garment.id == int(request.args["id"])))
        return {"found": found}

    @allow()
    def api_lookup():
        from flask import request

        found = db().scalar(select(Garment.code).where(Garment.code == request.args["code"]))
        return {"found": found}

    app.register_blueprint(careless)
    # an API view belongs to the API blueprint (its endpoint says so), whose hooks answer in JSON
    app.add_url_rule("/api/v1/careless", endpoint="api.careless", view_func=api_lookup)
    return app


def test_an_id_too_large_for_any_column_is_a_400_with_a_message(app, login):
    _app_with_careless_route(app)
    staff = login("store_staff")
    response = staff.get("/careless?id=" + "9" * 30)
    assert response.status_code == 400
    assert "out of range" in response.get_data(as_text=True)


def test_a_nul_byte_reaching_the_database_is_a_json_400_for_the_api(app, login):
    _app_with_careless_route(app)
    staff = login("store_staff")
    response = staff.get("/api/v1/careless?code=CKS-%00", headers={"X-CSRFToken": staff.csrf})
    if database_kind() == "postgresql":  # PostgreSQL refuses NUL in text
        assert response.status_code == 400
        assert response.get_json()["error"] == "bad_value"
    else:  # SQLite stores it, so the careless lookup simply finds nothing
        assert response.status_code == 200
        assert response.get_json() == {"found": None}
