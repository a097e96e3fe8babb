"""Reports: rental quality analytics, attention points and the yearly statement."""
