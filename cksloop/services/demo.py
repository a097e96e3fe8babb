"""Demo data: a believable CKS chain whose every garment history is written through the real ledger.

Stores, the CRG warehouse, the outlet, the rental partner Dressr and the remanufacturing partner
Rebelle Antwerp; three collections (SS25, AW25, SS26) of styles with sizes, GTINs and material
compositions; a few hundred garments spread over every lifecycle state reachable today. Every
change goes through ``catalogue.receive_garment`` and ``garments.act`` with backdated times, so
each garment's state equals the replay of its events. A seeded ``random.Random`` makes the data
reproducible for the same seed and clock; passwords are the one thing that is never reproducible.
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, GarmentEvent, Location, RentalPartner, Style, User, UserStore
from cksloop.domain.labels import gs1_check_digit
from cksloop.domain.store_scope import SCOPED_ROLES
from cksloop.domain.lifecycle import Action, GarmentState, LocationKind, Role
from cksloop.services import accounts, catalogue, garments
from cksloop.services.garments import BRUSSELS

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
    (WAREHOUSE, "CRG warehouse Wommelgem", LocationKind.WAREHOUSE, "Wommelgem"),
    (OUTLET, "CKS Outlet", LocationKind.OUTLET, "Wommelgem"),
    ("DRESSR-ANT", "Dressr", LocationKind.PARTNER, "Antwerpen"),
    ("REBELLE-ANT", "Rebelle Antwerp (remanufacturing)", LocationKind.PARTNER, "Antwerpen"),
]
STORES = [code for code, _, kind, _ in LOCATIONS if kind is LocationKind.STORE]

PARTNER_NAME = "Dressr"
PARTNER_TERMS = ("One-off rental of 10 calendar days or a membership of 2, 3 or 4 items a month "
                 "(swap after 25 days). Dressr checks quality on return; an external laundry "
                 "exchanges garments weekly.")

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
    gtins: bool = True  # a few older styles never got GTINs

    @property
    def season(self) -> str:
        return self.number[:4]


_GENTLE = "30°C gentle cycle, do not tumble dry, iron on low heat."
_WOOL = "Dry clean or hand wash cold, dry flat."
_COTTON = "40°C, tumble dry low, iron on medium heat."
_KNIT = "30°C wool cycle inside out, dry flat, do not tumble dry."

STYLES: list[DemoStyle] = [
    # summer 2025
    DemoStyle("SS25-1001", "Wrap dress Lisa", "dress", "navy", LETTERS, [("viscose", 100, True, ECOVERO)],
              "TR", "Atelier Izmir", 12995, _GENTLE, rental=True),
    DemoStyle("SS25-1002", "Linen shirt Jules", "shirt", "ecru", LETTERS,
              [("linen", 55, False, ""), ("cotton", 45, True, "organic")], "PT", "Porto Tailoring", 6995,
              _COTTON),
    DemoStyle("SS25-1003", "Wide-leg trousers Mona", "trousers", "sand", NUMBERS,
              [("lyocell", 70, True, TENCEL), ("cotton", 30, False, "")], "TR", "Atelier Izmir", 8995,
              _GENTLE),
    DemoStyle("SS25-1004", "Broderie blouse Fien", "blouse", "white", LETTERS,
              [("cotton", 100, True, "organic")], "IN", "Jaipur Looms", 5995, _COTTON),
    DemoStyle("SS25-1005", "Pleated midi skirt Roos", "skirt", "sage", LETTERS_SHORT,
              [("polyester", 100, True, "recycled")], "CN", "Ningbo Garments", 7995, _GENTLE),
    DemoStyle("SS25-1006", "Jumpsuit Ilse", "jumpsuit", "terracotta", LETTERS_SHORT,
              [("viscose", 100, True, ECOVERO)], "TR", "Atelier Izmir", 11995, _GENTLE, rental=True),
    DemoStyle("SS25-1007", "Linen blazer Hanne", "blazer", "stone", NUMBERS,
              [("linen", 100, False, "")], "PT", "Porto Tailoring", 14995, _WOOL),
    DemoStyle("SS25-1008", "Striped T-shirt Nele", "t-shirt", "navy-ecru stripe", LETTERS,
              [("cotton", 95, True, "organic"), ("elastane", 5, False, "")], "BD", "Dhaka Knit Works",
              2995, _COTTON, gtins=False),
    DemoStyle("SS25-1009", "Denim shorts Saar", "shorts", "light blue", NUMBERS_SHORT,
              [("cotton", 98, True, "organic"), ("elastane", 2, False, "")], "TN", "Sousse Denim", 5995,
              _COTTON),
    DemoStyle("SS25-1010", "Satin slip dress Margot", "dress", "champagne", LETTERS_SHORT,
              [("polyester", 100, True, "recycled")], "CN", "Ningbo Garments", 9995, _GENTLE, rental=True),
    # winter 2025
    DemoStyle("AW25-2001", "Wool-blend blazer Noor", "blazer", "camel", NUMBERS,
              [("wool", 70, False, ""), ("polyester", 30, True, "recycled")], "PT", "Porto Tailoring",
              18995, _WOOL, rental=True),
    DemoStyle("AW25-2002", "Fine-knit dress Elise", "dress", "bordeaux", LETTERS_SHORT,
              [("viscose", 75, True, ECOVERO), ("polyamide", 20, False, ""), ("metallic fibre", 5, False, "")],
              "IT", "Carpi Knitwear", 13995, _KNIT, rental=True, snag_sensitive=True),
    DemoStyle("AW25-2003", "Cable-knit jumper Lotte", "knit", "ecru", LETTERS,
              [("cotton", 60, True, "organic"), ("wool", 40, False, "")], "RO", "Cluj Knitting", 7995, _KNIT),
    DemoStyle("AW25-2004", "Tailored trousers Ines", "trousers", "charcoal", NUMBERS,
              [("polyester", 64, True, "recycled"), ("viscose", 32, True, ECOVERO), ("elastane", 4, False, "")],
              "TR", "Atelier Izmir", 8995, _GENTLE),
    DemoStyle("AW25-2005", "Wrap coat Greet", "coat", "camel", NUMBERS,
              [("wool", 60, False, ""), ("polyester", 30, True, "recycled"), ("polyamide", 10, False, "")],
              "PT", "Porto Tailoring", 24995, _WOOL),
    DemoStyle("AW25-2006", "Velvet midi dress Ella", "dress", "emerald", LETTERS_SHORT,
              [("polyester", 92, True, "recycled"), ("elastane", 8, False, "")], "CN", "Ningbo Garments",
              11995, _GENTLE, rental=True),
    DemoStyle("AW25-2007", "Silky blouse Amber", "blouse", "black", LETTERS,
              [("lyocell", 100, True, TENCEL)], "CN", "Ningbo Garments", 6995, _GENTLE),
    DemoStyle("AW25-2008", "Corduroy skirt Jo", "skirt", "chestnut", NUMBERS_SHORT,
              [("cotton", 98, True, "organic"), ("elastane", 2, False, "")], "TN", "Sousse Denim", 6995,
              _COTTON, gtins=False),
    DemoStyle("AW25-2009", "Sequin top Stella", "top", "silver", LETTERS_SHORT,
              [("polyester", 100, True, "recycled")], "IN", "Mumbai Embellishments", 8995,
              "Hand wash cold inside out, do not iron the sequins.", rental=True),
    DemoStyle("AW25-2010", "Puffer jacket Fleur", "jacket", "black", LETTERS,
              [("polyamide", 100, True, "recycled")], "CN", "Ningbo Garments", 15995, _GENTLE),
    # summer 2026
    DemoStyle("SS26-3001", "Shirt dress Loes", "dress", "sky blue", LETTERS,
              [("cotton", 100, True, "organic")], "IN", "Jaipur Looms", 9995, _COTTON, rental=True),
    DemoStyle("SS26-3002", "Linen-blend blazer Britt", "blazer", "sand", NUMBERS,
              [("linen", 55, False, ""), ("lyocell", 45, True, TENCEL)], "PT", "Porto Tailoring", 15995,
              _WOOL, rental=True),
    DemoStyle("SS26-3003", "Straight jeans Kato", "jeans", "mid blue", NUMBERS,
              [("cotton", 99, True, "organic"), ("elastane", 1, False, "")], "TN", "Sousse Denim", 7995,
              _COTTON),
    DemoStyle("SS26-3004", "Floral maxi dress Yara", "dress", "multicolour", LETTERS_SHORT,
              [("viscose", 100, True, ECOVERO)], "TR", "Atelier Izmir", 11995, _GENTLE, rental=True),
    DemoStyle("SS26-3005", "Cropped cardigan Mila", "knit", "lilac", LETTERS_SHORT,
              [("cotton", 70, True, "organic"), ("polyamide", 30, False, "")], "BD", "Dhaka Knit Works",
              5995, _KNIT),
    DemoStyle("SS26-3006", "Poplin blouse Jana", "blouse", "white", LETTERS,
              [("cotton", 100, True, "organic")], "BD", "Dhaka Knit Works", 4995, _COTTON),
    DemoStyle("SS26-3007", "Wide trousers Lien", "trousers", "olive", NUMBERS,
              [("lyocell", 100, True, TENCEL)], "TR", "Atelier Izmir", 8995, _GENTLE),
    DemoStyle("SS26-3008", "Tie-waist jumpsuit Zoë", "jumpsuit", "black", LETTERS_SHORT,
              [("viscose", 96, True, ECOVERO), ("elastane", 4, False, "")], "TR", "Atelier Izmir", 12995,
              _GENTLE, rental=True),
    DemoStyle("SS26-3009", "Trench coat Anouk", "coat", "beige", NUMBERS,
              [("cotton", 65, True, "organic"), ("polyester", 35, True, "recycled")], "PT",
              "Porto Tailoring", 19995, _COTTON),
    DemoStyle("SS26-3010", "Knit tank top Bo", "top", "ecru", LETTERS_SHORT,
              [("lyocell", 60, True, TENCEL), ("cotton", 40, True, "organic")], "RO", "Cluj Knitting",
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
    """GTINs for most sizes: styles flagged without GTINs get none, and every third style lacks
    one for its largest size (not every size of every article carries a barcode)."""
    if not style.gtins:
        return {}
    sizes = style.sizes[:-1] if index % 3 == 2 else style.sizes
    return {size: demo_gtin(index + 1, i + 1) for i, size in enumerate(sizes)}


# --- users ------------------------------------------------------------------------------------

#: (key, email, name, role, home location): one sign-in per role
USERS: list[tuple[str, str, str, Role, str | None]] = [
    ("admin", "admin@cks.example", "CKS admin", Role.ADMIN, None),
    ("merchandiser", "merchandiser@cks.example", "Sofie Janssens", Role.MERCHANDISER, WAREHOUSE),
    ("store", "store@cks.example", "Lotte Maes", Role.STORE_STAFF, "ANT-MEIR"),
    ("workshop", "workshop@cks.example", "Els Wouters", Role.WORKSHOP_ORGANISER, "ANT-MEIR"),
]


def generate_password() -> str:
    """A fresh random password (about 96 bits), never a fixed default."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class CreatedUser:
    email: str
    role: str
    location: str | None
    password: str  # shown once by the caller, never stored in clear


