"""``dcsim app`` in a real browser: Playwright driving Debian's chromium.

One server (``python -m dcsim app`` on a free port) serves every test; each test opens its
own browser context, which the server sees as a new session. The page runs 40
replications (``?reps=40``) so that the whole file stays near half a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import psutil
import pytest

from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
#: Debian's chromium, headless, with nothing that reaches for the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPLICATIONS = 40
#: The fleet the fleet page's tests open: one large-load region, one campus (fast runs).
FLEET = "configs/fleet/large-load.yaml"
FLEET_REPLICATIONS = 20
#: The date the fleet page's risk is read by, in the page (``by=``) and on the command line.
BY = "2026-06-30"
FLEET_CLI = (sys.executable, "-m", "dcsim", "fleet", "--by", BY)

# Without Debian's chromium (a fresh machine with only Python) these tests are skipped;
# .ci/run installs it and sets DCSIM_BROWSER_TESTS=require, so there they run or fail.
if shutil.which(CHROMIUM) is None and os.environ.get("DCSIM_BROWSER_TESTS") != "require":
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
WAIT_MS = 90_000
DONE = ".status[data-state=done]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_server(*args: str):
    """``python -m dcsim app ARGS`` on a free port, until the test module ends; then no
    worker of its pool may outlive it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dcsim", "app", *args, "--port", str(port), "--workers", "2"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = process.stdout.readline()  # printed once the worker pool is warm
        assert "serving" in line, line + process.stdout.read()
        yield f"http://127.0.0.1:{port}/"
    finally:
        workers = [
            child
            for child in psutil.Process(process.pid).children(recursive=True)
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        # The pool's workers die with the server instead of computing for nobody.
        _, alive = psutil.wait_procs(workers, timeout=15)
        assert alive == [], f"workers outlived the server: {[w.pid for w in alive]}"


@pytest.fixture(scope="module")
def server():
    yield from app_server()


@pytest.fixture(scope="module")
def fleet_server():
    yield from app_server(FLEET)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, server: str, query: str = ""):
    page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    page.goto(f"{server}?reps={REPLICATIONS}{query}")
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    return page


def move_slider(page, key: str, steps: int) -> None:
    """Move a lever's slider by keyboard, as a user does with its handle focused."""
    page.locator(f".lever-{key} .noUi-handle").focus()
    for _ in range(steps):
        page.keyboard.press("ArrowRight")


def done_for(page, levers: str) -> None:
    """Wait until the page shows the finished runs of lever state ``levers`` (``key=value``
    joined by ``&``, a number as short as it reads): an earlier change's "done" may still
    be on the page."""
    selector = f'.status[data-state=done][data-levers="{levers}"]'
    page.wait_for_selector(selector, timeout=WAIT_MS)


def days(page, cell: str) -> float:
    return float(page.locator(f".{cell}").get_attribute("data-days"))


def test_a_grid_delay_moves_the_full_cluster_p50_to_what_the_cli_sweep_prints(
    browser, server, tmp_path
):
    page = open_page(browser, server)
    base = days(page, "full-base-p50")
    # the 170 MW step two years later: on the calibrated build, construction sets the
    # P50 until the step slips more than about a year
    move_slider(page, "g0s2delay", 24)
    done_for(page, "g0s2delay=24")
    shown = days(page, "full-edited-p50")
    assert "g0s2delay=24" in page.url  # the link reproduces the view
    with page.expect_download() as download:
        page.locator(".download-scenario-yaml button").click()
    download.value.save_as(tmp_path / "edited.yaml")
    experiment = tmp_path / "experiment.yaml"
    experiment.write_text(
        f"base: edited.yaml\nreplications: {REPLICATIONS}\nseed: 0\n", encoding="utf-8"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dcsim",
            "sweep",
            str(experiment),
            "--json",
            "--executor",
            "serial",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    p50 = next(row["p50"] for row in summary if row["kpi"] == "days_to_full_cluster")
    assert shown == p50
    assert shown > base  # a later grid step cannot bring the full cluster earlier here


def test_a_bad_upload_shows_the_clis_one_line_errors(browser, server):
    page = open_page(browser, server)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "../bad.yaml", "mimeType": "text/yaml", "buffer": b"name: x\nhalls: 3\n"}]
    )
    page.wait_for_selector(".error-line", timeout=WAIT_MS)
    lines = page.locator(".error-line").all_inner_texts()
    assert "error: bad.yaml: halls: Input should be a valid list" in lines
    assert all(line.startswith("error: bad.yaml: ") for line in lines)
    assert "Traceback" not in page.content()


