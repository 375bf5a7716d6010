from extractors.textdump import parse_dump
from tests.conftest import seed_path


def test_seed_004_tables_and_cells():
    extraction = parse_dump(seed_path(4).read_text(), "004.txt")
    basic, overall = extraction.tables
    assert basic.rows[0][:4] == ["财政供养人员情况（人）", "编制数", "2023年实际在职人数", "控制率"]
    assert basic.rows[1][:4] == ["", "21", "35", "60%"]
    # a cell with a blank line inside stays one cell, in the same row
    row = next(r for r in overall.rows if r[1] and r[1].startswith("效益指标"))
    assert row[1] == "效益指标\n\n（20分）\n\u3000"
    assert row[2] == "经济效\n益指标"


def test_every_seed_parses():
    counts = [len(parse_dump(seed_path(n).read_text()).tables) for n in range(5)]
    assert counts == [4, 39, 1, 0, 2]
