"""Draft sentences for the downstream paragraphs of the progress report (seed section 3), with the
year's figures filled in, in Dutch, English and French; each names the figures it rests on."""
from __future__ import annotations

from typing import Any

from flask_babel import force_locale, gettext, ngettext

from cksloop.domain.charter import Half
from cksloop.domain.inspection import DefectCode
from cksloop.domain.messages import N_
from cksloop.services.charter import Report
from cksloop.services.charter.offcuts import HELD_PREFIX
from cksloop.services.charter.rental import QUALITY_PREFIX
from cksloop.web.charter.labels import unit_text
from cksloop.web.i18n import formatting_locale, percent

LANGUAGES = ("nl", "en", "fr")

#: "the one item returned proved …": each defect as a sensitivity, for the seed's sentence
SENSITIVITY = {
    DefectCode.SNAG: N_("more sensitive to snagging"),
    DefectCode.PILL: N_("more sensitive to pilling"),
    DefectCode.ABR: N_("more sensitive to abrasion"),
    DefectCode.SEAM: N_("more sensitive to seam slippage"),
    DefectCode.FADE: N_("more sensitive to fading"),
    DefectCode.SHR: N_("more sensitive to shrinking"),
    DefectCode.TRIM: N_("more sensitive to damaged trims"),
    DefectCode.TEAR: N_("more sensitive to tearing"),
    DefectCode.STN: N_("more sensitive to staining"),
    DefectCode.ODOUR: N_("more sensitive to odours"),
    DefectCode.FIT: N_("more sensitive to losing its shape"),
}


def _v(report: Report, section: str, key: str) -> Any:
    figure = report.figure(section, key)
    return None if figure is None else figure.value


def _garments(n: int) -> str:
    return ngettext("%(num)d garment", "%(num)d garments", n)


def _rental(report: Report) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    cycles, garments = _v(report, "rental", "rental_cycles") or 0, _v(report, "rental", "garments_rented") or 0
    if cycles:
        out.append((gettext("In %(year)s, %(garments)s went out in %(cycles)s with our rental partner, so pieces "
                             "stay in circulation longer.", year=report.year, garments=_garments(garments),
                             cycles=ngettext("%(num)d rental cycle", "%(num)d rental cycles", cycles)),
                    ["rental.garments_rented", "rental.rental_cycles"]))
    inspected, quality = _v(report, "rental", "returns_inspected") or 0, _v(report, "rental", "quality_returns") or 0
    codes = [c for c in DefectCode if _v(report, "rental", QUALITY_PREFIX + c.value.lower())]
    rests = ["rental.returns_inspected", "rental.quality_returns"] + \
        [f"rental.{QUALITY_PREFIX}{c.value.lower()}" for c in codes]
    if quality == 1:
        sensitivity = gettext(" and ").join(gettext(SENSITIVITY[c]) for c in codes) if codes else \
            gettext("more sensitive to wear")
        out.append((gettext("Except for one item, no garment came back for insufficient quality in %(year)s. The one "
                            "item returned proved %(sensitivity)s, which we take along as a point of attention in "
                            "developing future collections.", year=report.year, sensitivity=sensitivity), rests))
    elif quality > 1:
        defects = ", ".join(f"{gettext(c.label.message)} "
                            f"({_v(report, 'rental', QUALITY_PREFIX + c.value.lower())})" for c in codes)
        out.append((ngettext("In %(year)s, %(num)d garment came back for insufficient quality (%(defects)s); the "
                             "defects are taken along as points of attention for future collections.",
                             "In %(year)s, %(num)d garments came back for insufficient quality (%(defects)s); the "
                             "defects are taken along as points of attention for future collections.",
                             quality, year=report.year, defects=defects), rests))
    elif inspected:
        out.append((ngettext("In %(year)s, no garment came back for insufficient quality; %(num)d return was "
                             "inspected.", "In %(year)s, no garment came back for insufficient quality; %(num)d "
                             "returns were inspected.", inspected, year=report.year), rests))
    return out


def _overstock(report: Report) -> list[tuple[str, list[str]]]:
    own, outlet = _v(report, "overstock", "units_sold_own") or 0, _v(report, "overstock", "units_sold_outlet") or 0
    to_buyers = _v(report, "overstock", "units_to_buyers") or 0
    if not own and not to_buyers:
        return []
    return [(gettext("In %(year)s, %(own)s were sold in our own sales channels, %(outlet)s of them through the "
                     "outlet; %(buyers)s went to bulk buyers, under clear agreements on their permitted "
                     "destinations.", year=report.year, own=_garments(own), outlet=_garments(outlet),
                     buyers=_garments(to_buyers)),
             ["overstock.units_sold_own", "overstock.units_sold_outlet", "overstock.units_to_buyers"])]


