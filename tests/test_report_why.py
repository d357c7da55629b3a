"""The report's "what sets the date" section, on the slipped-grid example and by hand."""

from __future__ import annotations

import pandas as pd

from dcsim.report.why import date_sentence


def chain(*links: tuple[str, str, str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"target": "full_cluster", "kind": k, "entity": e, "what": w, "days": d, "draw": r}
            for k, e, w, d, r in links
        ]
    )


def test_sentence_names_the_setter_the_largest_gains_and_the_stranded_class():
    links = chain(
        ("grid", "utility", "step 3 to 170 MW", 365.25, "delay 12 months"),
        ("commissioning", "hall-d/1", "commissioning", 7.6, "7.62 days"),
    )
    kpis = {"full_cluster_date": "2026-03-08", "binding_constraint": "construction"}
    gains = {"grid": 181.4, "commissioning": 7.6, "crews": -0.2, "construction": 0.1}
    assert date_sentence(kpis, links, gains) == (
        "Full cluster on 2026-03-08, set by utility step 3 to 170 MW (delay 12 months); "
        "relaxed one class at a time on this run's own draws (one paired run, not an "
        "average; dcsim explain --replications 20 gives the spread): grid 181 days, "
        "commissioning 8 days, "
        "construction (most stranded GPU-days) 0 days."
    )


def test_a_wait_without_a_draw_says_how_long_it_was():
    links = chain(
        ("crews", "installation crews", "waited for an installation crew", 18.07, ""),
        ("installation", "hall-d/5", "installation", 26.1, "26.1 days"),
    )
    sentence = date_sentence({"full_cluster_date": "2025-09-09"}, links, {})
    assert sentence == "Full cluster on 2025-09-09, set by installation crews (waited 18 days)."


def test_report_of_a_run_has_the_section_with_the_chain_and_the_gains(tmp_path, cli):
    out = tmp_path / "run"
    delay = "grid.interconnects.0.schedule.2.delay=24 months"
    assert cli("run", "configs/meta-100k-h100.yaml", "--set", delay, "--out", out).returncode == 0
    assert cli("report", out).returncode == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "What sets the date" in html
    assert "set by utility step 3 to 170 MW (delay 24 months)" in html
    assert 'id="run-gains"' in html
