import json
import shutil
from pathlib import Path

import pytest

from collegium.cli import main

BAKERY = Path(__file__).parent / "data" / "bakery"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "solve", str(BAKERY), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["t"] == pytest.approx(199.0)
    assert doc["activity"]["oven"] == pytest.approx(50.0)
    assert set(doc["valuations"]) == {"bread", "flour", "housing", "co2", "land"}
    assert doc["method"] == "highs"
    assert doc["size"] == {"products": 7, "techniques": 5, "labour_pools": 2, "nonzeros": 17}
    assert err == ""  # no progress bar when stderr is not a terminal


@pytest.mark.parametrize("method", ["highs", "pdlp"])
def test_solve_report_and_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, method: str
) -> None:
    code, out, _ = run(capsys, "solve", str(BAKERY), "--method", method, "--out", str(tmp_path))
    assert code == 0
    assert "7 products, 5 techniques" in out and f"method {method}" in out
    assert "relative gap" in out and "labour:work" in out
    assert (tmp_path / "activity.csv").exists() and (tmp_path / "plan.json").exists()


def test_solve_leontief(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    eco = {
        "products": [
            {"code": "a"},
            {"code": "b"},
            {"code": "w", "kind": "labour"},
        ],
        "techniques": [{"technique": "ta"}, {"technique": "tb"}],
        "flows": [
            {"technique": "ta", "product": "a", "amount": 1},
            {"technique": "ta", "product": "b", "amount": -0.5},
            {"technique": "ta", "product": "w", "amount": -1},
            {"technique": "tb", "product": "b", "amount": 1},
            {"technique": "tb", "product": "w", "amount": -1},
        ],
        "labour": [{"skill": "w", "available": 100}],
        "targets": [
            {"product": "a", "basket": 1, "floor": 0},
            {"product": "b", "basket": 1, "floor": 0},
        ],
    }
    path = tmp_path / "eco.json"
    path.write_text(json.dumps(eco))
    code, out, _ = run(capsys, "solve", str(path), "--method", "leontief", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["activity"] == pytest.approx({"ta": 1.0, "tb": 1.5})
    assert doc["residual"] < 1e-12
    # Labour values 1.5 and 1, scaled so that the basket (1, 1) is worth 1.
    assert doc["valuations"] == pytest.approx({"a": 0.6, "b": 0.4})
    code, _, err = run(capsys, "solve", str(BAKERY), "--method", "leontief")
    assert code == 1 and "not a single-product economy" in err


def test_infeasible_floors_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    d = tmp_path / "eco"
    shutil.copytree(BAKERY, d)
    (d / "targets.csv").write_text("product,basket,floor,cap\nbread,1,500,\n")
    code, out, _ = run(capsys, "solve", str(d), "--json")
    assert code == 3
    doc = json.loads(out)["infeasible"]
    assert doc["floors"][0]["product"] == "bread"
    assert doc["floors"][0]["required"] == 500
    assert doc["floors"][0]["shortfall"] > 0
    assert {g["constraint"] for g in doc["grow"]} >= {"labour:work"}
    code, out, _ = run(capsys, "solve", str(d))
    assert code == 3 and "cannot all be met" in out


def test_invalid_input_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    d = tmp_path / "eco"
    shutil.copytree(BAKERY, d)
    (d / "targets.csv").write_text("product,basket,floor\ncake,1,0\n")
    code, _, err = run(capsys, "solve", str(d))
    assert code == 1
    assert err.strip() == f"{d / 'targets.csv'}:2:product: unknown product 'cake'"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "solve", str(tmp_path / "missing"))[0] == 2
    assert run(capsys, "solve", str(BAKERY), "--bogus")[0] == 2
    assert run(capsys, "solve", str(BAKERY), "--method", "magic")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_variants(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    weights = tmp_path / "w.csv"
    weights.write_text("product,weight\nhousing,2\nbread,1\n")
    code, out, _ = run(capsys, "variants", str(BAKERY), "--weights", str(weights), "--json")
    assert code == 0
    names = [v["name"] for v in json.loads(out)["variants"]]
    assert names == ["plan-ray", "least-labour", "weighted"]
    code, out, _ = run(capsys, "variants", str(BAKERY), "--out", str(tmp_path / "v"))
    assert code == 0 and "least-labour" in out
    assert (tmp_path / "v" / "plan-ray" / "plan.json").exists()


def test_rounds_is_handed_on(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "rounds", "--help")
    assert code in (0, 2)


def test_pdlp_rule_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "solve",
        str(BAKERY),
        "--method",
        "pdlp",
        "--tol",
        "1e-7",
        "--pdlp-rule",
        "componentwise",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["t"] == pytest.approx(199.0, rel=1e-5) and doc["residual"] < 1e-5
