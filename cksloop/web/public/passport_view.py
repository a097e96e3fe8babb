"""The passport as the reader sees it: vocabulary, fibre names, country and numbers in their
language, and the schema.org JSON-LD that machines read (public facts only)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from cksloop.domain import passport as rules
from cksloop.domain.labels import label_url
from cksloop.services.passport import Passport
from cksloop.web import i18n
from cksloop.web.vocabulary import (care_label, category_label, certification_label, colour_label, country_label,
                                    material_label)


@dataclass(frozen=True)
class ShownMaterial:
    percent: str  # formatted for the reader ("30%", "30 %")
    fibre: str  # the name of Regulation (EU) 1007/2011, or the catalogue's word when it has none
    sustainable: bool
    certification: str




def percent(value: int) -> str:
    # in the request's Belgian locale (cksloop.web.i18n.FORMAT_LOCALES): "30%", French "30 %"
    return i18n.percent_of_100(value)


def materials(passport: Passport) -> list[ShownMaterial]:
    return [ShownMaterial(percent(m.percent), material_label(m.fibre), m.sustainable,
                          certification_label(m.certification)) for m in passport.materials]


def page_url(passport: Passport) -> str:
    """The URL the garment's label carries: its GS1 Digital Link when the size has a GTIN."""
    return label_url(current_app.config["BASE_URL"], passport.code, passport.gtin)


def json_ld(passport: Passport, shown: list[ShownMaterial]) -> dict[str, Any]:
    """schema.org IndividualProduct for this one garment, identified by its Digital Link.

    Only what the page itself shows: no price (an offer would reveal it), no place, no person.
    """
    uri = page_url(passport)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "IndividualProduct",
        "@id": uri,
        "identifier": uri,
        "url": uri,
        "serialNumber": passport.code,
        "name": passport.style_name,
        "brand": {"@type": "Brand", "name": "CKS"},
        "category": category_label(passport.category),
        "color": colour_label(passport.colour),
        "size": passport.size,
        "material": ", ".join(f"{m.percent} {m.fibre}" for m in shown),
        "countryOfOrigin": {"@type": "Country", "identifier": passport.country_of_manufacture,
                            "name": country_label(passport.country_of_manufacture)},
    }
    if passport.gtin:
        data["gtin14"] = passport.gtin
    return data


def page_context(passport: Passport) -> dict[str, Any]:
    """What templates/public/product.html shows, every word in the reader's language."""
    shown = materials(passport)
    return {
        "product": passport, "materials": shown,
        "category": category_label(passport.category), "colour": colour_label(passport.colour),
        "care": care_label(passport.care),
        "country": country_label(passport.country_of_manufacture),
        "sustainable_percent": percent(passport.sustainable_percent),
        "recycled_percent": percent(passport.recycled_percent),
        "json_ld": json_ld(passport, shown), "page_url": page_url(passport), "estimate": rules.LONGER_USE,
    }
