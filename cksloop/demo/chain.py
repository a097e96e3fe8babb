"""The demo chain: its stores, partner, users and three collections of styles with sizes and GTINs."""
from __future__ import annotations

from dataclasses import dataclass

from cksloop.domain.labels import gs1_check_digit
from cksloop.domain.lifecycle import LocationKind, Role

DEFAULT_SEED = 2025
DEFAULT_GARMENTS = 400

RENTAL_HUB = "ANT-MEIR"  # the store next to Dressr's Antwerp base keeps the rental pool
WAREHOUSE = "WH-WOMMELGEM"
OUTLET = "OUTLET-WOMMELGEM"

#: (code, name, kind, city): real Belgian shopping streets, fictitious store codes
LOCATIONS: list[tuple[str, str, LocationKind, str]] = [
    ("ANT-MEIR", "CKS Antwerpen Meir", LocationKind.STORE, "Antwerpen"),
    ("GENT-VELD", "CKS Gent Veldstraat", LocationKind.STORE, "Gent"),
    ("BRU-NIEUW", "CKS Brussel Nieuwstraat", LocationKind.STORE, "Brussel"),
    ("LEU-DIEST", "CKS Leuven Diestsestraat", LocationKind.STORE, "Leuven"),
    ("HAS-HOOG", "CKS Hasselt Hoogstraat", LocationKind.STORE, "Hasselt"),
    ("BRG-STEEN", "CKS Brugge Steenstraat", LocationKind.STORE, "Brugge"),
    ("MEC-BRUUL", "CKS Mechelen Bruul", LocationKind.STORE, "Mechelen"),
    ("KOR-STEEN", "CKS Kortrijk Lange Steenstraat", LocationKind.STORE, "Kortrijk"),
    (WAREHOUSE, "CRG Wommelgem", LocationKind.WAREHOUSE, "Wommelgem"),
    (OUTLET, "CKS Outlet", LocationKind.OUTLET, "Wommelgem"),
    ("DRESSR-ANT", "Dressr", LocationKind.PARTNER, "Antwerpen"),
    ("REBELLE-ANT", "Rebelle Antwerp", LocationKind.PARTNER, "Antwerpen"),
]
STORES = [code for code, _, kind, _ in LOCATIONS if kind is LocationKind.STORE]

PARTNER_NAME = "Dressr"
PARTNER_TERMS = ("Eenmalige huur van 10 kalenderdagen of een abonnement op 2, 3 of 4 stuks per maand "
                 "(ruilen na 25 dagen). Dressr controleert de kwaliteit bij terugkomst; een externe wasserij "
                 "wisselt de kledingstukken wekelijks.")

LETTERS = ["XS", "S", "M", "L", "XL"]
LETTERS_SHORT = ["XS", "S", "M", "L"]
NUMBERS = ["34", "36", "38", "40", "42", "44"]
NUMBERS_SHORT = ["34", "36", "38", "40", "42"]

ECOVERO = "LENZING™ ECOVERO™"
TENCEL = "TENCEL™"

Material = tuple[str, int, bool, str]


@dataclass(frozen=True)
class DemoStyle:
    number: str
    #: the model's own name ("Lisa"), the same in every language: pages show the category and
    #: colour beside it, each in the reader's language
    name: str
    category: str
    colour: str
    sizes: list[str]
    materials: list[Material]
    country: str
    supplier: str
    price_cents: int
    care: str
    rental: bool = False  # occasion pieces that go into the Dressr pool
    snag_sensitive: bool = False  # the report's one quality return came from such a style

    @property
    def season(self) -> str:
        return self.number[:4]


#: issue 14: the unsold-goods disclosure's product category (CN heading, women's woven 62xx or
#: knitted 61xx) and a typical unit weight in grams, per demo category
DISCLOSURE_FACTS: dict[str, tuple[str, int]] = {
    "blazer": ("6204", 650), "blouse": ("6206", 180), "coat": ("6202", 1400), "dress": ("6204", 380),
    "jacket": ("6202", 900), "jeans": ("6204", 600), "jumpsuit": ("6204", 450), "knit": ("6110", 420),
    "shirt": ("6206", 220), "shorts": ("6204", 250), "skirt": ("6204", 300), "t-shirt": ("6109", 160),
    "top": ("6106", 150), "trousers": ("6204", 420),
}

_GENTLE = "30°C gentle cycle, do not tumble dry, iron on low heat."
_WOOL = "Dry clean or hand wash cold, dry flat."
_COTTON = "40°C, tumble dry low, iron on medium heat."
_KNIT = "30°C wool cycle inside out, dry flat, do not tumble dry."

