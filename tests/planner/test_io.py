import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from collegium.planner.io import from_arrays, load, save_economy, save_plan
from collegium.planner.lp import solve_plan
from collegium.planner.model import InputError, MissingInputError

BAKERY = Path(__file__).parent / "data" / "bakery"


def copy(tmp_path: Path) -> Path:
    d = tmp_path / "eco"
    shutil.copytree(BAKERY, d)
    return d


def issues_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load(path)
    return [str(i) for i in info.value.issues]


def test_load_csv_directory() -> None:
    e = load(BAKERY)
    assert e.product_codes[:3] == ("bread", "flour", "housing")
    assert e.products[3].kind == "labour"
    assert e.techniques[0].capacity == 50 and math.isinf(e.techniques[1].capacity)
    assert e.techniques[4].union == "building"
    assert e.endowment[e.product_index["land"]] == 3
    assert e.cap[e.product_index["co2"]] == 40
    assert [p.available for p in e.labour] == [400, 60]


def test_json_and_csv_agree(tmp_path: Path) -> None:
    e = load(BAKERY)
    save_economy(e, tmp_path / "eco.json")
    save_economy(e, tmp_path / "again")
    for path in (tmp_path / "eco.json", tmp_path / "again"):
        f = load(path)
        assert f.product_codes == e.product_codes
        assert (f.net != e.net).nnz == 0
        np.testing.assert_array_equal(f.basket, e.basket)
        np.testing.assert_array_equal(f.cap, e.cap)
        assert solve_plan(f).t == pytest.approx(solve_plan(e).t, rel=1e-12)


def test_unknown_product_names_file_line_and_column(tmp_path: Path) -> None:
    d = copy(tmp_path)
    with (d / "flows.csv").open("a") as fh:
        fh.write("oven,butter,-1\n")
    assert issues_of(d) == [f"{d / 'flows.csv'}:19:product: unknown product 'butter'"]


