"""A fleet budget split across sites and years conserves money: every year's cents go to
the sites exactly, and each site's monthly spending adds up to its part."""

from fractions import Fraction
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from dcsim.config.budget import plan_budget
from dcsim.config.loader import read_yaml
from dcsim.fleet.budget import fleet_cents, site_budget, split_cents, window_usd
from dcsim.fleet.loader import load_fleet, site_plans

REPO = Path(__file__).resolve().parent.parent
CAMPUS = REPO / "configs" / "meta-100k-h100.yaml"
CLUSTER = REPO / "configs" / "fleet" / "sites" / "meta-24k-cluster.yaml"
BUDGET = {
    "source": {"annual": {2024: "10 BUSD", 2025: "12 BUSD"}},
    "ai_share": 0.3,
    "from": "2024-01-01",
    "to": "2025-06-30",  # half of 2025's money falls in the window
    "lead_time": "12 weeks",
}


def fleet_file(tmp_path: Path, **budget) -> Path:
    data = {
        "fleet": "funded",
        "start": "2024-01-01",
        "horizon": "3 years",
        "regions": [{"name": "r"}],
        "budget": {**BUDGET, **budget},
        "sites": [
            {"name": "campus", "region": "r", "scenario": str(CAMPUS)},
            {"name": "cluster", "region": "r", "scenario": str(CLUSTER), "count": 2},
            {"name": "unfunded", "region": "r", "scenario": str(CLUSTER), "share": 0},
        ],
    }
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@given(
    cents=st.dictionaries(st.integers(2000, 2100), st.integers(0, 10**15), min_size=1),
    weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=20).filter(any),
)
def test_split_adds_up_year_by_year(cents, weights):
    parts = split_cents(cents, weights)
    for year, total in cents.items():
        assert sum(part[year] for part in parts) == total
        for part, weight in zip(parts, weights, strict=True):
            assert abs(part[year] - total * weight / sum(weights)) <= 1 + total * 1e-12


def test_fleet_budget_by_hand_and_conserved(tmp_path):
    """0.3 x 10 BUSD for 2024 and 0.3 x 12 BUSD for 2025, of which six months fall in the
    window: 3 + 1.8 = 4.8 BUSD, split 100,000 : 24,576 : 24,576 by planned GPUs, and each
    site's month-by-month spending (the one-campus budget) adds up to its part."""
    path = fleet_file(tmp_path, split="gpus")
    fleet = load_fleet(path)
    cents = fleet_cents(fleet.budget, str(path))
    assert cents == {2024: 3 * 10**11, 2025: 36 * 10**10}
    assert window_usd(cents, fleet.budget) == Fraction(48 * 10**8)
    plans = site_plans(fleet, path)
    funded = [plan for plan in plans if plan.budget_cents]
    assert [plan.name for plan in funded] == ["campus", "cluster-1", "cluster-2"]
    for year, total in cents.items():
        assert sum(plan.budget_cents[year] for plan in funded) == total
    assert funded[1].budget_cents[2024] == round(3e11 * 24_576 / 149_152)
    raw = read_yaml(path)["budget"]
    spent = Fraction(0)
    for plan, scenario in ((funded[0], CAMPUS), (funded[1], CLUSTER), (funded[2], CLUSTER)):
        site = plan_budget({**read_yaml(scenario), "budget": site_budget(raw, plan.budget_cents)})
        money = sum(Fraction(m.money).limit_denominator(1200) for m in site.months)
        assert money == window_usd(plan.budget_cents, fleet.budget)
        spent += money
        # the site's own chip orders are replaced by the budget's monthly orders
        orders = plan.scenario.chip_orders
        assert len(orders) > 1 and sum(o.count for o in orders) == site.gpus
    assert spent == window_usd(cents, fleet.budget)
    assert plans[-1].budget_cents is None  # share 0: keeps its own orders
    assert plans[-1].scenario.chip_orders[0].count == 24_576


def test_share_split_and_results(cli, tmp_path):
    import json

    done = cli("fleet", fleet_file(tmp_path, split="share"), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    money = {site["site"]: site["budget_usd"] for site in result["sites"]}
    assert money["campus"] == money["cluster-1"] == money["cluster-2"] == 1.6e9
    assert money["unfunded"] == 0
    assert result["fleet"]["budget_usd"] == sum(money.values()) == 4.8e9


def test_bad_fleet_budget_is_one_line(cli, tmp_path):
    for budget, expected in (
        ({"max_gpus": 10}, "budget.max_gpus"),
        ({"source": {"annual": {2024: "1 BUSD"}}}, "budget.source.annual: no amount for 2025"),
    ):
        done = cli("fleet", fleet_file(tmp_path, **budget))
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], lines
