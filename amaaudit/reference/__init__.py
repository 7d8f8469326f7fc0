"""Reference data bundled with the suite (where each list comes from is in its ``_source``)."""
