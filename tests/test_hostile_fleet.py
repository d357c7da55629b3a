"""Fleet files a hostile or careless user writes, through the real command line: one
meaning per field (no site on a clock of its own, no two sites of one name, no vendor that
supplies nobody, no date outside the run, strict counts and flags), each refused in one
line naming the file and the field; and fuzzed fleet files end in a run or one line."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml
from hostile import VALUES, check_refusal, leaf_paths, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcsim.cli import main
from dcsim.config.loader import apply_overrides

REPO = Path(__file__).resolve().parent.parent
CLUSTER = str(REPO / "configs" / "fleet" / "sites" / "meta-24k-cluster.yaml")

#: Two regions, one vendor, a template of two copies and a plain site: small and quick.
FLEET = {
    "fleet": "hostile",
    "start": "2023-01-01",
    "horizon": "2 years",
    "regions": [
        {
            "name": "east",
            "queue": {
                "ordering": "fcfs",
                "studies_per_year": 40,
                "upgrade_time": "1 year",
                "background": {"per_year": 5, "mw": "300 MW"},
            },
        },
        {"name": "west"},
    ],
    "vendors": [
        {"name": "v", "chip": "h100-sxm", "output": [{"date": "2023-01-01", "per_month": 9000}]}
    ],
    "sites": [
        {"name": "q", "region": "east", "scenario": CLUSTER, "request_date": "2023-02-01"},
        {
            "name": "a",
            "region": "west",
            "scenario": CLUSTER,
            "count": 2,
            "shift": {"chip_orders.0.order_date": "30 days"},
        },
    ],
}


def write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def refused(capsys, *args: str) -> str:
    """The one line of a refusal (exit 2)."""
    capsys.readouterr()
    assert main([*args]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


CHANGES = [
    # 1. the fleet's clock is every site's
    ({"sites.1.set": {"start": "2024-06-01"}}, "sites.1: site 'a': set: start"),
    ({"sites.1.set": {"horizon": "30 days"}}, "set: horizon: the fleet's start and horizon"),
    ({"sites.1.shift": {"start": "30 days"}}, "site 'a': shift: start"),
    (
        {"sites.1.scale": {"low": 0.5, "high": 2, "paths": ["horizon"]}},
        "site 'a': scale.paths: horizon",
    ),
    # 2. copy names are names
    (
        {"sites.0.name": "a-1", "sites.0.region": "west"},
        "site (copies included) names must be unique: ['a-1'] repeated",
    ),
    # 4. accepted but meaningless
    ({"vendors.0.chip": "b300"}, "vendors.0.chip: no site orders 'b300'"),
    (
        {"vendors.0.output": [{"date": "2023-01-01", "per_month": 1}] * 2},
        "vendors.0: output dates must be strictly ascending",
    ),
    ({"sites.0.request_date": "1900-01-01"}, "sites.0.request_date: 1900-01-01 is outside"),
    ({"sites.0.request_date": "2030-01-01"}, "sites.0.request_date: 2030-01-01 is outside"),
    ({"cohort_end": "2022-01-01"}, "cohort_end: 2022-01-01 is outside the fleet's run"),
    ({"sites.1.count": True}, "sites.1.count: Input should be a valid integer"),
    ({"sites.1.count": "3"}, "sites.1.count: Input should be a valid integer"),
    ({"sites.0.priority": 1.0}, "sites.0.priority: Input should be a valid integer"),
    ({"sites.0.committed": "yes"}, "sites.0.committed: Input should be a valid boolean"),
    # messages: a site's bad set: path is the file's field, not a --set option
    ({"sites.0.set": {"halls.9.pue": 1.2}}, "fleet.yaml: sites.0.set.halls.9.pue: halls.9"),
]


@pytest.mark.parametrize(("changes", "expected"), CHANGES)
def test_validate_and_fleet_refuse_what_has_no_one_meaning(tmp_path, capsys, changes, expected):
    path = write(tmp_path, apply_overrides(FLEET, changes))
    for command in ("validate", "fleet"):
        line = refused(capsys, command, path)
        assert path in line and expected in line, line


BUDGET = {
    "source": {"annual": {2023: "1 BUSD", 2024: "1 BUSD"}},
    "ai_share": 0.3,
    "from": "2023-01-01",
    "to": "2024-06-30",
    "lead_time": "12 weeks",
}


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        ({"from": "2030-01-01", "to": "2030-12-31"}, "budget: its window 2030-01-01 to"),
        ({"chip": "b200"}, "budget.chip: no site's halls hold 'b200'"),
        ({"split": "share"}, "budget.split: share: no site has a positive weight"),
    ],
)
def test_a_fleet_budget_that_funds_nothing_names_the_file_and_the_cause(
    tmp_path, capsys, budget, expected
):
    data = copy.deepcopy(FLEET)
    data["budget"] = {**BUDGET, **budget}
    if budget.get("split") == "share":
        for site in data["sites"]:
            site["share"] = 0
    path = write(tmp_path, data)
    line = refused(capsys, "validate", path)
    assert line.startswith(f"error: {path}: ") and expected in line, line


def test_a_valid_fleet_keeps_its_clock_and_its_names(tmp_path, capsys):
    assert main(["validate", write(tmp_path, FLEET)]) == 0
    assert capsys.readouterr().out.strip() == "ok: fleet of 3 sites in 2 regions"


#: What a fuzzed fleet may become: values from the scenario fuzz list and fleet-only ones.
FLEET_VALUES = [*VALUES, "a-1", "2023-01-01", "b200", {"start": "2030-01-01"}, "yes", 100_000]
FLEET_PATHS = [p for p in leaf_paths(FLEET) if "scenario" not in p]


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(FLEET_PATHS),
    value=st.sampled_from([*FLEET_VALUES, "delete", "unknown key"]),
)
def test_fuzzed_fleet_files_are_refused_in_one_line_or_validate_and_run(
    tmp_path_factory, capsys, path, value
):
    """Whatever ``validate`` accepts runs (exit 0) and keeps the fleet's invariants; what
    it refuses is one line naming the file, as is the run's refusal."""
    directory = tmp_path_factory.mktemp("fuzz")
    data = mutate(FLEET, path, value)
    file = write(directory, data)
    capsys.readouterr()
    status = main(["validate", file])
    err = capsys.readouterr().err
    if status != 0:
        assert status == 2, err
        check_refusal(err, file)
        return
    assert main(["fleet", file, "--json"]) == 0
    import json

    summary = json.loads(capsys.readouterr().out)
    fleet = summary["fleet"]
    names = [site["site"] for site in summary["sites"]]
    assert len(names) == len(set(names))
    assert 0 <= fleet["gpus_energized_final"] <= fleet["gpus_planned"]
    assert all(math.isfinite(v) for v in fleet.values() if isinstance(v, float))


