"""``dcsim capex`` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FAST = ["--n-boot", "40"]


def dcsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dcsim", "capex", *args], capture_output=True, text=True, timeout=120
    )


def test_fit_json_contract() -> None:
    done = dcsim("fit", "--company", "Meta", "--json", *FAST)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["company"] == "Meta"
    assert out["level"] == 0.9
    names = [m["name"] for m in out["models"]]
    assert out["best"] == names[0]
    for m in out["models"]:
        assert {"name", "params", "aicc", "rmse"} <= set(m)
        assert isinstance(m["params"], dict) and m["params"]
    assert [r["year"] for r in out["forecast"]] == [2026, 2027, 2028, 2029, 2030]
    for r in out["forecast"]:
        assert {"year", "value", "lower", "upper"} <= set(r)
        assert r["lower"] < r["value"] < r["upper"]
    assert out["failed_bootstrap_refits"] == 0


def test_fit_user_csv_until_and_model_list(tmp_path) -> None:
    path = tmp_path / "capex.csv"
    rows = [(2014 + i, 2.0 * 1.3**i) for i in range(10)]
    path.write_text("fy,usd\n" + "".join(f"{y},{v}\n" for y, v in rows))
    done = dcsim(
        "fit", str(path), "--year-col", "fy", "--value-col", "usd", "--model",
        "exponential,logistic", "--until", "2021", "--forecast", "3", "--level", "0.8",
        "--json", *FAST,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {m["name"] for m in out["models"]} <= {"exponential", "logistic"}
    assert out["n_points"] == 8 and out["level"] == 0.8
    assert [r["year"] for r in out["forecast"]] == [2022, 2023, 2024]
    assert [r["actual"] for r in out["forecast"][:2]] == pytest.approx([v for _, v in rows[8:]])
    assert "actual" not in out["forecast"][2]  # beyond the data


def test_fit_table_and_plot(tmp_path) -> None:
    figure = tmp_path / "meta.png"
    done = dcsim("fit", "--company", "alphabet", "--plot", str(figure), *FAST)
    assert done.returncode == 0, done.stderr
    assert "Alphabet" in done.stdout and "forecast" in done.stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_forecast_shows_actuals_and_flags_guidance_outside_the_interval() -> None:
    done = dcsim("fit", "--company", "Meta", "--until", "2023", "--forecast", "3", "--json", *FAST)
    assert done.returncode == 0, done.stderr
    rows = {r["year"]: r for r in json.loads(done.stdout)["forecast"]}
    assert rows[2024]["actual"] == 37_256_000_000 and rows[2025]["actual"] == 69_690_000_000
    assert "actual" not in rows[2026]
    assert rows[2026]["guidance"] == 125_000_000_000  # Meta's latest 2026 guidance midpoint
    for row in rows.values():
        outside = not row["lower"] <= row["guidance"] <= row["upper"]
        assert row["guidance_outside_interval"] == outside
    assert rows[2026]["guidance_outside_interval"]
    # with --kind all the fitted series ends in 2026 guidance, which is no actual
    mixed = dcsim("fit", "--company", "Meta", "--kind", "all", "--until", "2024", "--json", *FAST)
    assert [r.get("actual") for r in json.loads(mixed.stdout)["forecast"][:2]] == [
        69_690_000_000,
        None,
    ]
    table = dcsim(
        "fit", "--company", "Meta", "--until", "2023", "--forecast", "2", "--method", "auto", *FAST
    )
    text = " ".join(table.stdout.split())  # rich wraps long lines
    assert "in B USD" in text and "outside the 90% interval" in text


def test_backtest_json() -> None:
    done = dcsim("backtest", "--company", "Microsoft", "--min-train", "7", "--json", *FAST)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "auto" in {s["model"] for s in out["summary"]}
    keys = {"model", "kind", "mape", "coverage", "interval_score", "n_forecasts"}
    assert all(keys <= set(s) for s in out["summary"])
    kinds = {s["model"]: s["kind"] for s in out["summary"]}
    assert set(kinds.values()) == {"curve", "combination", "baseline"}
    for name in ("random_walk", "random_walk_drift", "log_linear"):
        assert kinds[name] == "baseline"
    assert out["default"] in kinds and kinds["auto"] == "curve"
    assert {r["horizon"] for r in out["by_horizon"]} == {1, 2, 3}
    assert out["rows"] and out["failed_bootstrap_refits"] == 0


def test_backtest_pooled_json() -> None:
    done = dcsim("backtest", "--pooled", "--horizon", "1", "--json", *FAST)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["company"] == "pooled"
    assert out["companies"] == ["Meta", "Alphabet", "Amazon", "Microsoft"]
    assert {r["company"] for r in out["rows"]} == set(out["companies"])
    assert "pooled_exponential" in {s["model"] for s in out["summary"]}
    assert out["default_now"] in {s["model"] for s in out["summary"]}
    guided = out["guidance"]
    assert guided["method"] == out["default"] and guided["pairs"]
    assert {s["model"] for s in guided["horizon_1"]} == {
        out["default"],
        "guidance",
        f"{out['default']}+guidance",
    }
    assert isinstance(guided["mape_gain_points"], float)


def test_backtest_table_names_the_default() -> None:
    done = dcsim("backtest", "--company", "Amazon", *FAST)
    assert done.returncode == 0, done.stderr
    assert "random_walk_drift" in done.stdout and "default: track_record" in done.stdout


def test_fit_default_method_conformal_and_gpus() -> None:
    done = dcsim("fit", "--company", "Meta", "--forecast", "2", "--to-gpus", "h100-sxm", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["method"] == "track_record" and out["interval"] == "conformal"
    assert out["method_used"] in out["forecast_model"]
    gpus = out["gpus"]
    assert gpus["chip"] == "h100-sxm" and gpus["ai_share"] == 0.6 and gpus["price_usd"] == 33750
    assert gpus["price_source"].startswith("DGX H100 at 270 kUSD")  # the price's own source
    for row, fc in zip(gpus["rows"], out["forecast"], strict=True):
        assert row["capex_p50"] == pytest.approx(fc["value"])
        assert fc["lower"] <= row["capex_p10"] < row["capex_p50"] < row["capex_p90"] <= fc["upper"]
        assert row["gpus_p50"] == int(row["capex_p50"] * 0.6 // 33750)
        assert row["gpus_p10"] < row["gpus_p50"] < row["gpus_p90"]


def test_fit_with_guidance_moves_next_year_only() -> None:
    base = json.loads(dcsim("fit", "--company", "Meta", "--forecast", "2", "--json").stdout)
    done = dcsim("fit", "--company", "Meta", "--forecast", "2", "--guidance", "--json")
    assert done.returncode == 0, done.stderr
    guided = json.loads(done.stdout)
    assert guided["forecast_model"].endswith("+guidance")
    first, second = guided["forecast"]
    # Meta guided 115-135 BUSD for 2026: the forecast moves toward it, 2027 stays
    assert base["forecast"][0]["value"] < first["value"] < 125e9
    assert second == base["forecast"][1]


def test_a_years_forecast_is_the_same_whatever_horizon_is_printed() -> None:
    """Issue 23, point 7: with the default method, Meta's 2026 forecast was 95 B USD with
    --forecast 1 and 69 B with --forecast 3 (the method was chosen on the
    record at the horizons printed)."""
    short, long = (
        json.loads(dcsim("fit", "--company", "Meta", "--forecast", n, "--json").stdout)
        for n in ("1", "3")
    )
    assert short["forecast"] == long["forecast"][:1]
    assert short["method_used"] == long["method_used"]


def test_fit_auto_keeps_the_bootstrap() -> None:
    done = dcsim(
        "fit", "--company", "Amazon", "--method", "auto", "--forecast", "1", "--json", *FAST
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["interval"] == "bootstrap" and out["forecast_model"] == out["best"]


BAD_CSVS = {
    "dup.csv": "year,value\n2020,1\n2020,2\n2021,3\n",
    "zero.csv": "year,value\n2020,1\n2021,0\n2022,3\n",
    "text.csv": "year,value\n2020,1\nnext,2\n2022,3\n",
    "cols.csv": "when,amount\n2020,1\n",
}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "--company", "Nokia"], "unknown company"),
        (["fit", "--company", "Meta", "--model", "spline"], "unknown model"),
        (["fit", "missing.csv"], "file not found"),
        (["fit"], "give a CSV file or --company"),
        (["fit", "--company", "Meta", "--level", "1.5"], "--level"),
        (["fit", "--company", "Meta", "--until", "2013"], "no model could be fitted"),
        (["fit", "dup.csv"], "duplicate years"),
        (["fit", "zero.csv"], "positive"),
        (["fit", "text.csv"], "not a number"),
        (["fit", "cols.csv"], "missing column"),
        (["backtest", "--company", "Microsoft", "--min-train", "12"], "min_train"),
        (["backtest", "--company", "Microsoft", "--min-train", "2"], "min_train"),
        (["backtest", "--pooled", "--company", "Meta"], "--pooled"),
        (["backtest", "--pooled", "--horizon", "0"], "--horizon"),
        (["fit", "--company", "Meta", "--to-gpus", "h9000"], "unknown chip"),
        (["fit", "--company", "Meta", "--to-gpus", "b200", "--ai-share", "0"], "--ai-share"),
        (["fit", "--company", "Meta", "--ai-share", "0.5"], "--to-gpus"),
        (["fit", "--company", "Meta", "--method", "oracle"], "unknown method"),
        (["fit", "--company", "Microsoft", "--guidance"], "no usable guidance"),
        (["fit", "--company", "Meta", "--method", "auto", "--guidance"], "not auto"),
    ],
)
def test_bad_input_exits_2_without_traceback(tmp_path, monkeypatch, args, message) -> None:
    for name, text in BAD_CSVS.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    done = dcsim(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and message in done.stderr, done.stderr
