"""Raw tables → canonical facts (SPEC §3). Entry points: ``map_filing``, ``non_report_reason``."""

from mappings.filing import map_filing
from mappings.reportness import non_report_reason

__all__ = ["map_filing", "non_report_reason"]
