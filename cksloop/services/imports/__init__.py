"""CSV import of styles, garments, style plans and the tills' sales: validate every row first, then write all or nothing.

The column reference is docs/import-format.md. A file with any error imports nothing; the
report names each problem by row (the spreadsheet row: the header is row 1), column and reason.
Garments arrive through ``catalogue.receive_garment``, so each one starts its ledger with a
``receive`` event like a garment received in the shop.
"""
from __future__ import annotations

from cksloop.services.imports.garments import GARMENT_COLUMNS, default_receiver, import_garments
from cksloop.services.imports.plans import PLAN_COLUMNS, import_plans
from cksloop.services.imports.rows import (MAX_BYTES, MAX_ERRORS, MAX_FIELD, MAX_PRICE_CENTS, MAX_ROWS, ImportReport,
                                           RowError, parse_price, shown)
from cksloop.services.imports.sales import SALES_COLUMNS, import_sales
from cksloop.services.imports.styles import COUNTRIES, STYLE_COLUMNS, import_styles

__all__ = ["COUNTRIES", "GARMENT_COLUMNS", "MAX_BYTES", "MAX_ERRORS", "MAX_FIELD", "MAX_PRICE_CENTS", "MAX_ROWS",
           "PLAN_COLUMNS", "SALES_COLUMNS", "STYLE_COLUMNS", "ImportReport", "RowError", "default_receiver", "import_garments",
           "import_plans", "import_sales", "import_styles",
           "parse_price", "shown"]
