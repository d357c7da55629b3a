"""The power-network picture: layers from the graph, a box per node with its rating,
dashed generator feeds, and ``dcsim draw`` without a run."""

from __future__ import annotations

import pandas as pd

from dcsim.api import simulate
from dcsim.config import load_scenario
from dcsim.plots.network import in_service_dates, layers, layout, plot_network, rated_graph
from tests.conftest import DEFAULT_CONFIG, REPO

BRIDGING = REPO / "configs" / "xai-memphis-bridging.yaml"


def test_layers_run_from_sources_to_halls():
    depth = layers(rated_graph(load_scenario(DEFAULT_CONFIG)))
    assert depth["utility"] == 0 and depth["hv-substation"] == 1
    assert depth["xfmr-1"] == depth["xfmr-2"] == 2
    assert {depth[h] for h in ("hall-a", "hall-b", "hall-c", "hall-d")} == {3}


def test_children_sit_under_their_feeders():
    x = {name: xy[0] for name, xy in layout(rated_graph(load_scenario(DEFAULT_CONFIG))).items()}
    assert max(x["hall-a"], x["hall-b"]) < min(x["hall-c"], x["hall-d"])  # xfmr-1 | xfmr-2


def test_picture_has_every_node_with_rating_and_dashed_generator_feeds():
    result = simulate(BRIDGING, seed=0)
    graph = rated_graph(result.scenario)
    dates = in_service_dates(result.events)
    assert dates["colossus"] == result.events.query("event == 'energized'")["date"].min()
    ax = plot_network(graph, dates=dates)
    texts = [t.get_text() for t in ax.texts]
    assert "gas-turbines\ngenerator\n100 MW" in texts
    assert "colossus\n152 MW" in texts
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    dashed = [a for a in arrows if a.arrow_patch.get_linestyle() != "-"]
    assert len(arrows) == graph.number_of_edges()
    assert len(dashed) == sum(1 for up, _ in graph.edges if up == "gas-turbines")


def test_draw_writes_a_png_without_running(cli, tmp_path):
    out = tmp_path / "net.png"
    done = cli("draw", DEFAULT_CONFIG, "--out", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_in_service_dates_take_the_first_event():
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-05", "2025-01-02", "2025-02-01"]),
            "event": ["energized", "energized", "equipment_in_service"],
            "entity": ["h1/2", "h1/1", "x1"],
            "amount": [1.0, 1.0, 10.0],
        }
    )
    assert in_service_dates(events) == {
        "h1": pd.Timestamp("2025-01-02"),
        "x1": pd.Timestamp("2025-02-01"),
    }


def test_interconnect_shows_its_utility_rating_and_no_phantom_generation_legend():
    scenario = load_scenario(DEFAULT_CONFIG)
    ax = plot_network(rated_graph(scenario))
    top = max(step.capacity for step in scenario.grid.interconnects[0].schedule)
    name = scenario.grid.interconnects[0].name
    assert f"{name}\ninterconnect\nup to {top:,.0f} MW" in [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["feeder"]  # the scenario has no on-site generator


def test_a_single_step_interconnect_reads_its_rating_plainly():
    scenario = load_scenario(
        DEFAULT_CONFIG,
        {"grid.interconnects.0.schedule": [{"date": "2024-01-01", "capacity": "120 MW"}]},
    )
    texts = [t.get_text() for t in plot_network(rated_graph(scenario)).texts]
    assert f"{scenario.grid.interconnects[0].name}\ninterconnect\n120 MW" in texts
