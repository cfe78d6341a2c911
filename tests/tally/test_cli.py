"""``collegium tally``: text and JSON output, several files, errors and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from collegium.cli import main as collegium_main
from collegium.tally import (
    Ballot,
    BallotSet,
    count_scottish_stv,
    read_ballots,
    write_blt,
    write_csv,
)
from collegium.tally.cli import main

pytestmark = pytest.mark.nodb

BLT = "4 2\n7 1 2 0\n2 3 0\n1 4 0\n3 2 4 0\n0\nAnn\nBob\nCy\nDee\nBoard\n"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "good.blt"
    good.write_text(BLT, encoding="utf-8")
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n2 1 2 1 0\n0\nA\nB\nC\n", encoding="utf-8")
    soi = tmp_path / "board.soi"
    soi.write_text("# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: Ann\n5: 1,2\n4: 2,3\n1: 3\n")
    return {"good": good, "bad": bad, "soi": soi}


def test_text_output(files: dict[str, Path]) -> None:
    code, out = run(str(files["good"]))
    assert code == 0
    assert out.startswith("Scottish STV — Board\n")
    assert "Stage 1: first preferences" in out and "Elected, in order:" in out
    assert "Seed of the lot:" in out


def test_json_one_line_per_file_and_errors_go_on(files: dict[str, Path]) -> None:
    code, out = run("--json", str(files["good"]), str(files["bad"]), str(files["good"]))
    assert code == 1
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 3
    first, error, third = lines
    assert first["file"] == str(files["good"])
    assert first["method"] == "scottish-stv" and first["seats"] == 2
    assert first["elected"] == [1, 2]
    assert isinstance(first["rounds"], list) and first["rounds"][0]["stage"] == 1
    assert error == {"file": str(files["bad"]), "error": "2:7: candidate 1 is ranked twice"}
    assert third == first


def test_missing_file_is_a_usage_error(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = run("--json", str(tmp_path / "nope.blt"), str(files["good"]))
    assert code == 2
    first, second = (json.loads(x) for x in out.splitlines())
    assert first["error"].startswith("0:0: cannot read")
    assert second["elected"] == [1, 2]


def test_text_errors_go_to_stderr(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(str(files["bad"]))
    assert code == 1 and out == ""
    assert capsys.readouterr().err.strip() == f"{files['bad']}:2:7: candidate 1 is ranked twice"


def test_preflib_needs_seats(files: dict[str, Path]) -> None:
    code, out = run("--json", str(files["soi"]))
    assert code == 2 and "--seats" in json.loads(out)["error"]
    code, out = run("--json", "--seats", "2", str(files["soi"]))
    assert code == 0 and json.loads(out)["elected"] == [1, 2]
    code, out = run("--json", "--method", "schulze", str(files["soi"]))
    assert code == 0 and json.loads(out)["seats"] == 1


def test_methods_seed_and_usage(files: dict[str, Path]) -> None:
    for method in ("meek-stv", "schulze", "approval"):
        code, out = run("--json", "--method", method, str(files["good"]))
        assert code == 0 and json.loads(out)["method"] == method
    code, out = run("--json", "--seed", "42", str(files["good"]))
    assert json.loads(out)["seed"] == 42
    assert run("--method", "borda", str(files["good"]))[0] == 2
    assert run()[0] == 2
    assert run("--seats", "0", str(files["good"]))[0] == 2


def test_categories_and_minimums(files: dict[str, Path]) -> None:
    code, out = run(
        "--json",
        "--category",
        "3=production",
        "--category",
        "4=production",
        "--minimum",
        "production=1",
        str(files["good"]),
    )
    data = json.loads(out)
    assert code == 0 and data["minimums"] == {"production": 1}
    assert data["elected"][0] == 1 and data["elected"][1] in (3, 4)
    assert data["candidates"][2]["category"] == "production"


def test_published_blt_and_csv_recount_the_same(tmp_path: Path) -> None:
    ballots = BallotSet.from_ballots(
        ["Ann", 'Bob "B"', "Cy, Jr"],
        [Ballot((1, 2), 4), Ballot((2,), 3), Ballot((3, 1), 2), Ballot((), 1)],
        seats=2,
    )
    blt, csv = tmp_path / "pub.blt", tmp_path / "pub.csv"
    blt.write_text(write_blt(ballots), encoding="utf-8")
    csv.write_text(write_csv(ballots), encoding="utf-8")
    expected = count_scottish_stv(ballots).to_json()
    _, out = run("--json", str(blt))
    assert {k: v for k, v in json.loads(out).items() if k not in ("file", "title")} == {
        k: v for k, v in expected.items() if k != "title"
    }
    _, out = run("--json", "--seats", "2", str(csv))
    assert json.loads(out)["elected"] == expected["elected"]
    assert read_ballots(csv, seats=2).digest() == ballots.digest()


def test_collegium_command_dispatches_to_tally(files: dict[str, Path]) -> None:
    assert collegium_main(["tally", "--json", str(files["good"])]) == 0


def test_installed_command(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "collegium.tally.cli", "--json", str(files["good"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["elected"] == [1, 2]