STYLES: list[DemoStyle] = [
    # summer 2025
    DemoStyle("SS25-1001", "Lisa", "dress", "navy", LETTERS, [("viscose", 100, True, ECOVERO)],
              "TR", "Atelier Izmir", 12995, _GENTLE, rental=True),
    DemoStyle("SS25-1002", "Jules", "shirt", "ecru", LETTERS,
              [("linen", 55, False, ""), ("cotton", 45, True, "organic")], "PT", "Porto Tailoring", 6995,
              _COTTON),
    DemoStyle("SS25-1003", "Mona", "trousers", "sand", NUMBERS,
              [("lyocell", 70, True, TENCEL), ("cotton", 30, False, "")], "TR", "Atelier Izmir", 8995,
              _GENTLE),
    DemoStyle("SS25-1004", "Fien", "blouse", "white", LETTERS,
              [("cotton", 100, True, "organic")], "IN", "Jaipur Looms", 5995, _COTTON),
    DemoStyle("SS25-1005", "Roos", "skirt", "sage", LETTERS_SHORT,
              [("polyester", 100, True, "recycled")], "CN", "Ningbo Garments", 7995, _GENTLE),
    DemoStyle("SS25-1006", "Ilse", "jumpsuit", "terracotta", LETTERS_SHORT,
              [("viscose", 100, True, ECOVERO)], "TR", "Atelier Izmir", 11995, _GENTLE, rental=True),
    DemoStyle("SS25-1007", "Hanne", "blazer", "stone", NUMBERS,
              [("linen", 100, False, "")], "PT", "Porto Tailoring", 14995, _WOOL),
    DemoStyle("SS25-1008", "Nele", "t-shirt", "navy-ecru stripe", LETTERS,
              [("cotton", 95, True, "organic"), ("elastane", 5, False, "")], "BD", "Dhaka Tex",
              2995, _COTTON),
    DemoStyle("SS25-1009", "Saar", "shorts", "light blue", NUMBERS_SHORT,
              [("cotton", 98, True, "organic"), ("elastane", 2, False, "")], "TN", "Sousse Denim", 5995,
              _COTTON),
    DemoStyle("SS25-1010", "Margot", "dress", "champagne", LETTERS_SHORT,
              [("polyester", 100, True, "recycled")], "CN", "Ningbo Garments", 9995, _GENTLE, rental=True),
    # winter 2025
    DemoStyle("AW25-2001", "Noor", "blazer", "camel", NUMBERS,
              [("wool", 70, False, ""), ("polyester", 30, True, "recycled")], "PT", "Porto Tailoring",
              18995, _WOOL, rental=True),
    DemoStyle("AW25-2002", "Élise", "dress", "bordeaux", LETTERS_SHORT,
              [("viscose", 75, True, ECOVERO), ("polyamide", 20, False, ""), ("metallic fibre", 5, False, "")],
              "IT", "Maglificio Carpi", 13995, _KNIT, rental=True, snag_sensitive=True),
    DemoStyle("AW25-2003", "Lotte", "knit", "ecru", LETTERS,
              [("cotton", 60, True, "organic"), ("wool", 40, False, "")], "RO", "Tricotaj Cluj", 7995, _KNIT),
    DemoStyle("AW25-2004", "Ines", "trousers", "charcoal", NUMBERS,
              [("polyester", 64, True, "recycled"), ("viscose", 32, True, ECOVERO), ("elastane", 4, False, "")],
              "TR", "Atelier Izmir", 8995, _GENTLE),
    DemoStyle("AW25-2005", "Greet", "coat", "camel", NUMBERS,
              [("wool", 60, False, ""), ("polyester", 30, True, "recycled"), ("polyamide", 10, False, "")],
              "PT", "Porto Tailoring", 24995, _WOOL),
    DemoStyle("AW25-2006", "Ella", "dress", "emerald", LETTERS_SHORT,
              [("polyester", 92, True, "recycled"), ("elastane", 8, False, "")], "CN", "Ningbo Garments",
              11995, _GENTLE, rental=True),
    DemoStyle("AW25-2007", "Amber", "blouse", "black", LETTERS,
              [("lyocell", 100, True, TENCEL)], "CN", "Ningbo Garments", 6995, _GENTLE),
    DemoStyle("AW25-2008", "Jo", "skirt", "chestnut", NUMBERS_SHORT,
              [("cotton", 98, True, "organic"), ("elastane", 2, False, "")], "TN", "Sousse Denim", 6995,
              _COTTON),
    DemoStyle("AW25-2009", "Stella", "top", "silver", LETTERS_SHORT,
              [("polyester", 100, True, "recycled")], "IN", "Mumbai Embellishments", 8995,
              "Hand wash cold inside out, do not iron the sequins.", rental=True),
    DemoStyle("AW25-2010", "Fleur", "jacket", "black", LETTERS,
              [("polyamide", 100, True, "recycled")], "CN", "Ningbo Garments", 15995, _GENTLE),
    # summer 2026
    DemoStyle("SS26-3001", "Loes", "dress", "sky blue", LETTERS,
              [("cotton", 100, True, "organic")], "IN", "Jaipur Looms", 9995, _COTTON, rental=True),
    DemoStyle("SS26-3002", "Britt", "blazer", "sand", NUMBERS,
              [("linen", 55, False, ""), ("lyocell", 45, True, TENCEL)], "PT", "Porto Tailoring", 15995,
              _WOOL, rental=True),
    DemoStyle("SS26-3003", "Kato", "jeans", "mid blue", NUMBERS,
              [("cotton", 99, True, "organic"), ("elastane", 1, False, "")], "TN", "Sousse Denim", 7995,
              _COTTON),
    DemoStyle("SS26-3004", "Yara", "dress", "multicolour", LETTERS_SHORT,
              [("viscose", 100, True, ECOVERO)], "TR", "Atelier Izmir", 11995, _GENTLE, rental=True),
    DemoStyle("SS26-3005", "Mila", "knit", "lilac", LETTERS_SHORT,
              [("cotton", 70, True, "organic"), ("polyamide", 30, False, "")], "BD", "Dhaka Tex",
              5995, _KNIT),
    DemoStyle("SS26-3006", "Jana", "blouse", "white", LETTERS,
              [("cotton", 100, True, "organic")], "BD", "Dhaka Tex", 4995, _COTTON),
    DemoStyle("SS26-3007", "Lien", "trousers", "olive", NUMBERS,
              [("lyocell", 100, True, TENCEL)], "TR", "Atelier Izmir", 8995, _GENTLE),
    DemoStyle("SS26-3008", "Zoë", "jumpsuit", "black", LETTERS_SHORT,
              [("viscose", 96, True, ECOVERO), ("elastane", 4, False, "")], "TR", "Atelier Izmir", 12995,
              _GENTLE, rental=True),
    DemoStyle("SS26-3009", "Anouk", "coat", "beige", NUMBERS,
              [("cotton", 65, True, "organic"), ("polyester", 35, True, "recycled")], "PT",
              "Porto Tailoring", 19995, _COTTON),
    DemoStyle("SS26-3010", "Bo", "top", "ecru", LETTERS_SHORT,
              [("lyocell", 60, True, TENCEL), ("cotton", 40, True, "organic")], "RO", "Tricotaj Cluj",
              3995, _KNIT),
]


