"""Pages of issue 14's compliance side: the unsold-goods disclosure, proof of buyer lots, lots overdue for proof."""
