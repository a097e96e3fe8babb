"""The list of blueprints, one per user job; the factory registers them in this order."""
from __future__ import annotations

from flask import Blueprint


def all_blueprints() -> list[Blueprint]:
    from cksloop.web.admin.routes import bp as admin
    from cksloop.web.admin.settings import bp as admin_settings
    from cksloop.web.api.views import api_blueprint
    from cksloop.web.auth.routes import bp as auth
    from cksloop.web.disclosure.routes import bp as disclosure
    from cksloop.web.buyers.views import bp as buyers
    from cksloop.web.charter.routes import bp as charter
    from cksloop.web.garments.discounts import bp as discounts
    from cksloop.web.garments.routes import bp as garments
    from cksloop.web.home.routes import bp as home
    from cksloop.web.labels.routes import bp as labels
    from cksloop.web.locations.routes import bp as locations
    from cksloop.web.overstock_reviews.routes import bp as overstock_reviews
    from cksloop.web.overstock.views import bp as overstock
    from cksloop.web.offcuts.routes import bp as offcuts
    from cksloop.web.public.routes import bp as public
    from cksloop.web.rentals.views import bp as rentals
    from cksloop.web.reports.routes import bp as reports
    from cksloop.web.scan.routes import bp as scan
    from cksloop.web.site.routes import bp as site
    from cksloop.web.styles.routes import bp as styles
    from cksloop.web.workshops.views import workshops_blueprint

    return [auth, home, discounts, garments, styles, locations, api_blueprint(), public, scan, labels, rentals,
            reports, disclosure, buyers, charter, overstock_reviews, overstock, offcuts, workshops_blueprint(), admin,
            admin_settings, site]