def test_two_sessions_never_share_levers_or_runs(browser, server):
    first = open_page(browser, server)
    second = open_page(browser, server)
    move_slider(first, "g0s1delay", 3)
    done_for(first, "g0s1delay=3")
    second.reload()
    second.wait_for_selector(DONE, timeout=WAIT_MS)
    assert second.locator(".full-edited-p50").count() == 0
    assert "g0s1delay" not in second.url
    assert days(second, "full-base-p50") == days(first, "full-base-p50")


def test_a_link_with_lever_values_opens_on_that_view(browser, server):
    page = open_page(browser, server, "&g0s2delay=24")
    done_for(page, "g0s2delay=24")
    assert days(page, "full-edited-p50") > days(page, "full-base-p50")


def test_a_link_with_rented_turbines_and_a_build_mode_shows_the_models_p50(browser, server):
    """The new levers through the page: its full-cluster P50 is the one the same overrides
    give when the app's own chunks run in this process."""
    from dcsim.app.levers import levers_for, overrides
    from dcsim.app.montecarlo import Tally, chunks, run_chunk
    from dcsim.config import load_scenario
    from tests.conftest import DEFAULT_CONFIG

    values = {"rentmw": 100.0, "buildmode": "fast_track"}
    page = open_page(browser, server, "&rentmw=100&buildmode=fast_track")
    done_for(page, "rentmw=100&buildmode=fast_track")
    moved = overrides(levers_for(load_scenario(DEFAULT_CONFIG)), values)
    edited = load_scenario(DEFAULT_CONFIG, moved)
    tally = Tally()
    for chunk in chunks(edited, 0, range(REPLICATIONS), set()):
        tally.add(run_chunk(chunk))
    assert days(page, "full-edited-p50") == tally.summary().loc["days_to_full_cluster", "p50"]


def test_an_upload_over_the_websocket_cap_is_refused_in_one_line(browser, server):
    """9 MiB is over the server's 8 MiB message cap: the browser holds it back and the page
    says why in the loader's one line, and keeps its connection (a lever still runs)."""
    page = open_page(browser, server)
    big = b"# padding\n" * (9 * 2**20 // 10)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "big.yaml", "mimeType": "text/yaml", "buffer": big}]
    )
    page.wait_for_selector(".error-line", timeout=WAIT_MS)
    lines = page.locator(".error-line").all_inner_texts()
    assert lines == ["error: big.yaml: larger than 4 MiB; not a config file"]
    move_slider(page, "g0s1delay", 1)
    done_for(page, "g0s1delay=1")
    assert "g0s1delay=1" in page.url


def test_after_an_upload_the_address_follows_the_new_scenarios_levers(browser, server):
    """The default campus's third grid step leaves the address with its scenario; the
    uploaded one's levers enter it, and it names the upload: opened again, the link says
    in one line that it needs the uploaded file instead of moving the server's scenario."""
    from tests.conftest import TINY

    page = open_page(browser, server, "&g0s2delay=6")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "tiny.yaml", "mimeType": "text/yaml", "buffer": yaml_bytes(TINY)}]
    )
    page.wait_for_selector("h2:has-text('tiny')", timeout=WAIT_MS)
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    assert "g0s2delay" not in page.url
    assert page.locator(".lever-g0s2delay").count() == 0
    move_slider(page, "g0s1delay", 2)  # tiny's 30 MW step two months later
    done_for(page, "g0s1delay=2")
    assert "g0s1delay=2" in page.url
    assert "upload=tiny.yaml" in page.url
    again = browser.new_context().new_page()
    again.goto(page.url)
    again.wait_for_selector(DONE, timeout=WAIT_MS)
    (line,) = again.locator(".note-line").all_inner_texts()
    assert line.startswith("this link was made on an uploaded scenario, tiny.yaml")
    assert again.locator(".error-line").count() == 0
    assert again.locator(".full-edited-p50").count() == 0  # tiny's levers moved nothing here
    again.wait_for_function("!location.search.includes('upload=')", timeout=WAIT_MS)
    assert "g0s1delay=2" not in again.url  # the address is the server scenario's own now


def yaml_bytes(data: dict) -> bytes:
    import yaml

    return yaml.safe_dump(data, sort_keys=False).encode("utf-8")


