"""Everything that imports Flask: one blueprint per user job, guards, errors."""
