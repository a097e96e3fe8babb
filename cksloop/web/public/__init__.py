"""What a scanned label opens: the public product page, or the garment page for signed-in staff."""