def test_a_region_lever_moves_site_risk_to_what_the_cli_fleet_monte_carlo_gives(
    browser, fleet_server, tmp_path
):
    """Six months more of large-load study in the region: the campus's first-power P50 and
    P(first power by a date) shown in the page are the ones ``dcsim fleet --replications
    --by`` gives for the downloaded fleet, same seed, replications and date."""
    page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    page.goto(f"{fleet_server}?reps={FLEET_REPLICATIONS}&by={BY}")
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    base = risk_cell(page, "base", "first_power_p50")
    assert page.locator(f"th:has-text('P(first power by {BY})')").count() == 1
    move_slider(page, "r0study", 6)
    done_for(page, "r0study=6")
    assert "r0study=6" in page.url
    shown = {col: risk_cell(page, "edited", col) for col in ("first_power_p50", "p_first_power_by")}
    # the downloaded fleet names its sites' scenarios relative to the fleet file: beside it
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    edited = tmp_path / "configs" / "fleet" / "edited.yaml"
    with page.expect_download() as download:
        page.locator(".download-fleet-yaml button").click()
    download.value.save_as(edited)
    done = subprocess.run(
        [*FLEET_CLI, str(edited), "--replications", str(FLEET_REPLICATIONS), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (risk,) = json.loads(done.stdout)["site_risk"]
    assert shown["first_power_p50"] == risk["first_power_p50"] > base
    assert float(shown["p_first_power_by"]) == risk[f"p_first_power_by_{BY}"]


def test_a_link_past_a_levers_range_is_put_back_in_one_line(browser, fleet_server):
    """A headroom below zero from the address would be an invalid fleet (and a slider the
    browser cannot draw): the page says so in one line and runs the file's headroom."""
    page = browser.new_context().new_page()
    page.goto(f"{fleet_server}?reps={FLEET_REPLICATIONS}&r0headroom=-5")
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    assert page.locator(".note-line").all_inner_texts() == [
        "the address's r0headroom=-5.0: expected 0.0 to 8000.0; 2000.0 is used"
    ]
    assert page.locator(".error-line").count() == 0
    assert page.locator("[data-case=edited]").count() == 0
    assert "r0headroom=2000" in page.url


def test_a_link_a_whole_number_widget_refuses_is_put_back_in_one_line(browser, server):
    """Panel's integer widgets refuse ``?seed=-3`` and ``?icrews=-5`` themselves, keeping
    the file's value: the page says so as for a float lever, and the address is corrected
    to what the page runs (the default campus's 3 installation crews, seed 0)."""
    page = browser.new_context().new_page()
    page.goto(f"{server}?reps={REPLICATIONS}&seed=-3&icrews=-5")
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    assert sorted(page.locator(".note-line").all_inner_texts()) == [
        "the address's icrews=-5: expected 0 to 20; 3 is used",
        "the address's seed=-3: expected 0 to 4294967295; 0 is used",
    ]
    assert page.locator(".error-line").count() == 0
    assert page.locator("[data-case=edited]").count() == 0
    page.wait_for_function("location.search.includes('icrews=3')", timeout=WAIT_MS)
    assert "seed=0" in page.url


def risk_cell(page, case: str, column: str) -> str:
    cell = page.locator(f"td[data-site=campus][data-case={case}][data-col={column}]")
    return cell.get_attribute("data-value")


def test_a_project_risk_lever_at_zero_gives_the_campus_without_the_shock(browser, server):
    """The tiny campus with a 60-day redesign pause of probability 0.5, uploaded; its
    probability slider moved to 0 in the project-risk card: every run's full cluster is on
    day 61, the 30 MW step on day 60 plus a day of commissioning (the model test works
    it out)."""
    from tests.conftest import TINY

    shock = {"kind": "redesign_pause", "probability": 0.5, "duration": "60 days"}
    page = open_page(browser, server)
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "tiny-risk.yaml",
                "mimeType": "text/yaml",
                "buffer": yaml_bytes({**TINY, "project_risk": [shock]}),
            }
        ]
    )
    page.wait_for_selector("h2:has-text('tiny')", timeout=WAIT_MS)
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    page.locator(".card-header", has_text="project risk").first.click()
    page.locator(".lever-pr0p .noUi-handle").focus()
    for _ in range(10):  # 0.5 to 0 in steps of 0.05
        page.keyboard.press("ArrowLeft")
    done_for(page, "pr0p=0")
    assert days(page, "full-edited-p50") == 61.0
    assert days(page, "full-edited-p90") == 61.0
