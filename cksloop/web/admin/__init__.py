"""Administration: the audit trail of the garment ledger."""