def test_a_fleet_that_would_not_fit_in_memory_is_refused_by_validate(tmp_path, capsys):
    """Twenty regions of heavy queue traffic (each within its own cap), or one template of
    too many copies: the fleet-wide estimate, the measured figures and the limit."""
    busy = {**copy.deepcopy(FLEET), "horizon": "5 years"}
    queue = busy["regions"][0]["queue"]
    busy["regions"] = [
        {"name": f"r{n}", "queue": {**queue, "background": {"per_year": 100_000, "mw": "1 MW"}}}
        for n in range(20)
    ]
    for site in busy["sites"]:
        site["region"] = "r0"
    path = write(tmp_path, busy)
    line = refused(capsys, "validate", path)
    assert "3 sites and about 10,000,000 background requests need about 6.2 GiB" in line
    assert "more than the 4 GiB a fleet run may take" in line
    many = apply_overrides(FLEET, {"sites.1.count": 30_000})
    many["sites"].append({**many["sites"][1], "name": "b"})
    line = refused(capsys, "validate", write(tmp_path, many))
    assert "60,001 sites and about 10 background requests need about 5.1 GiB" in line
    line = refused(
        capsys, "validate", write(tmp_path, apply_overrides(FLEET, {"sites.1.count": 47_001}))
    )
    assert "sites.1.count: Input should be less than or equal to 47000" in line
