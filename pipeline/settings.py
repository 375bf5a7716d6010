"""The user's configuration as the pipeline reads it (no Prefect import here: ``serve`` must set
PREFECT_API_URL before Prefect is first imported)."""

from __future__ import annotations

from pathlib import Path

from core.config import DEFAULT_CONFIG, Config, load_config
from mappings.vocabulary import use_user_vocabulary


def settings(config_path: str | None, required: bool = False) -> Config:
    """The config file named, else ./jixiao.toml if present, else defaults (no portals, no alerts).

    Its ``[mapping] vocabulary`` is merged over the bundled vocabulary from here on.
    """
    config = Config()
    if config_path or required or Path(DEFAULT_CONFIG).is_file():
        config = load_config(Path(config_path) if config_path else None)
    use_user_vocabulary(config.vocabulary)
    return config


def channels_of(config: Config) -> list:
    """Alert channels of the config; relative template folders are relative to the file."""
    if not config.alerts_raw:
        return []
    import alerts  # here, not above: `jixiao facts` reads the config and needs no warehouse or channels

    base = config.path.parent if config.path else None
    return alerts.parse_channels(list(config.alerts_raw), base_dir=base, timezone=config.schedule.timezone)
