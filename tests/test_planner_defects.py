"""The smaller defects of issue 23 (point 7), each reproduced."""

from __future__ import annotations

import re
from pathlib import Path

import dcsim
from dcsim.sweeps.sensitivity import out_of_range

REPO = Path(__file__).resolve().parent.parent


def test_explain_takes_a_path_as_simulate_does() -> None:
    """``dcsim.explain(path)`` raised AttributeError ('str' has no attribute 'grid')."""
    by_path = dcsim.explain(REPO / "configs" / "campus-n1-gb200.yaml", classes=["crews"])
    from dcsim.config import load_scenario

    scenario = load_scenario(REPO / "configs" / "campus-n1-gb200.yaml")
    by_object = dcsim.explain(scenario, classes=["crews"])
    assert by_path.to_dict("records") == by_object.to_dict("records")


def test_sobol_indices_outside_zero_one_carry_a_caution() -> None:
    """With N=16 Sobol indices came out at -0.3 or 1.4 and were printed as if shares."""
    shares = {"a": {"S1": 0.2, "ST": 0.7}, "b": {"S1": 0.0, "ST": 1.0}}
    assert out_of_range(shares, 16) is None
    noisy = {"a": {"S1": -0.31, "ST": 0.7}, "b": {"S1": 0.1, "ST": 1.42}}
    caution = out_of_range(noisy, 16)
    assert "a S1 -0.31" in caution and "b ST 1.42" in caution and "N=64" in caution


def test_the_readme_says_how_long_the_tests_take() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"about \d+ minutes|~\d+ minutes", text)


def test_warnings_reach_stderr_as_one_line_through_logging(capsys) -> None:
    """A library warning (matplotlib's, say) is one ``warning:`` line from the
    ``py.warnings`` logger, not a path and a source line dumped on stderr."""
    import logging
    import warnings

    from dcsim.cli import route_warnings

    logger = logging.getLogger("py.warnings")
    saved = (list(logger.handlers), logger.propagate)
    try:
        logging.captureWarnings(False)  # an earlier in-process main() may have captured them
        route_warnings()
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("Tight layout not applied", UserWarning, stacklevel=1)
        assert capsys.readouterr().err.strip() == "warning: UserWarning: Tight layout not applied"
    finally:
        logging.captureWarnings(False)
        logger.handlers[:], logger.propagate = saved


def test_tutorial_section_2_shows_what_dcsim_run_prints(cli) -> None:
    """The tutorial's §2 output block is what ``dcsim run`` prints now (it showed an old
    format): every line of the block is a line of the real output."""
    import re

    text = (REPO / "docs" / "tutorial.md").read_text(encoding="utf-8")
    section = text.split("## 2. Run the default scenario", 1)[1]
    block = re.findall(r"\n```\n(First power.*?)```", section, re.S)[0]
    done = cli("run", REPO / "configs" / "meta-100k-h100.yaml")
    assert done.returncode == 0, done.stderr
    printed = {line.rstrip() for line in done.stdout.splitlines()}
    shown = [line for line in block.splitlines() if line.strip() and line != "..."]
    assert len(shown) > 20
    assert [line for line in shown if line not in printed] == []