@dataclass
class DemoResult:
    """What ``load_demo_data`` did; ``created_users`` carry the only copy of their passwords."""

    created_users: list[CreatedUser] = field(default_factory=list)
    existing_users: list[str] = field(default_factory=list)
    locations: int = 0
    styles: int = 0
    garments: int = 0
    events: int = 0
    states: dict[str, int] = field(default_factory=dict)


def database_ready(session: Session) -> bool:
    """Whether the schema exists (``cksloop db upgrade`` has run)."""
    return inspect(session.connection()).has_table("garment_events")


def garment_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Garment)) or 0


def ensure_users(session: Session, result: DemoResult) -> dict[str, User]:
    """One user per role with a generated password; existing users keep theirs."""
    users: dict[str, User] = {}
    for key, email, name, role, home in USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            password = generate_password()
            user = accounts.create_user(session, email=email, name=name, role=role, password=password,
                                        home_location=home)
            result.created_users.append(CreatedUser(email, role.value, home, password))
            if role in SCOPED_ROLES:
                # the demo's one clerk and one organiser play every shop's staff in the histories
                session.add_all(UserStore(user_id=user.id, location_id=location_id) for location_id in
                                session.scalars(select(Location.id).where(
                                    Location.kind.in_((LocationKind.STORE, LocationKind.OUTLET)),
                                    Location.code != home)))
                session.flush()
        else:
            result.existing_users.append(email)
        users[key] = user
    return users


