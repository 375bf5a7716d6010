"""`jixiao demo`: the bundled sample portal served on 127.0.0.1 and crawled end to end."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from core.config import Config
from core.paths import Paths
from jixiao.samples.portal import build_site, serve_portal
from pipeline.crawl import crawl_and_load
from pipeline.load import RunOutcome
from pipeline.progress import Progress

DEMO_PORT = 18731  # a stable address keeps the sample filings' ids stable: a second demo changes nothing


def demo(db: Path, config: Config, progress: Progress | None = None, **options) -> RunOutcome:
    """Serve the bundled sample portal on 127.0.0.1, crawl it into ``db``, stop the server."""
    with tempfile.TemporaryDirectory(prefix="jixiao-portal-") as site_dir:
        site = build_site(Path(site_dir) / "site")
        base_url, stop = serve_portal(site.root, port=DEMO_PORT)
        try:
            config = replace(config, portals=(site.portal(base_url),))
            outcome = crawl_and_load(config, Paths(Path(db)), kind="demo", progress=progress, **options)
        finally:
            stop()
    outcome.summary["sample_portal"] = base_url
    return outcome
