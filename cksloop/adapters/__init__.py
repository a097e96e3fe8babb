"""The outside world behind small functions: QR symbols, PDF label sheets, ZPL for label printers."""
