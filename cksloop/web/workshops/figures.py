"""The offcut figures page: per year and store, each counted figure with its drill list, and a CSV export."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cksloop.domain.errors import NotFound
from cksloop.domain.messages import N_
from cksloop.domain.offcut_figures import Period, kg
from cksloop.domain.rental_quality import csv_cell
from cksloop.services import workshop_figures
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.workshops.blueprint import WRITERS, bp
from cksloop.web.workshops.routes import _stores

#: each figure's words; grams are shown as kilograms
LABELS = {
    "workshops_held": _l("Workshops held"),
    "participants": _l("Participants"),
    "products_made": _l("Products made in workshops"),
    "reused_in_workshops_g": _l("Offcuts reused in workshops (kg)"),
    "reused_by_partners_g": _l("Offcuts reused by partners (kg)"),
    "wasted_g": _l("Offcuts wasted (kg)"),
    "garments_retired_into_offcuts": _l("Garments retired into offcuts"),
    "remanufactured_made": _l("Remanufactured products made"),
    "remanufactured_sold": _l("Remanufactured products sold"),
}

#: the drill lists' column headings
COLUMNS = {
    "workshop": _l("Workshop"), "kind": _l("Entry"), "store": _l("Store"), "held_on": _l("Held on"),
    "theme": _l("Theme"), "organiser": _l("Organiser"), "participants": _l("Participants"),
    "products": _l("Products"), "grams": _l("Grams"), "lot": _l("Lot"), "on": _l("Date"),
    "location": _l("Location"), "action": _l("Action"), "garment": _l("Garment"),
}


def _filters() -> tuple[Period, str | None, int]:
    year = now().year
    text = request.args.get("year", "")
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100:
        year = int(text)
    store = request.args.get("store", "") or None
    if store is not None and not (len(store) <= 40 and store.isprintable()):
        store = None
    return Period.year(year), store, year


def _value(figures: Any, name: str) -> Any:
    value = getattr(figures, name)
    return kg(value) if name.endswith("_g") else value


@bp.get("/figures")
@allow(*WRITERS)
def figures() -> Any:
    period, store, year = _filters()
    session = db()
    found = workshop_figures.figures(session, period=period, store=store)
    rows = [(name, LABELS[name], _value(found, name)) for name in workshop_figures.FIGURES]
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([csv_cell(_("Year")), year])
        writer.writerow([csv_cell(_("Store")), csv_cell(store or _("all stores"))])
        writer.writerow([])
        writer.writerow([csv_cell(_("Figure")), csv_cell(_("Value"))])
        for _name, label, value in rows:
            writer.writerow([csv_cell(str(label)), value])
        for key, quantity in found.products_by_type.items():
            writer.writerow([csv_cell(_("Products made: %(type)s", type=key)), quantity])
        return Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="offcut-figures-{year}.csv"'})
    return render_template("workshops/figures.html", rows=rows, figures=found, year=year, store=store,
                           stores=_stores(), organisers=workshop_figures.by_organiser(session, period=period,
                                                                                      store=store))


@bp.get("/figures/<figure>")
@allow(*WRITERS)
def figure_drill(figure: str) -> Any:
    if figure not in workshop_figures.FIGURES:
        raise NotFound(N_("No such figure."))
    period, store, year = _filters()
    rows = workshop_figures.drill(db(), period=period, store=store, figure=figure)
    columns = list(rows[0]) if rows else []
    return render_template("workshops/drill.html", label=LABELS[figure], rows=rows, columns=columns, headings=COLUMNS, year=year,
                           store=store)
