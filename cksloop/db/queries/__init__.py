"""The read side for pages and the API, one module per feature: garments, the catalogue, paging.

Web code reads the database through these modules (or through services), never with SQL of its
own. Every name is re-exported here, so ``queries.search_garments`` reads as what it does.
"""
from cksloop.db.queries.catalogue import (LocationChoice, PartnerChoice, StyleRow, active_locations,
                                          all_locations, categories, counts_by_size, counts_by_state,
                                          location_by_code, rental_partners, search_styles, seasons,
                                          style_by_number)
from cksloop.db.queries.garments import (GarmentRow, GarmentSearch, HistoryEntry, NamesInDetails, OpenRental,
                                         ScannedGarment, defect_photos_by_event, every_name, export_garments, garment_by_code, garment_history, names_in_details,
                                         open_rental, scanned_garment, search_garments)
from cksloop.db.queries.paging import COUNT_CAP, MAX_PAGE, PAGE_SIZE, Page, capped_count

__all__ = [
    "COUNT_CAP", "MAX_PAGE", "PAGE_SIZE", "GarmentRow", "GarmentSearch", "HistoryEntry", "LocationChoice",
    "NamesInDetails", "OpenRental", "Page", "PartnerChoice", "ScannedGarment", "StyleRow", "active_locations",
    "all_locations", "capped_count", "categories", "counts_by_size", "counts_by_state", "defect_photos_by_event", "every_name", "export_garments", "garment_by_code",
    "garment_history", "location_by_code", "names_in_details", "open_rental", "rental_partners",
    "scanned_garment", "search_garments", "search_styles", "seasons", "style_by_number",
]
