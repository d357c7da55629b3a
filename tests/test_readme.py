"""The README's Python snippet runs as a script and prints what it promises."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO


def test_readme_python_snippet_prints_results():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    done = subprocess.run(
        [sys.executable, "-c", blocks[0]], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.match(r"full cluster \d{4}-\d\d-\d\d, peak \d+\.\d MW", lines[0])
    assert "installation.crews" in done.stdout


def test_import_dcsim_is_light_and_exposes_the_api():
    code = (
        "import sys, dcsim\n"
        "heavy = [m for m in ('pandas', 'scipy', 'simpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert callable(dcsim.simulate) and callable(dcsim.sweep) and callable(dcsim.explain)\n"
        "assert {'explain', 'simulate', 'sweep'} <= set(dir(dcsim))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_simulate_overrides_work_as_set_does():
    import dcsim
    from dcsim.config import load_scenario

    config = REPO / "configs" / "meta-100k-h100.yaml"
    via_api = dcsim.simulate(config, seed=3, overrides={"halls.0.pue": 1.3})
    via_set = dcsim.simulate(load_scenario(config, {"halls.0.pue": 1.3}), seed=3)
    assert via_api.scenario.halls[0].pue == 1.3
    assert via_api.kpis == via_set.kpis
    again = dcsim.simulate(via_api.scenario, seed=3, overrides={"halls.1.pue": 1.3})
    assert again.scenario.halls[1].pue == 1.3 and again.scenario.halls[0].pue == 1.3