def test_json_errors_point_at_the_object_line(tmp_path: Path) -> None:
    e = load(BAKERY)
    save_economy(e, tmp_path / "eco.json")
    doc = json.loads((tmp_path / "eco.json").read_text())
    doc["targets"].append({"product": "cake", "basket": 1, "floor": 0})
    text = json.dumps(doc, indent=1)
    (tmp_path / "eco.json").write_text(text)
    # The object opens one line above its "product" field: 0-based index == 1-based line.
    line = next(i for i, t in enumerate(text.splitlines()) if '"cake"' in t)
    (msg,) = issues_of(tmp_path / "eco.json")
    assert msg == f"{tmp_path / 'eco.json'}:{line}:product: unknown product 'cake'"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "techniques.csv",
            "oven,bakery-coop,50",
            "oven,bakery-coop,-5",
            "2:capacity: capacity below zero",
        ),
        ("flows.csv", "oven,flour,-0.5", "oven,flour,nan", "3:amount: not a finite number"),
        ("flows.csv", "oven,flour,-0.5", "oven,flour,inf", "3:amount: not a finite number"),
        ("targets.csv", "bread,1,20,", "cake,1,20,", "2:product: unknown product 'cake'"),
        ("targets.csv", "bread,1,20,", "bread,1,-20,", "2:floor: must be at least 0"),
        ("labour.csv", "work,400", "work,-1", "2:available: must be at least 0"),
        ("products.csv", "bread,Bread,loaf,good", "bread,Bread,loaf,cake", "2:kind: unknown kind"),
        (
            "techniques.csv",
            "repair,builders-coop,,building",
            "repair,builders-coop,,building\nidle,x,,",
            "7:technique: 'idle' produces nothing",
        ),
        (
            "flows.csv",
            "mill,work,-0.2",
            "mill,work,0.2",
            "11:amount: technique 'mill' makes labour 'work'",
        ),
    ],
)
def test_invalid_cells(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    d = copy(tmp_path)
    text = (d / file).read_text()
    assert old in text
    (d / file).write_text(text.replace(old, new))
    found = issues_of(d)
    assert any(msg.startswith(f"{d / file}:") and expected in msg for msg in found), found


def test_negative_basket_is_allowed(tmp_path: Path) -> None:
    d = copy(tmp_path)
    text = (d / "targets.csv").read_text().replace("housing,0.2,10,", "housing,-0.2,10,")
    (d / "targets.csv").write_text(text)
    assert load(d).basket[2] == -0.2


def test_missing_file_and_missing_column(tmp_path: Path) -> None:
    d = copy(tmp_path)
    (d / "labour.csv").unlink()
    assert issues_of(d) == [f"{d / 'labour.csv'}::: missing required file"]
    d2 = copy(tmp_path / "b")
    (d2 / "flows.csv").write_text("technique,product\noven,bread\n")
    assert issues_of(d2) == [f"{d2 / 'flows.csv'}:1:amount: missing required column 'amount'"]
    with pytest.raises(MissingInputError):
        load(tmp_path / "nowhere")


def test_no_labour_in_the_period(tmp_path: Path) -> None:
    d = copy(tmp_path)
    (d / "labour.csv").write_text("skill,available\nwork,0\nskilled,0\n")
    assert any("no labour in the plan period" in m for m in issues_of(d))


def test_save_plan_writes_tables(tmp_path: Path) -> None:
    result = solve_plan(load(BAKERY))
    files = save_plan(result, tmp_path / "out")
    names = sorted(p.name for p in files)
    assert names == sorted(
        [
            "activity.csv",
            "products.csv",
            "labour.csv",
            "fulfilment.csv",
            "bottlenecks.csv",
            "plan.json",
        ]
    )
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert plan["t"] == pytest.approx(result.t)
    assert (
        (tmp_path / "out" / "activity.csv").read_text().startswith("technique,workplace,activity")
    )


def test_from_arrays_leontief_case() -> None:
    A = np.array([[0.1, 0.2], [0.3, 0.1]])
    e = from_arrays(A, [1.0, 2.0], labour=[[1.0, 2.0]], labour_available=[100.0])
    assert e.n_products == 3 and e.n_techniques == 2
    assert solve_plan(e).t > 0
    with pytest.raises(InputError, match="A:1:2: negative coefficient"):
        from_arrays(np.array([[0.1, -0.2], [0.3, 0.1]]), [1.0, 1.0])
    with pytest.raises(InputError, match="spectral radius"):
        from_arrays(sp.csr_matrix(np.array([[0.6, 0.5], [0.5, 0.6]])), [1.0, 1.0])


def test_a_technique_may_use_its_own_product(tmp_path) -> None:
    """Seed corn: output and input of the same product round-trip through CSV."""
    from collegium.planner import load, save_economy

    src = tmp_path / "corn"
    src.mkdir()
    (src / "products.csv").write_text("code,name,unit,kind\ncorn,Corn,t,good\nwork,Work,h,labour\n")
    (src / "techniques.csv").write_text("technique,workplace,capacity\nfarm,Farm,100\n")
    (src / "flows.csv").write_text(
        "technique,product,amount\nfarm,corn,1\nfarm,corn,-0.1\nfarm,work,-2\n"
    )
    (src / "labour.csv").write_text("skill,available\nwork,50\n")
    (src / "targets.csv").write_text("product,basket,floor\ncorn,1,0\n")
    economy = load(src)
    assert economy.outputs.toarray()[0, 0] == 1.0
    assert economy.inputs.toarray()[0, 0] == 0.1
    save_economy(economy, tmp_path / "again")
    again = load(tmp_path / "again")
    assert (again.inputs != economy.inputs).nnz == 0

    (src / "flows.csv").write_text(
        "technique,product,amount\nfarm,corn,1\nfarm,corn,2\nfarm,work,-2\n"
    )
    from collegium.planner import InputError

    with pytest.raises(InputError, match="duplicate output of 'corn' in 'farm'"):
        load(src)