def ensure_catalogue(session: Session, result: DemoResult) -> int:
    """Locations, the rental partner and the styles (reusing any that exist); the partner's id."""
    existing = set(session.scalars(select(Location.code)))
    for code, name, kind, city in LOCATIONS:
        if code not in existing:
            catalogue.create_location(session, code=code, name=name, kind=kind, city=city)
            result.locations += 1
    partner = session.scalar(select(RentalPartner).where(RentalPartner.name == PARTNER_NAME))
    if partner is None:
        partner = catalogue.create_rental_partner(
            session, name=PARTNER_NAME, location_code="DRESSR-ANT", contact_email="ops@dressr.example",
            default_rental_days=10, terms=PARTNER_TERMS)
    numbers = set(session.scalars(select(Style.style_number)))
    for index, style in enumerate(STYLES):
        if style.number in numbers:
            continue
        catalogue.create_style(
            session, style_number=style.number, name=style.name, season=style.season,
            category=style.category, colour=style.colour, sizes=style.sizes,
            country_of_manufacture=style.country, supplier=style.supplier,
            retail_price_cents=style.price_cents, materials=style.materials,
            gtins=demo_gtins(index, style), care=style.care)
        result.styles += 1
    session.commit()
    return partner.id


# --- planning histories -----------------------------------------------------------------------


@dataclass
class Step:
    action: Action
    details: dict[str, Any]
    actor: str  # key into the demo users
    at: dt.datetime


