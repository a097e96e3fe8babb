"""The catalogue: locations, styles, their sizes and materials."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cksloop.db.models.base import Base, _enum
from cksloop.domain.lifecycle import LocationKind


class Location(Base):
    """A store, the warehouse, the outlet or a partner's site."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind))
    city: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Style(Base):
    """An article of a collection: what every garment of it shares."""

    __tablename__ = "styles"

    id: Mapped[int] = mapped_column(primary_key=True)
    style_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    season: Mapped[str] = mapped_column(String(8), index=True)  # SS25, AW25
    category: Mapped[str] = mapped_column(String(60))
    colour: Mapped[str] = mapped_column(String(60))
    size_run: Mapped[str] = mapped_column(String(120))  # "XS,S,M,L,XL" in shop order
    country_of_manufacture: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    supplier: Mapped[str] = mapped_column(String(120))
    retail_price_cents: Mapped[int] = mapped_column(Integer)
    care: Mapped[str] = mapped_column(Text, default="")
    #: Combined Nomenclature code (2 digits or more), the product category of the unsold-goods disclosure
    cn_code: Mapped[str | None] = mapped_column(String(10))
    unit_weight_g: Mapped[int | None] = mapped_column(Integer)  # one garment, for the disclosure's kg

    sizes: Mapped[list[StyleSize]] = relationship(back_populates="style", cascade="all, delete-orphan",
                                                  order_by="StyleSize.id")
    materials: Mapped[list[StyleMaterial]] = relationship(back_populates="style",
                                                          cascade="all, delete-orphan",
                                                          order_by="StyleMaterial.percent.desc()")

    @property
    def size_list(self) -> list[str]:
        return [s for s in self.size_run.split(",") if s]

    def gtin_for(self, size: str) -> str | None:
        for s in self.sizes:
            if s.size == size:
                return s.gtin
        return None


class StyleSize(Base):
    """A size of a style, with its GTIN where the style has one."""

    __tablename__ = "style_sizes"
    __table_args__ = (UniqueConstraint("style_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"))
    size: Mapped[str] = mapped_column(String(12))
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)  # GTIN-14, left-padded

    style: Mapped[Style] = relationship(back_populates="sizes")


class StyleMaterial(Base):
    """One fibre of a style's composition, in percent by weight."""

    __tablename__ = "style_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    style_id: Mapped[int] = mapped_column(ForeignKey("styles.id", ondelete="CASCADE"), index=True)
    fibre: Mapped[str] = mapped_column(String(60))  # EU fibre name: "cotton", "polyester", "lyocell"
    percent: Mapped[int] = mapped_column(Integer)
    sustainable: Mapped[bool] = mapped_column(Boolean, default=False)
    certification: Mapped[str] = mapped_column(String(80), default="")  # "organic", "recycled", "LENZING™ TENCEL™"

    style: Mapped[Style] = relationship(back_populates="materials")
