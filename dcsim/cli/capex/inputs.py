"""The series ``dcsim capex`` works on: a CSV, a shipped company or a run, with what
the shipped data also know (other companies, actuals, guidance)."""

from __future__ import annotations

import argparse

from dcsim.errors import UserInputError


def load_series(args: argparse.Namespace):
    """The series to fit, and ``{year: reason}`` for run years left out (partial, no spend)."""
    import dcsim.growth as growth

    if getattr(args, "from_run", None):
        from dcsim.growth.data import series_from_run

        return series_from_run(args.from_run)
    if args.csv:
        series = growth.load_csv(
            args.csv, args.year_col, args.value_col, args.company, args.company_col
        )
    else:
        series = growth.load_company(args.company, measure=args.measure, kind=args.kind)
    return series, {}


def panel_of(args: argparse.Namespace, series) -> list:
    """For a shipped company, the other shipped companies cut at the same last year (the
    pooled methods and the pooled track record use them); none for a CSV or a run."""
    from dcsim.growth.data import other_companies

    if not args.company or args.csv or getattr(args, "from_run", None):
        return []
    return other_companies(args.company, args.measure, int(series.years[-1]))


def usable_guidance(series: list):
    """Next year's guidance for ``series[0]`` and the pairs to learn its error from, or a
    one-line error saying why it cannot be used (checked before any forecasting)."""
    from dcsim.growth.guidance import learned_error, load_guidance, pairs, usable

    guidance = load_guidance()
    origin = int(series[0].years[-1])
    given = usable(guidance).get((series[0].name, origin + 1))
    actuals = {
        (s.name, int(y)): float(v) for s in series for y, v in zip(s.years, s.values, strict=True)
    }
    pair_frame = pairs(guidance, actuals)
    if given is None or learned_error(pair_frame, origin)[2] < 2:
        raise UserInputError(
            f"--guidance: no usable guidance for {series[0].name} {origin + 1}, or fewer "
            "than two guidance-vs-actual pairs resolved by then"
        )
    return given, pair_frame, origin


def known_values(args: argparse.Namespace, full) -> tuple[dict[int, float], dict[int, float]]:
    """What the data says about forecast years: reported actuals and, for a shipped
    company, its latest guidance. Actuals come from the reported rows whatever ``--kind``
    the fit used, so a forecast is never scored against guidance."""
    from dcsim import growth

    series = {"actual": full, "guidance": None}
    if args.company and not args.csv and not getattr(args, "from_run", None):
        for kind in series:
            try:
                series[kind] = growth.load_company(args.company, measure=args.measure, kind=kind)
            except UserInputError:
                series[kind] = None  # the company has no rows of this kind
    return tuple(
        {} if s is None else dict(zip(s.years.tolist(), s.values.tolist(), strict=True))
        for s in series.values()
    )
