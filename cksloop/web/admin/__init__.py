"""Administration: the audit trail of the garment ledger, and users and their API tokens."""