def _offcuts(report: Report) -> list[tuple[str, list[str]]]:
    registered = _v(report, "offcuts", "kg_registered")
    used = _v(report, "offcuts", "kg_used")
    if registered is None and used is None:
        return []
    return [(gettext("In %(year)s, %(registered)s of offcuts were registered for a second life and %(used)s "
                     "were used in workshops and products.", year=report.year,
                     registered=unit_text("kg", registered or 0), used=unit_text("kg", used or 0)),
             ["offcuts.kg_registered", "offcuts.kg_used"])]


def _workshops(report: Report) -> list[tuple[str, list[str]]]:
    held = _v(report, "offcuts", "workshops_held") or 0
    participants, made = _v(report, "offcuts", "participants"), _v(report, "offcuts", "products_made")
    grams = _v(report, "offcuts", "kg_used_in_workshops")
    if not held or participants is None or made is None or grams is None:
        return []
    per_store = {k: f.value for k, f in report.sections.get("offcuts", {}).items() if k.startswith(HELD_PREFIX)}
    stores = [k for k, n in per_store.items() if n]
    if sum(per_store.values()) != held:  # a store without a line of its own: no count of stores to rest on
        return []
    return [(gettext("In %(year)s we held %(workshops)s in %(stores)s with %(participants)s, who made %(products)s "
                     "from %(kg)s of offcuts.", year=report.year,
                     workshops=ngettext("%(num)d workshop", "%(num)d workshops", held),
                     stores=ngettext("%(num)d store", "%(num)d stores", len(stores)),
                     participants=ngettext("%(num)d participant", "%(num)d participants", participants),
                     products=ngettext("%(num)d product", "%(num)d products", made), kg=unit_text("kg", grams)),
             ["offcuts.workshops_held", *(f"offcuts.{k}" for k in stores), "offcuts.participants",
              "offcuts.products_made", "offcuts.kg_used_in_workshops"])]


def _unsold(report: Report) -> list[tuple[str, list[str]]]:
    retired = _v(report, "unsold", "retired") or 0
    if not retired:
        return []
    return [(ngettext("In %(year)s, %(num)d unsold garment was retired: %(offcuts)s into offcuts, %(reman)s to "
                      "remanufacturing and %(recycled)s to recycling on a legal ground.",
                      "In %(year)s, %(num)d unsold garments were retired: %(offcuts)s into offcuts, %(reman)s to "
                      "remanufacturing and %(recycled)s to recycling on a legal ground.", retired, year=report.year,
                      offcuts=_v(report, "unsold", "retired_offcuts") or 0,
                      reman=_v(report, "unsold", "retired_remanufacturing") or 0,
                      recycled=_v(report, "unsold", "retired_recycling") or 0),
             ["unsold.retired", "unsold.retired_offcuts", "unsold.retired_remanufacturing", "unsold.retired_recycling"])]


def _materials(report: Report) -> list[tuple[str, list[str]]]:
    out = []
    for half in Half:
        stem = half.value
        if not _v(report, "materials", f"{stem}_pieces"):
            continue
        keys = [f"{stem}_{m}_pieces_pct" for m in ("organic_cotton", "recycled_polyester", "lenzing")]
        values = [percent((_v(report, "materials", k) or 0) / 100, 1) for k in keys]
        out.append((gettext("In the %(half)s collection %(season)s, %(organic)s of pieces contain organic cotton, "
                            "%(recycled)s recycled polyester and %(lenzing)s LENZING™ fibres.",
                            half=gettext(half.label), season=half.season(report.year), organic=values[0],
                            recycled=values[1], lenzing=values[2]),
                    [f"materials.{stem}_pieces"] + [f"materials.{k}" for k in keys]))
    return out


def sentences(report: Report) -> list[dict[str, Any]]:
    """The draft sentences in the current language: ``{"text", "rests_on": ["section.figure", …]}``."""
    if not report.has_data:
        return []
    found = []
    for part in (_rental, _overstock, _offcuts, _workshops, _unsold, _materials):
        found.extend({"text": text, "rests_on": rests} for text, rests in part(report))
    return found


def all_sentences(report: Report) -> dict[str, list[dict[str, Any]]]:
    """The draft sentences in Dutch, English and French."""
    out = {}
    for language in LANGUAGES:
        with force_locale(formatting_locale(language)):
            out[language] = sentences(report)
    return out
