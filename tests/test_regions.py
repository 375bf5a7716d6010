"""The region rule (core/regions.py): configured region first, else the unit's name."""

from __future__ import annotations

from pathlib import Path

import pytest

import warehouse
from core.regions import region_from_name, region_of
from tests.test_report import build_sample_warehouse


@pytest.mark.parametrize("name, region", [
    ("株洲市芦淞区人民代表大会常务委员会", "湖南省株洲市芦淞区"),
    # The county, then 市场监督管理局: never a city called 湘潭县市.
    ("湘潭县市场监督管理局", "湖南省湘潭市湘潭县"),
    ("长沙市市场监督管理局", "湖南省长沙市"),
    ("芦淞区财政局", "湖南省株洲市芦淞区"),
    ("湘西州吉首市教育局", "湖南省湘西土家族苗族自治州吉首市"),
    ("津市市财政局", "湖南省常德市津市市"),
    ("南县财政局", "湖南省益阳市南县"),
    ("湖南省财政厅", "湖南省"),
    ("广东省广州市财政局", "广东省广州市"),
    ("广东省市场监督管理局", "广东省"),
    ("湘潭市 市政工程管理处", "湖南省湘潭市"),
    ("财政局", None),
    ("", None),
    (None, None),
])
def test_region_from_the_unit_name(name, region):
    assert region_from_name(name) == region


def test_the_configured_region_wins_then_the_first_name_that_names_one():
    assert region_of("湖南省长沙市", "株洲市财政局") == "湖南省长沙市"
    assert region_of("  ", "某单位", "株洲市芦淞区2023年度整体支出绩效自评报告") == "湖南省株洲市芦淞区"
    assert region_of(None, None, "无地区") is None


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("warehouse"))


def test_the_warehouse_column_is_filled_by_the_rule(sample_db):
    _, rows = warehouse.query(sample_db, "SELECT department, region FROM filings ORDER BY filing_id")
    assert rows and all(region for _, region in rows), rows
    for department, region in rows:
        assert region == region_from_name(department) or region_from_name(department) is None
    _, wide = warehouse.query(sample_db, "SELECT DISTINCT region FROM staffing WHERE region LIKE '%株洲市%'")
    assert wide, "the wide views carry the same column"