@dataclass
class Plan:
    """One garment's life: where it arrived and what happened to it since, oldest first."""

    story: str
    style: DemoStyle
    size: str
    location: str
    received_at: dt.datetime
    steps: list[Step] = field(default_factory=list)


def sale_price(cents: int, percent_off: int) -> int:
    """``percent_off`` below ``cents``, rounded down to a shop price ending in ,95."""
    target = cents * (100 - percent_off) // 100
    price = target // 100 * 100 + 95
    if price > target:
        price -= 100
    return max(price, 95)


class _Timeline:
    """Turns 'days before now' into shop-hour timestamps that only move forward."""

    def __init__(self, now: dt.datetime, rng: random.Random):
        self.now = now
        self.today = now.astimezone(BRUSSELS).date()
        self.rng = rng
        self.last: dt.datetime | None = None

    def at(self, day: int) -> dt.datetime:
        """A time on ``day`` (days before now; histories end yesterday), after the last one."""
        local = (self.now + dt.timedelta(days=min(day, -1))).astimezone(BRUSSELS)
        stamp = local.replace(hour=self.rng.randint(9, 17), minute=self.rng.randint(0, 59), second=0,
                              microsecond=0).astimezone(dt.UTC)
        if self.last is not None and stamp <= self.last:
            stamp = self.last + dt.timedelta(minutes=self.rng.randint(5, 90))
        if stamp >= self.now:  # many steps squeezed into yesterday evening: keep them in the past
            stamp = max(self.now - dt.timedelta(minutes=1), (self.last or stamp) + dt.timedelta(seconds=1))
        self.last = stamp
        return stamp

    def day_of(self, stamp: dt.datetime) -> int:
        return (stamp.astimezone(BRUSSELS).date() - self.today).days


