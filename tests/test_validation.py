"""docs/validation.md stays true: every scenario and test it names exists, and the
comparisons it states that no other test checks hold for a fresh run."""

from __future__ import annotations

import ast
import re

import pytest

from dcsim.api import simulate
from dcsim.config import load_scenario
from dcsim.config.catalog import catalog_with
from tests.conftest import REPO

VALIDATION = REPO / "docs" / "validation.md"
#: Repository paths in backquotes: a config, a test (optionally ::function), a data file.
NAMED = re.compile(r"`((?:configs|tests|dcsim|docs)/[\w./-]+?)(?:::(\w+))?`")


def named_paths() -> list[tuple[str, str | None]]:
    return sorted(set(NAMED.findall(VALIDATION.read_text(encoding="utf-8"))))


def test_the_page_names_scenarios_and_tests():
    kinds = {path.split("/")[0] for path, _ in named_paths()}
    assert {"configs", "tests"} <= kinds


@pytest.mark.parametrize("path, function", named_paths(), ids=lambda v: v or "")
def test_every_named_path_exists(path, function):
    """A named scenario exists, except one marked pending on the same line; a named test
    function is defined in its file."""
    line = next(row for row in VALIDATION.read_text().splitlines() if f"`{path}" in row)
    if not (REPO / path).exists():
        assert "pending" in line, f"{path} is named in docs/validation.md but missing"
        return
    if function:
        tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert function in defined, f"{path} defines no {function}"


def test_campus_power_per_gpu_and_total():
    """Rows 1-2: 1,275 W x 1.10 = 1,402.5 W of IT per H100; x 100,000 x PUE 1.08 in whole kW
    per 5,000-GPU stage = 20 x 7,574 kW = 151.48 MW, within 1% of SemiAnalysis's 150 MW."""
    scenario = load_scenario(REPO / "configs" / "meta-100k-h100.yaml")
    chip = catalog_with(scenario.chips)["h100-sxm"]
    assert chip.system_power_per_gpu * 1e6 == pytest.approx(1275)  # W, 10.2 kW / 8
    assert chip.it_kw == pytest.approx(1.4025)
    peak = simulate(scenario, seed=0).kpis["peak_facility_mw"]
    assert peak == pytest.approx(20 * 7574 / 1000)
    assert abs(peak / 150 - 1) < 0.01


def test_colossus_build_is_slower_than_reported():
    """Rows 5-6: xAI built 100,000 H100 in 122 days at ~70 MW; the scenario reaches 90% of
    its GPUs only after that (about two months later) and at about twice the power."""
    result = simulate(load_scenario(REPO / "configs" / "xai-memphis-bridging.yaml"), seed=0)
    ts = result.timeseries
    ninety = ts[ts.gpus_energized >= 90_000].iloc[0]
    assert 122 + 30 < ninety.day < 122 + 90
    assert 1.8 < ninety.facility_mw / 70 < 2.2


def test_every_cited_fact_is_in_the_repository():
    """The reference table the page cites is in the repository, and holds every key the
    page names in its source column (issue 23, point 7: it cited a table that was not)."""
    import csv
    import re

    table = REPO / "docs" / "data" / "facts.csv"
    with table.open(encoding="utf-8") as handle:
        keys = {row["key"] for row in csv.DictReader(handle)}
    cited = set()
    for line in VALIDATION.read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if len(cells) > 4 and cells[1].strip().isdigit():
            cited |= set(re.findall(r"`([a-z0-9_]+)`", cells[3]))
    assert cited, "no facts.csv key found in the page's source column"
    assert sorted(cited - keys) == []
