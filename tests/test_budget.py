"""Budget-driven build-out: monthly arithmetic by hand, hall starts, bad input through the
CLI, the Meta budget scenario, and ``dcsim capex fit --from-run`` on a fresh run (called
in-process through ``dcsim.cli.main``: a subprocess would add seconds of imports)."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest
from conftest import REPO, tiny_dict

from dcsim import growth
from dcsim.api import simulate, write_run
from dcsim.cli import main
from dcsim.config import load_scenario, scenario_from_dict
from dcsim.config.budget import expand_budget, gpus_bought, plan_budget
from dcsim.errors import UserInputError
from dcsim.growth.data import series_from_run

META_BUDGET = REPO / "configs" / "meta-budget-h100.yaml"
PRICE = 10_000  # the tiny scenario's test-gpu


def budget_dict(**budget: object) -> dict:
    """The tiny scenario (one 20 MW hall of 8,000 test-gpus at 10 kUSD) buying from a given
    budget: 1.2 MUSD in 2025 x 0.5 = 50,000 USD a month, a quarter set aside for halls,
    37,500 USD for chips; halls cost 20 MW x 2.5 kUSD/MW = 50,000 USD."""
    raw = tiny_dict(**{"halls.0.cost_per_mw": "2.5 kUSD/MW"})
    raw["budget"] = {
        "source": {"annual": {2025: "1.2 MUSD"}},
        "ai_share": 0.5,
        "facility_share": 0.25,
        "chip": "test-gpu",
        "from": "2025-01-01",
        "to": "2025-10-15",
        "lead_time": "5 days",
        **budget,
    }
    return raw


def test_monthly_counts_and_carry_by_hand() -> None:
    # Cumulative chip money after month k is 37,500 k; GPUs bought so far floor(3.75 k):
    # 3, 7, 11, 15, 18, 22, 26, 30, 33, 37; the rest is carried.
    months = plan_budget(budget_dict()).months
    assert [m.date for m in months] == [dt.date(2025, k, 1) for k in range(1, 11)]
    assert {(m.money, m.chip_money, m.facility_money) for m in months} == {(50e3, 37.5e3, 12.5e3)}
    assert [m.gpus for m in months] == [3, 4, 4, 4, 3, 4, 4, 4, 3, 4]
    assert [m.carry for m in months] == [7500, 5000, 2500, 0, 7500, 5000, 2500, 0, 7500, 5000]
    spent = sum(m.gpus for m in months) * PRICE
    chip_budget = 10 * 37_500
    assert spent == 370_000 and 0 <= chip_budget - spent < PRICE
    assert spent + months[-1].carry == chip_budget  # nothing lost to rounding


def test_expansion_appends_monthly_orders() -> None:
    raw = budget_dict()
    out = expand_budget(raw)
    assert "budget" not in out and "budget" in raw  # the caller's dict is left alone
    orders = out["chip_orders"]
    assert orders[0] == raw["chip_orders"][0]  # hand-written orders are kept
    assert [o["count"] for o in orders[1:]] == [3, 4, 4, 4, 3, 4, 4, 4, 3, 4]
    assert {o["lead_time"] for o in orders[1:]} == {"5 days"}
    scenario = scenario_from_dict(raw, "tiny")
    assert sum(o.count for o in scenario.chip_orders) == 8000 + 37
    assert scenario.chip_orders[1].order_date == dt.date(2025, 1, 1)


def test_max_gpus_stops_buying() -> None:
    months = plan_budget(budget_dict(max_gpus=20)).months
    assert [m.gpus for m in months] == [3, 4, 4, 4, 3, 2, 0, 0, 0, 0]
    assert len(expand_budget(budget_dict(max_gpus=20))["chip_orders"]) == 1 + 6


def test_hall_starts_from_budget() -> None:
    # 12,500 USD a month set aside: hall h1 (50,000) is covered after 4 months, a second
    # hall (cumulative 100,000) after 8.
    raw = budget_dict(halls_from_budget=True)
    del raw["halls"][0]["construction_start"]
    raw["halls"].append({**raw["halls"][0], "name": "h2"})
    scenario = scenario_from_dict(raw, "tiny")
    starts = [h.construction_start for h in scenario.halls]
    assert starts == [dt.date(2025, 4, 1), dt.date(2025, 8, 1)]


def test_facility_share_derived_from_halls() -> None:
    # Hall cost 50,000 over 50,000 + 8,000 GPUs x 10,000 USD.
    result = plan_budget(budget_dict(facility_share="halls"))
    assert Fraction(result.facility_share).limit_denominator(10_000) == Fraction(1, 1601)
    assert result.max_gpus == 8000  # default: the GPUs the halls hold


def test_fitted_source_reported_then_central_curve() -> None:
    raw = budget_dict(
        source={"company": "Meta", "until": 2023}, ai_share=1.0, facility_share=0.0,
        **{"from": "2023-12-01", "to": "2024-01-01"}, max_gpus=10**9,
    )  # fmt: skip
    december, january = plan_budget(raw).months
    meta = growth.load_company("Meta").until(2023)
    assert december.money == pytest.approx(meta.values[-1] / 12)  # reported 2023
    fitted = growth.fit(meta.years, meta.values).predict([2024])[0]
    assert january.money == pytest.approx(fitted / 12)  # fitted curve for 2024


def test_bad_budget_exits_2_with_one_line_each(cli) -> None:
    config = "configs/meta-budget-h100.yaml"
    done = cli(
        "validate", config, "--set", "budget.ai_share=1.5", "--set",
        "budget.facility_share=lots", "--set", "budget.bogus=1",
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: {config}: budget.ai_share: Input should be less than or equal to 1",
        f"error: {config}: budget.facility_share: expected 'halls' or a fraction at least 0 "
        "and below 1, got 'lots'",
        f"error: {config}: budget.bogus: unknown field (check the spelling; see `dcsim schema`)",
    ]


def test_problems_found_after_validation_name_their_field() -> None:
    with pytest.raises(UserInputError, match=r"x: budget\.source\.company: unknown company"):
        scenario_from_dict(budget_dict(source={"company": "Nokia"}), "x")
    with pytest.raises(UserInputError, match=r"x: budget\.source\.until: Meta: no data"):
        scenario_from_dict(budget_dict(source={"company": "Meta", "until": 1990}), "x")
    with pytest.raises(UserInputError, match=r"budget\.halls_from_budget: .* pays for 0 of 1"):
        scenario_from_dict(budget_dict(halls_from_budget=True, facility_share=0.01), "x")
    with pytest.raises(UserInputError, match=r"x: budget\.source\.annual: no amount for 2026"):
        scenario_from_dict(budget_dict(to="2026-02-01"), "x")


def test_meta_budget_config_energizes_100k() -> None:
    kpis = simulate(load_scenario(META_BUDGET), seed=0).kpis
    assert kpis["gpus_ordered"] == 100_000
    assert kpis["gpus_energized_final"] == 100_000
    assert kpis["full_cluster_date"] is not None


def test_fit_from_run_recovers_the_budget_growth(tmp_path, capsys) -> None:
    # A budget growing 50% a year, all spent on chips delivered the day they are ordered,
    # with no other capex: the run's annual spend is the budget to within one GPU price.
    annual = {2025 + k: f"{10 * 1.5**k:.6f} MUSD" for k in range(6)}
    raw = budget_dict(
        source={"annual": annual}, ai_share=1.0, facility_share=0.0, max_gpus=10**6,
        to="2030-12-01", lead_time="0 days",
    )  # fmt: skip
    raw.update(start="2024-07-01", horizon="7 years", chip_orders=[])
    raw["halls"][0]["cost_per_mw"] = "0 USD/MW"
    raw["equipment"][0]["cost"] = "0 USD"
    run_dir = write_run(simulate(scenario_from_dict(raw, "tiny"), seed=0), tmp_path / "run")
    series, dropped = series_from_run(run_dir)
    assert series.years.tolist() == list(range(2025, 2031))
    for year, usd in zip(series.years, series.values, strict=True):
        assert abs(usd - 10e6 * 1.5 ** (year - 2025)) < PRICE
    assert set(dropped) == {2024, 2031}  # the time series' first row is later, on day 20
    assert dropped[2024] == "partial year: the run starts on 2024-07-01"
    status = main(
        ["capex", "fit", "--from-run", str(run_dir), "--model", "exponential",
         "--forecast", "1", "--n-boot", "20", "--json"]
    )  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out["models"][0]["params"]["r"] == pytest.approx(0.4055, abs=1e-3)  # ln 1.5
    assert [d["year"] for d in out["dropped_years"]] == [2024, 2031]
    assert main(["capex", "fit", "--from-run", str(tmp_path / "nowhere")]) == 2
    assert "timeseries.parquet: not found" in capsys.readouterr().err


def test_gpus_bought_counts_whole_gpus_in_exact_cents() -> None:
    # 0.6 of 100 BUSD at 33,750 USD: 60e9 / 33,750 = 1,777,777.7 -> 1,777,777
    assert gpus_bought(100e9, 0.6, 33_750) == 1_777_777
    # exactly on a boundary: 0.1 of 337,500 USD buys one GPU (binary 0.1 would miss it)
    assert gpus_bought(337_500, 0.1, 33_750) == 1


def test_forecast_quantiles_carry_into_gpus_ordered() -> None:
    """The P10 and P90 budgets of the default forecast bracket its central budget, and the
    GPUs they order are the whole GPUs their chip money buys."""
    window = {"from": "2024-01-01", "to": "2024-12-31"}
    plans = {
        q: plan_budget(
            budget_dict(
                source={"company": "Meta", "until": 2023, "method": "track_record", "quantile": q},
                ai_share=0.001,
                facility_share=0.0,
                max_gpus=10**9,
                **window,
            )
        )
        for q in (0.1, 0.5, 0.9)
    }
    money = {q: sum(m.money for m in plan.months) for q, plan in plans.items()}
    assert money[0.1] < money[0.5] < money[0.9]
    for q, plan in plans.items():
        assert plan.gpus == gpus_bought(money[q], 1.0, PRICE)
    from dcsim.growth.calibrated import calibrated_forecast
    from dcsim.growth.data import other_companies

    meta = growth.load_company("Meta").until(2023)
    band = calibrated_forecast(meta, other_companies("Meta", until=2023), horizon=1).at(0.8)
    assert money[0.9] == pytest.approx(band.upper[0] * 0.001, rel=1e-9)
    assert money[0.5] == pytest.approx(band.value[0] * 0.001, rel=1e-9)


def test_quantile_and_method_only_for_a_fitted_company() -> None:
    with pytest.raises(UserInputError, match=r"budget\.source: .*quantile: only for a fitted"):
        scenario_from_dict(budget_dict(source={"annual": {2025: "1 MUSD"}, "quantile": 0.9}), "x")
    with pytest.raises(UserInputError, match=r"budget\.source\.method: .*unknown method"):
        scenario_from_dict(budget_dict(source={"company": "Meta", "method": "oracle"}), "x")
    with pytest.raises(UserInputError, match=r"budget\.source\.quantile"):
        scenario_from_dict(budget_dict(source={"company": "Meta", "quantile": 1.0}), "x")
