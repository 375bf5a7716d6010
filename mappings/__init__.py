"""Raw tables → canonical facts (SPEC §3). Entry point: ``map_filing``."""

from mappings.filing import map_filing

__all__ = ["map_filing"]
