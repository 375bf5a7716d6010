"""A filing's region: the one rule the warehouse, the report's ``--region`` and SQL share.

The portal's configured ``region`` wins. Otherwise the region is read from the start of the
unit's name (or the article title) with the division names of ``regions.toml``: an optional
province, a city (or its alias), a county of that city, each matched whole and longest first,
so ``湘潭县市场监督管理局`` gives 湖南省湘潭市湘潭县 and never a city 湘潭县市. A known city or
county brings its province and city with it (``芦淞区财政局`` → 湖南省株洲市芦淞区). For cities the
file does not list, a province followed by a name ending in 市/自治州/地区/盟 is taken as long as
that ending does not start an office's name (市场监督管理局, 市政工程…).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

REGIONS_FILE = Path(__file__).with_name("regions.toml")

# A city name of a province the data does not list; the look-ahead keeps office names out.
_OTHER_CITY = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:自治州|地区|盟|市(?![场政容民]))")


@dataclass(frozen=True)
class City:
    province: str
    name: str
    aliases: tuple[str, ...]
    counties: tuple[str, ...]


@dataclass(frozen=True)
class Divisions:
    provinces: tuple[str, ...]
    cities: tuple[City, ...]

    # Worked out once per Divisions (read once): split_region asks for them for every unit name it reads.
    @cached_property
    def _city_names(self) -> list[tuple[str, City]]:
        pairs = [(n, c) for c in self.cities for n in (c.name, *c.aliases)]
        return sorted(pairs, key=lambda p: -len(p[0]))

    @cached_property
    def _counties(self) -> dict[City | None, list[tuple[str, City]]]:
        by_city: dict[City | None, list[tuple[str, City]]] = {
            city: sorted(((n, city) for n in city.counties), key=lambda p: -len(p[0])) for city in self.cities}
        shared = Counter(n for c in self.cities for n in c.counties)
        by_city[None] = sorted(((n, c) for c in self.cities for n in c.counties if shared[n] == 1),
                               key=lambda p: -len(p[0]))
        return by_city

    def city_names(self) -> list[tuple[str, City]]:
        """(name or alias, city), longest name first."""
        return self._city_names

    def counties(self, city: City | None = None) -> list[tuple[str, City]]:
        """(county, its city), longest first; a name two cities share is left out when no city is given."""
        return self._counties.get(city, [])


@lru_cache(maxsize=1)
def divisions(path: Path = REGIONS_FILE) -> Divisions:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cities = tuple(
        City(c["province"], c["name"], tuple(c.get("aliases", ())), tuple(c.get("counties", ())))
        for c in data.get("city", ())
    )
    return Divisions(tuple(data.get("provinces", ())), cities)


def _prefix(text: str, pairs: list[tuple[str, City]]) -> tuple[str, City] | None:
    return next(((n, c) for n, c in pairs if text.startswith(n)), None)


def region_from_name(name: str | None, data: Divisions | None = None) -> str | None:
    """``湖南省株洲市芦淞区`` from ``株洲市芦淞区人民代表大会常务委员会``; None when it names no region."""
    return split_region(name, data)[0]


def split_region(name: str | None, data: Divisions | None = None) -> tuple[str | None, str]:
    """(the region the name starts with, the rest): (湖南省株洲市芦淞区, 人民代表大会常务委员会)."""
    if not name:
        return None, ""
    data = data or divisions()
    text = re.sub(r"\s+", "", name)
    province = next((p for p in sorted(data.provinces, key=len, reverse=True) if text.startswith(p)), None)
    rest = text[len(province):] if province else text
    city_hit = _prefix(rest, data.city_names())
    if city_hit and province not in (None, city_hit[1].province):
        city_hit = None
    if city_hit:
        name_seen, city = city_hit
        rest = rest[len(name_seen):]
        county_hit = _prefix(rest, data.counties(city))
        rest = rest[len(county_hit[0]):] if county_hit else rest
        return city.province + city.name + (county_hit[0] if county_hit else ""), rest
    county_hit = _prefix(rest, data.counties())
    if county_hit and province in (None, county_hit[1].province):
        county, city = county_hit
        return city.province + city.name + county, rest[len(county):]
    if province:
        other = _OTHER_CITY.match(rest)
        return province + (other.group(0) if other else ""), rest[len(other.group(0)) if other else 0:]
    return None, text


def region_of(configured: str | None, *names: str | None) -> str | None:
    """The configured region, else the first of ``names`` (unit name, title, …) that names one."""
    if configured and configured.strip():
        return configured.strip()
    return next((r for r in map(region_from_name, names) if r), None)