@dataclass(frozen=True)
class Season:
    """When a collection arrived and went on sale, in days before the demo's clock.

    The offsets put SS25 in February 2025 … SS26 in February 2026 when the clock reads late
    November 2026, and slide along with the clock, so histories always end in the past months.
    """

    delivery_from: int
    delivery_to: int
    sale: int  # first day of the Belgian sales (solden): markdowns
    outlet: int  # leftovers move to the outlet


SEASONS = {
    "SS25": Season(-660, -600, -512, -480),
    "AW25": Season(-482, -422, -326, -300),
    "SS26": Season(-300, -240, -147, -115),
}


def demo_gtin(style_index: int, size_index: int) -> str:
    """A GTIN-13 under the clearly fictitious prefix 5400009 with a valid GS1 check digit."""
    body = f"5400009{style_index:03d}{size_index:02d}"
    return body + str(gs1_check_digit(body))


def demo_gtins(index: int, style: DemoStyle) -> dict[str, str]:
    """A GTIN for every size, so every demo label is a GS1 Digital Link a partner's scanner reads."""
    return {size: demo_gtin(index + 1, i + 1) for i, size in enumerate(style.sizes)}



#: (key, email, name, role, home location): one sign-in per role
USERS: list[tuple[str, str, str, Role, str | None]] = [
    ("admin", "admin@cks.example", "CKS admin", Role.ADMIN, None),
    ("merchandiser", "merchandiser@cks.example", "Sofie Janssens", Role.MERCHANDISER, WAREHOUSE),
    ("store", "store@cks.example", "Lotte Maes", Role.STORE_STAFF, "ANT-MEIR"),
    ("workshop", "workshop@cks.example", "Els Wouters", Role.WORKSHOP_ORGANISER, "ANT-MEIR"),
]
