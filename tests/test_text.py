"""core.text: the one charset decoder (crawler and extractors) and the one radical table."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

from core.text import clean_text, decode, decode_html, radical_table

ROOT = Path(__file__).resolve().parent.parent


def test_html_charsets_declared_undeclared_and_lying():
    gbk_page = '<html><head><meta charset="gb2312"></head><body>联系人：王堃 朱镕基</body></html>'.encode("gb18030")
    decoded = decode_html(gbk_page, "text/html")
    assert "王堃 朱镕基" in decoded.text and decoded.encoding == "gb18030"
    assert "王堃" in decode_html(gbk_page, "text/html; charset=GBK").text
    undeclared = ("<html><body>" + "部门整体支出绩效自评报告，预算执行率百分之九十八。" * 5 + "</body></html>").encode("gbk")
    assert "绩效自评报告" in decode_html(undeclared, "text/html").text
    lying = '<html><head><meta charset="utf-8"></head><body>部门整体支出绩效自评报告</body></html>'.encode("gbk")
    assert "绩效自评报告" in decode_html(lying, "text/html; charset=utf-8").text
    bom = "\ufeff<p>自评</p>".encode("utf-8")
    assert decode_html(bom, "text/html; charset=gbk").text == "<p>自评</p>"


def test_a_few_stray_bytes_are_replaced_and_counted():
    data = ("部门整体支出绩效自评报告" * 40).encode("utf-8") + b"\xff" + "完".encode("utf-8")
    decoded = decode(data)
    assert decoded.encoding == "utf-8" and decoded.replaced == 1 and not decoded.damaged
    assert decoded.text.endswith("\ufffd完")


def test_bytes_no_encoding_fits_are_damaged_not_raised():
    decoded = decode(bytes(range(0x80, 0x100)) * 20, fallbacks=("utf-8",))
    assert decoded.damaged or decoded.detected  # the caller decides; nothing raised


def test_radical_table_is_what_the_unicode_data_gives():
    check = subprocess.run([sys.executable, "scripts/derive_radicals.py", "--check"], cwd=ROOT)
    assert check.returncode == 0, "core/radicals.csv is stale: run python scripts/derive_radicals.py"


def test_radicals_fold_to_unicodes_equivalent_ideograph():
    assert clean_text("⼀级指标⻘⻓⻋\u200b") == "一级指标青长车"  # Kangxi by NFKC, supplement by table, ZWSP dropped
    assert "\u2e80" not in radical_table()  # CJK RADICAL REPEAT has no equivalent (UCD 14.0.0)
    for code, ideograph in radical_table().items():
        assert unicodedata.name(ideograph).startswith("CJK"), hex(code)
        assert clean_text(ideograph) == ideograph  # a fixed point: folding twice changes nothing
