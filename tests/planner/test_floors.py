"""``collegium plan solve --floors FILE``: floors from a product,floor file (such as the
remedies of condition reports) raise the economy's floors; bad lines are located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collegium.cli import main
from collegium.planner.io import load, read_floors
from collegium.planner.model import InputError

BAKERY = Path(__file__).parent / "data" / "bakery"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_floors_raise_but_never_lower(tmp_path: Path) -> None:
    economy = load(BAKERY)
    floors = tmp_path / "floors.csv"
    floors.write_text("product,floor\nhousing,35.5\nbread,5\nflour,2\n")
    raised = read_floors(floors, economy)
    index = economy.product_index
    assert raised[index["housing"]] == 35.5 and raised[index["flour"]] == 2
    assert raised[index["bread"]] == 5  # below the economy's 20: the maximum keeps 20


def test_solve_meets_the_raised_floors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    floors = tmp_path / "floors.csv"
    floors.write_text("product,floor\nhousing,35.5\nbread,5\n")
    code, out, err = run(capsys, "solve", str(BAKERY), "--json", "--floors", str(floors))
    assert code == 0, err
    plain = json.loads(run(capsys, "solve", str(BAKERY), "--json")[1])
    raised = json.loads(out)
    assert raised["t"] < plain["t"]  # more housing repairs, fewer baskets
    code, text, _ = run(capsys, "solve", str(BAKERY), "--floors", str(floors))
    assert code == 0 and f"floors from {floors}: 1 raised" in text


def test_unmeetable_floors_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    floors = tmp_path / "floors.csv"
    floors.write_text("product,floor\nhousing,100000\n")
    code, out, _ = run(capsys, "solve", str(BAKERY), "--json", "--floors", str(floors))
    assert code == 3
    assert json.loads(out)["infeasible"]["floors"][0]["product"] == "housing"


def test_bad_floors_are_located(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    floors = tmp_path / "floors.csv"
    floors.write_text(
        "product,floor\ncake,1\nbread,-2\nflour,NaN\nwork,3\nhousing,1\nhousing,2\nland,\n"
    )
    code, out, err = run(capsys, "solve", str(BAKERY), "--floors", str(floors))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{floors}:2:product: unknown product 'cake'",
        f"{floors}:3:floor: must be at least 0, got -2",
        f"{floors}:4:floor: not a finite number: 'NaN'",
        f"{floors}:5:product: 'work' is labour, not a product",
        f"{floors}:7:product: 'housing' is listed twice (line 6)",
        f"{floors}:8:floor: missing floor",
    ]


def test_bad_header_and_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    floors = tmp_path / "floors.csv"
    floors.write_text("product,amount\nbread,1\n")
    with pytest.raises(InputError) as caught:
        read_floors(floors, load(BAKERY))
    assert [str(i) for i in caught.value.issues] == [
        f"{floors}:1:floor: missing required column 'floor'",
        f"{floors}:1:amount: unknown column 'amount' (product,floor)",
    ]
    code, _, err = run(capsys, "solve", str(BAKERY), "--floors", str(tmp_path / "none.csv"))
    assert code == 2 and "no such file" in err