class Planner:
    """Writes believable garment histories as plans; nothing touches the database here."""

    def __init__(self, rng: random.Random, now: dt.datetime, partner_id: int):
        self.rng = rng
        self.now = now
        self.partner_id = partner_id
        self.receipt_numbers = iter(range(1001, 1_000_000))

    # building blocks

    def _start(self, story: str, style: DemoStyle) -> tuple[Plan, _Timeline, int]:
        """A receipt at the warehouse during the style's delivery window."""
        season = SEASONS[style.season]
        day = self.rng.randint(season.delivery_from, season.delivery_to)
        timeline = _Timeline(self.now, self.rng)
        size = self.rng.choice(style.sizes[1:-1] if len(style.sizes) > 3 and self.rng.random() < .7
                               else style.sizes)
        plan = Plan(story, style, size, WAREHOUSE, timeline.at(day))
        return plan, timeline, day

    def _do(self, plan: Plan, timeline: _Timeline, day: int, action: Action, actor: str,
            **details: Any) -> int:
        """Add a step on ``day`` (or just after the previous one); returns the day it landed on."""
        stamp = timeline.at(day)
        plan.steps.append(Step(action, details, actor, stamp))
        return timeline.day_of(stamp)

    def _to_store(self, plan: Plan, timeline: _Timeline, day: int, store: str | None = None) -> tuple[int, str]:
        store = store or self.rng.choice(STORES)
        day = self._do(plan, timeline, day + self.rng.randint(2, 6), Action.TRANSFER, "merchandiser",
                       to_location=store)
        return day, store

    def _sell(self, plan: Plan, timeline: _Timeline, day: int, store: str) -> int:
        stamp = timeline.at(day)
        receipt = f"{store}-{stamp.astimezone(BRUSSELS):%Y%m%d}-{next(self.receipt_numbers)}"
        plan.steps.append(Step(Action.SELL, {"receipt": receipt}, "store", stamp))
        return timeline.day_of(stamp)

    def _current_price(self, plan: Plan) -> int:
        price = plan.style.price_cents
        for step in plan.steps:
            if step.action in (Action.MARK_DOWN, Action.MOVE_TO_OUTLET) and "price_cents" in step.details:
                price = step.details["price_cents"]
        return price

    # stories: each ends in the state named in STORY_STATES

    def in_stock(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("in_stock", style)
        if self.rng.random() < 0.12:
            return plan  # still at the warehouse (reserve stock)
        day, store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        if self.rng.random() < 0.25:
            # rebalancing between stores: a size that sells better elsewhere
            other = self.rng.choice([s for s in STORES if s != store])
            day = self._do(plan, tl, day + self.rng.randint(10, 40), Action.TRANSFER, "store",
                           to_location=other, note="Size rebalancing between stores")
        if season.sale < -1 and self.rng.random() < 0.5:
            self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                     price_cents=sale_price(style.price_cents, 30), note="Summer sales" if
                     style.season.startswith("SS") else "Winter sales")
        return plan

    def sold(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("sold", style)
        day, store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        sell_day = day + self.rng.randint(3, 120)
        if sell_day >= season.sale:
            self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                     price_cents=sale_price(style.price_cents, 30))
        self._sell(plan, tl, max(sell_day, day + 1), store)
        return plan

    def customer_return(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("customer_return", style)
        day, store = self._to_store(plan, tl, day)
        day = self._sell(plan, tl, day + self.rng.randint(3, 60), store)
        back_at = store if self.rng.random() < 0.7 else self.rng.choice(STORES)
        day = self._do(plan, tl, day + self.rng.randint(2, 28), Action.CUSTOMER_RETURN, "store",
                       location=back_at, note=self.rng.choice(
                           ["Wrong size", "Changed her mind", "Colour looks different at home",
                            "Gift exchange"]))
        roll = self.rng.random()
        if roll < 0.3:
            day = self._do(plan, tl, day + 1, Action.START_CARE, "store", care_kind="cleaning",
                           note="Make-up on the collar after fitting")
            self._do(plan, tl, day + self.rng.randint(2, 5), Action.FINISH_CARE, "store", outcome="done",
                      cost_cents=self.rng.choice([450, 600, 750]))
        elif roll < 0.75:
            self._sell(plan, tl, day + self.rng.randint(2, 30), back_at)
        return plan

    def in_care_from_stock(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("in_care", style)
        day, store = self._to_store(plan, tl, day)
        day = self._sell(plan, tl, max(day + 3, -self.rng.randint(14, 40)), store)
        day = self._do(plan, tl, min(day + self.rng.randint(2, 8), -3), Action.CUSTOMER_RETURN, "store",
                       location=store, note="Returned with a loose button")
        self._do(plan, tl, day + self.rng.randint(1, 2), Action.START_CARE, "store", care_kind="repair",
                 note="Sew the button back on before it goes back on the rail")
        return plan

    def outlet(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("outlet", style)
        day, _store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        first = sale_price(style.price_cents, 30)
        day = self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                       price_cents=first, note="Sales: first markdown")
        if self.rng.random() < 0.5:
            day = self._do(plan, tl, day + self.rng.randint(12, 20), Action.MARK_DOWN, "merchandiser",
                           price_cents=sale_price(style.price_cents, 50), note="Sales: second markdown")
        outlet_price = sale_price(style.price_cents, 60)
        day = self._do(plan, tl, max(day + 1, season.outlet), Action.MOVE_TO_OUTLET, "merchandiser",
                       to_location=OUTLET, price_cents=min(outlet_price, self._current_price(plan)),
                       note="End of season: offered in our own outlet before any buyer")
        if self.rng.random() < 0.55:
            self._sell(plan, tl, day + self.rng.randint(3, 90), OUTLET)
        return plan

    def remanufactured(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("remanufactured", style)
        day, _store = self._to_store(plan, tl, day)
        season = SEASONS[style.season]
        day = self._do(plan, tl, max(day + 1, season.sale), Action.MARK_DOWN, "merchandiser",
                       price_cents=sale_price(style.price_cents, 30))
        day = self._do(plan, tl, max(day + 1, season.outlet), Action.MOVE_TO_OUTLET, "merchandiser",
                       to_location=OUTLET, price_cents=sale_price(style.price_cents, 60))
        self._do(plan, tl, day + self.rng.randint(40, 90), Action.RETIRE, "merchandiser",
                 route="remanufacturing",
                 note="CKS x Rebelle Antwerp: reworked with leftover fabric into a unique blazer")
        return plan

    def offcuts(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("offcuts", style)
        day, store = self._to_store(plan, tl, day)
        if self.rng.random() < 0.5:
            day = self._do(plan, tl, day + self.rng.randint(10, 60), Action.START_CARE, "store",
                           care_kind="repair", note="Torn seam at the side after a fitting")
            day = self._do(plan, tl, day + self.rng.randint(3, 8), Action.FINISH_CARE, "store",
                           outcome="failed", note="Fabric torn along the seam: not repairable")
            self._do(plan, tl, day + 1, Action.INSPECT, "store", grade="E", retire_route="offcuts",
                     defects=[{"code": "TEAR", "zone": "seam", "severity": 4,
                               "note": "Fabric torn next to the side seam"}])
        else:
            self._do(plan, tl, day + self.rng.randint(30, 120), Action.RETIRE, "workshop",
                     route="offcuts",
                     note=self.rng.choice(["Cut into jewellery pouches in the in-store workshop",
                                           "Cut into toiletry bags in the in-store workshop",
                                           "Fabric for bracelets made with customers"]))
        return plan

    def stolen(self, style: DemoStyle) -> Plan:
        plan, tl, day = self._start("stolen", style)
        day, _store = self._to_store(plan, tl, day)
        self._do(plan, tl, day + self.rng.randint(5, 40), Action.WRITE_OFF, "merchandiser",
                 reason="stolen", note="Security tag found in the fitting room; missing at the stock count")
        return plan

    # rental: the Dressr pool at the Antwerp store

    def _rental_start(self, story: str, style: DemoStyle) -> tuple[Plan, _Timeline, int]:
        plan, tl, day = self._start(story, style)
        # the pool grew over the last year: older pieces joined it after a season in the shops
        pool_day = self.rng.randint(max(day + 4, -300), max(day + 5, -45))
        if pool_day - day > 60:
            day, store = self._to_store(plan, tl, day)
            if store != RENTAL_HUB:
                self._do(plan, tl, pool_day - 1, Action.TRANSFER, "merchandiser", to_location=RENTAL_HUB,
                         note="To the Dressr rental pool: a second life after the season")
        else:
            self._to_store(plan, tl, max(day, pool_day - 8), RENTAL_HUB)
        day = self._do(plan, tl, pool_day, Action.ADD_TO_RENTAL_POOL, "store", partner=self.partner_id)
        return plan, tl, day

    def _check_out(self, plan: Plan, tl: _Timeline, day: int) -> int:
        stamp = tl.at(day)
        due = stamp.astimezone(BRUSSELS).date() + dt.timedelta(days=10)  # Dressr's one-off rental
        details: dict[str, Any] = {"partner": self.partner_id, "due_on": due.isoformat()}
        if self.rng.random() < 0.8:
            details["partner_reference"] = f"DR-{self.rng.randint(100000, 999999)}"
        plan.steps.append(Step(Action.CHECK_OUT_RENTAL, details, "store", stamp))
        return tl.day_of(stamp)

    def _normal_return(self, plan: Plan, tl: _Timeline, day: int) -> int:
        """One normal end of rental: inspected, then back to the pool (through care when needed)."""
        roll = self.rng.random()
        if roll < 0.08:
            # the box came back with the weekly laundry run: inspected a day or two later
            day = self._do(plan, tl, day, Action.RECEIVE_RENTAL_RETURN, "store", location=RENTAL_HUB)
            grade = "A" if self.rng.random() < 0.6 else "B"
            day = self._do(plan, tl, day + self.rng.randint(1, 3), Action.INSPECT, "store",
                           reason="end_of_rental", grade=grade,
                           defects=self._minor_defects() if grade == "B" else [])
            if grade == "B":
                day = self._do(plan, tl, day + self.rng.randint(2, 5), Action.FINISH_CARE, "store",
                               outcome="done", cost_cents=self.rng.choice([600, 750, 900]))
            return day
        if roll < 0.70:
            return self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental",
                            grade="A", location=RENTAL_HUB)
        if roll < 0.97:
            day = self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental",
                           grade="B", location=RENTAL_HUB, defects=self._minor_defects())
            return self._do(plan, tl, day + self.rng.randint(2, 6), Action.FINISH_CARE, "store",
                            outcome="done", cost_cents=self.rng.choice([600, 750, 900]),
                            note="Cleaned by the external laundry")
        defect = self.rng.choice([
            {"code": "TRIM", "zone": "closure", "severity": 2, "note": "Zip pull came off"},
            {"code": "SEAM", "zone": "hem", "severity": 2, "note": "Hem stitching open over 5 cm"},
            {"code": "TRIM", "zone": "front", "severity": 1, "note": "One button missing"},
        ])
        day = self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental", grade="C",
                       location=RENTAL_HUB, defects=[defect])
        return self._do(plan, tl, day + self.rng.randint(3, 9), Action.FINISH_CARE, "store",
                        outcome="done", cost_cents=self.rng.choice([1500, 2200, 3500]),
                        note="Repaired by the alterations atelier")

    def _minor_defects(self) -> list[dict[str, Any]]:
        if self.rng.random() < 0.7:
            return []  # most pieces just need a wash
        return [self.rng.choice([
            {"code": "STN", "zone": "front", "severity": 1, "note": "Small wine stain"},
            {"code": "STN", "zone": "collar", "severity": 1, "note": "Make-up on the collar"},
            {"code": "ODOUR", "zone": "whole", "severity": 1, "note": "Perfume"},
            {"code": "PILL", "zone": "sleeve", "severity": 1, "note": "Light pilling under the arms"},
            {"code": "FIT", "zone": "waist", "severity": 1, "note": "Waist band slightly stretched"},
        ])]

    def _cycles(self, plan: Plan, tl: _Timeline, day: int, until: int) -> int:
        """Full rental cycles (check-out → return → back in the pool) that end before ``until``."""
        while True:
            start = day + self.rng.randint(4, 35)
            length = self.rng.randint(7, 12)
            if start + length + 10 >= until:
                return day
            self._check_out(plan, tl, start)
            day = self._normal_return(plan, tl, start + length)

    def rental(self, style: DemoStyle, ending: GarmentState) -> Plan:
        plan, tl, day = self._rental_start(f"rental:{ending.value}", style)
        if ending is GarmentState.IN_RENTAL_POOL:
            self._cycles(plan, tl, day, -1)
        elif ending is GarmentState.RENTED_OUT:
            day = self._cycles(plan, tl, day, -16)
            self._check_out(plan, tl, max(day + 1, self.rng.randint(-14, -1)))  # beyond -10 is overdue
        elif ending is GarmentState.AWAITING_INSPECTION:
            day = self._cycles(plan, tl, day, -18)
            day = self._check_out(plan, tl, max(day + 1, self.rng.randint(-15, -8)))
            self._do(plan, tl, max(day + 1, self.rng.randint(-3, -1)), Action.RECEIVE_RENTAL_RETURN, "store",
                     location=RENTAL_HUB, note="Back with the weekly laundry exchange")
        elif ending is GarmentState.IN_CARE:
            day = self._cycles(plan, tl, day, -18)
            day = self._check_out(plan, tl, max(day + 1, self.rng.randint(-16, -10)))
            self._normal_care_return(plan, tl, max(day + 1, self.rng.randint(-4, -1)))
        elif ending is GarmentState.IN_STOCK:
            day = self._cycles(plan, tl, day, -40)
            if self.rng.random() < 0.5:
                self._do(plan, tl, day + self.rng.randint(1, 10), Action.REMOVE_FROM_RENTAL_POOL, "store",
                         note="End of the season in the rental pool")
            else:
                day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
                day = self._do(plan, tl, day + self.rng.randint(8, 11), Action.RETURN_RENTAL, "store",
                               reason="end_of_rental", grade="D", location=RENTAL_HUB,
                               defects=[{"code": "FADE", "zone": "whole", "severity": 2,
                                         "note": "Colour faded after many washes"}],
                               note="Worn out for rental; fine for the outlet")
                self._do(plan, tl, day + self.rng.randint(5, 20), Action.MOVE_TO_OUTLET, "merchandiser",
                         to_location=OUTLET, price_cents=sale_price(style.price_cents, 60))
        elif ending is GarmentState.RETIRED:
            day = self._cycles(plan, tl, day, -40)
            day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
            day = self._do(plan, tl, day + self.rng.randint(8, 11), Action.RETURN_RENTAL, "store",
                           reason="customer_damage", grade="C", location=RENTAL_HUB,
                           defects=[{"code": "TEAR", "zone": "back", "severity": 4,
                                     "note": "Large tear across the back panel"}])
            day = self._do(plan, tl, day + self.rng.randint(3, 8), Action.FINISH_CARE, "store",
                           outcome="failed", note="Tear too large to mend invisibly")
            self._do(plan, tl, day + 1, Action.INSPECT, "store", grade="E",
                     retire_route="offcuts", note="Fabric goes to the in-store workshop")
        elif ending is GarmentState.WRITTEN_OFF:
            day = self._cycles(plan, tl, day, -60)
            day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
            self._do(plan, tl, day + self.rng.randint(25, 40), Action.RETURN_RENTAL, "store", reason="lost",
                     note="Dressr reports the garment lost by the renter")
        else:  # pragma: no cover - the story table only names the endings above
            raise ValueError(ending)
        return plan

    def _normal_care_return(self, plan: Plan, tl: _Timeline, day: int) -> None:
        grade = self.rng.choice(["B", "B", "B", "C"])
        defects = self._minor_defects() if grade == "B" else [
            {"code": "SEAM", "zone": "seam", "severity": 2, "note": "Side seam opening"}]
        self._do(plan, tl, day, Action.RETURN_RENTAL, "store", reason="end_of_rental", grade=grade,
                 location=RENTAL_HUB, defects=defects)

    def quality_return(self, style: DemoStyle) -> Plan:
        """The report's one quality return: a snag-sensitive knit back after a rental with snags."""
        assert style.snag_sensitive
        plan, tl, day = self._rental_start("quality_return", style)
        day = self._cycles(plan, tl, day, -90)
        day = self._check_out(plan, tl, day + self.rng.randint(2, 10))
        day = self._do(plan, tl, day + 10, Action.RETURN_RENTAL, "store", reason="quality_return",
                       grade="D", location=RENTAL_HUB,
                       defects=[{"code": "SNAG", "zone": "front", "severity": 3,
                                 "note": "Pulled loops in the fine knit across the front after one wear"}],
                       note="Renter returned it early: the knit snagged on a bag strap. "
                            "Point of attention for future collections.")
        self._do(plan, tl, day + self.rng.randint(5, 15), Action.MOVE_TO_OUTLET, "merchandiser",
                 to_location=OUTLET, price_cents=sale_price(style.price_cents, 60))
        return plan


#: story → (final state, weight for the random part, which styles suit it)
Story = tuple[Callable[[Planner, DemoStyle], Plan], GarmentState, float, Callable[[DemoStyle], bool]]


def _any(_: DemoStyle) -> bool:
    return True


def _current(style: DemoStyle) -> bool:
    return style.season == "SS26"


def _older(style: DemoStyle) -> bool:
    return style.season != "SS26"


def _rental(style: DemoStyle) -> bool:
    return style.rental and not style.snag_sensitive


def _remanufacturable(style: DemoStyle) -> bool:
    return style.category in ("blazer", "coat") and style.season != "SS26"


def _rental_story(ending: GarmentState) -> Callable[[Planner, DemoStyle], Plan]:
    return lambda planner, style: planner.rental(style, ending)


S = GarmentState
STORIES: dict[str, Story] = {
    "in_stock": (Planner.in_stock, S.IN_STOCK, 22, _current),
    "sold": (Planner.sold, S.SOLD, 22, _any),
    "customer_return": (Planner.customer_return, S.IN_STOCK, 4, _any),
    "outlet": (Planner.outlet, S.IN_STOCK, 12, _older),
    "in_care": (Planner.in_care_from_stock, S.IN_CARE, 1.5, _any),
    "rental_pool": (_rental_story(S.IN_RENTAL_POOL), S.IN_RENTAL_POOL, 5, _rental),
    "rented_out": (_rental_story(S.RENTED_OUT), S.RENTED_OUT, 5.5, _rental),
    "awaiting_inspection": (_rental_story(S.AWAITING_INSPECTION), S.AWAITING_INSPECTION, 1.5, _rental),
    "rental_care": (_rental_story(S.IN_CARE), S.IN_CARE, 1.5, _rental),
    "rental_to_stock": (_rental_story(S.IN_STOCK), S.IN_STOCK, 1.2, _rental),
    "rental_retired": (_rental_story(S.RETIRED), S.RETIRED, 0.5, _rental),
    "remanufactured": (Planner.remanufactured, S.RETIRED, 1.5, _remanufacturable),
    "offcuts": (Planner.offcuts, S.RETIRED, 2.5, _older),
    # exactly one each: the theft, the piece the renter lost, the report's quality return
    "stolen": (Planner.stolen, S.WRITTEN_OFF, 0, _any),
    "rental_lost": (_rental_story(S.WRITTEN_OFF), S.WRITTEN_OFF, 0, _rental),
    "quality_return": (Planner.quality_return, S.IN_STOCK, 0, lambda s: s.snag_sensitive),
}


def plan_garments(*, count: int, rng: random.Random, now: dt.datetime, partner_id: int) -> list[Plan]:
    """Histories for ``count`` garments, oldest receipt first. Every story (and so every
    reachable state) appears once before the rest is drawn by weight."""
    planner = Planner(rng, now, partner_id)
    names = list(STORIES)
    weighted = [n for n in names if STORIES[n][2] > 0]
    chosen = names[:count] + rng.choices(weighted, weights=[STORIES[n][2] for n in weighted],
                                         k=max(0, count - len(names)))
    plans = []
    for name in chosen:
        make, _state, _weight, suits = STORIES[name]
        style = rng.choice([s for s in STYLES if suits(s)])
        plans.append(make(planner, style))
    plans.sort(key=lambda p: p.received_at)
    return plans


# --- writing ----------------------------------------------------------------------------------


def load_demo_data(session: Session, *, now: dt.datetime, seed: int = DEFAULT_SEED,
                   count: int = DEFAULT_GARMENTS) -> DemoResult:
    """Fill the database with the demo chain; every garment change goes through the ledger.

    Receipts are written in one transaction (``receive_garment(commit=False)``); every later
    change is one ``garments.act`` call, which commits per action as in the shop.
    """
    result = DemoResult()
    partner_id = ensure_catalogue(session, result)
    users = ensure_users(session, result)  # after the locations: users have a home location
    styles = {s.style_number: s for s in session.scalars(select(Style))}
    plans = plan_garments(count=count, rng=random.Random(seed), now=now,
                          partner_id=partner_id)
    received: list[tuple[str, Plan]] = []
    for plan in plans:
        garment = catalogue.receive_garment(
            session, style=styles[plan.style.number], size=plan.size, location_code=plan.location,
            actor=users["merchandiser"], now=plan.received_at, commit=False)
        received.append((garment.code, plan))
    session.commit()
    for code, plan in received:
        for step in plan.steps:
            garments.act(session, code=code, action=step.action, details=step.details,
                         actor=users[step.actor], now=step.at)
    result.garments = len(received)
    result.events = session.scalar(select(func.count()).select_from(GarmentEvent)) or 0
    result.states = {state.value: n for state, n in session.execute(
        select(Garment.state, func.count()).group_by(Garment.state)).all() if state is not None}
    return result

