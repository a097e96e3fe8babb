"""SQLAlchemy 2.0 typed models, one module per feature; they reuse the domain's enums so there is one word per concept.

Import models from here (`from cksloop.db.models import Garment`): every module is loaded, so the
mapper registry knows every table before the first query.
"""
from cksloop.db.models.base import Base, utcnow
from cksloop.db.models.catalogue import Location, Style, StyleMaterial, StyleSize
from cksloop.db.models.accounts import AccountEvent, ApiToken, LoginFailure, Setting, User, UserStore
from cksloop.db.models.buyers import Buyer, BuyerContract, BuyerLot, BuyerLotGarment
from cksloop.db.models.buyer_proof import BuyerLotEvent, BuyerLotProof, ContractDocument
from cksloop.db.models.disclosure import DiscardEvidence
from cksloop.db.models.ledger import Garment, GarmentEvent, GarmentExit, IdempotencyRecord
from cksloop.db.models.offcuts import OffcutLot, OffcutLotEvent
from cksloop.db.models.rental import (AttentionAcknowledgement, CareStep, DefectPhoto, Inspection,
                                      InspectionDefect, RentalCycle, RentalDefectRollup, RentalOpenCount,
                                      RentalPartner, RentalPoolStay, RentalRollup, RentalTurnaround)
from cksloop.db.models.charter import MaterialTarget
from cksloop.db.models.overstock import (CollectionRulesVersion, MarkdownPolicyVersion, OverstockDailySales,
                                        OverstockMonthlySales, StyleMonthlyReceipts, StylePlan,
                                        StyleSizeReceipts)
from cksloop.db.models.overstock_reviews import OverstockReview, OverstockReviewDecision, PosSale
from cksloop.db.models.workshops import (RemanufacturedGarment, RemanufacturedStyle, RemanufacturingProject, Workshop,
                                        WorkshopEntry, WorkshopProductType)

__all__ = [
    "AccountEvent", "ApiToken", "AttentionAcknowledgement", "Base", "Buyer", "BuyerContract", "BuyerLot",
    "BuyerLotEvent", "BuyerLotGarment", "BuyerLotProof", "CareStep", "ContractDocument",
    "DiscardEvidence", "CollectionRulesVersion", "DefectPhoto", "Garment", "GarmentEvent", "GarmentExit",
    "IdempotencyRecord", "Inspection", "InspectionDefect", "Location", "LoginFailure", "MarkdownPolicyVersion",
    "MaterialTarget",
    "OffcutLot", "OffcutLotEvent", "OverstockDailySales", "OverstockMonthlySales", "OverstockReview",
    "OverstockReviewDecision", "PosSale",
    "RentalCycle",
    "RentalDefectRollup", "RentalOpenCount", "RentalPartner", "RentalPoolStay", "RentalRollup", "RentalTurnaround",
    "Setting", "Style",
    "StyleMaterial", "StyleMonthlyReceipts", "StylePlan", "StyleSize", "StyleSizeReceipts", "User", "UserStore", "utcnow",
    "RemanufacturedGarment", "RemanufacturedStyle", "RemanufacturingProject", "Workshop", "WorkshopEntry",
    "WorkshopProductType",
]
