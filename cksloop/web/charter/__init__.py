"""The yearly charter report pages: figures with the year before, drill lists, CSV, material targets."""
