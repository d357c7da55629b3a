"""``dcsim draw``: a picture of a scenario's power network, without running it."""

from __future__ import annotations

import argparse
from pathlib import Path

#: Image formats ``--out`` may end in, each with the metadata that would make two drawings
#: of one network differ (a date, the software's version), left out.
FORMATS = {".png": {"Software": None}, ".svg": {"Date": None}, ".pdf": {"CreationDate": None}}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "draw", help="draw a scenario's power network (sources, equipment, halls) as a PNG"
    )
    parser.add_argument("config", help="scenario YAML file")
    parser.add_argument(
        "--out",
        metavar="FILE.png",
        help="image to write: .png, .svg or .pdf; no suffix means .png "
        "(default CONFIG-STEM-network.png here)",
    )
    from dcsim.cli.run import add_set_option

    add_set_option(parser)
    parser.set_defaults(handler=draw_command)


def draw_command(args: argparse.Namespace) -> int:
    from dcsim.config import load_scenario
    from dcsim.config.loader import parse_set_options
    from dcsim.errors import UserInputError
    from dcsim.plots.network import plot_network, rated_graph
    from dcsim.report.figures import DPI

    target = Path(args.out or f"{Path(args.config).stem}-network.png")
    if not target.suffix:
        target = target.with_name(f"{target.name}.png")
    if target.suffix.lower() not in FORMATS:
        raise UserInputError(
            f"--out {args.out}: expected a file ending in {', '.join(FORMATS)} (or no suffix)"
        )
    scenario = load_scenario(args.config, parse_set_options(args.overrides))
    ax = plot_network(rated_graph(scenario))
    try:
        ax.figure.savefig(target, dpi=DPI, metadata=FORMATS[target.suffix.lower()])
    except OSError as error:
        raise UserInputError(f"{target}: cannot write the image ({error.strerror})") from None
    print(f"network drawn to {target}")
    return 0
