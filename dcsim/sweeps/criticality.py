"""Criticality index: in what share of a point's runs each constraint sets the date.

Schedule-risk tools report, for each activity, the share of Monte Carlo iterations in which
it lies on the critical path. Each run of a sweep records its full-cluster chain's
constraint kinds and entities (``critical_kinds``, ``critical_entities``) and its
``date_set_by``; per design point this module counts them over the runs that reached the
full cluster (a run that never got there has no chain).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

#: What is counted: the kind that set the date, and every kind and entity on the chain.
MEASURES = {
    "date_set_by": "date_set_by",
    "kind on path": "critical_kinds",
    "entity on path": "critical_entities",
}


def criticality(runs: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """One row per (point, measure, name): the share of the point's runs with a chain in
    which ``name`` set the date or lay on the path, with the parameters of the point."""
    columns = ["point", *parameters, "measure", "name", "runs", "share"]
    if any(column not in runs for column in MEASURES.values()):  # a store from before
        return pd.DataFrame(columns=columns)
    reached = runs[(runs["status"] == "ok") & runs["date_set_by"].notna()]
    rows = []
    for point, group in reached.groupby("point", sort=True):
        values = group[parameters].iloc[0].to_dict() if parameters else {}
        for measure, column in MEASURES.items():
            counted: Counter[str] = Counter()
            for text, count in group[column].fillna("").value_counts().items():
                for name in set(filter(None, text.split(";"))):  # each distinct chain once
                    counted[name] += count
            for name, count in sorted(counted.items()):
                share = count / len(group)
                rows.append(
                    {
                        "point": point,
                        **values,
                        "measure": measure,
                        "name": name,
                        "runs": len(group),
                        "share": share,
                    }
                )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["point", "measure", "share", "name"], ascending=[True, True, False, True]
    )


def print_criticality(frame: pd.DataFrame, console, points: int = 20) -> None:
    """Per point, the kinds that set the date and the entities most often on the path."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    if frame.empty:
        return
    table = Table(title="Criticality: share of runs (that reached the full cluster)")
    table.add_column("point", justify="right")
    table.add_column("date set by")
    table.add_column("most often on the critical path")
    for point, group in frame[frame["point"] < points].groupby("point", sort=True):
        table.add_row(
            str(point), shares(group, "date_set_by", 6), shares(group, "entity on path", 4)
        )
    print_fitted(table, console)


def shares(group: pd.DataFrame, measure: str, most: int) -> str:
    """The ``most`` largest shares of one point's ``measure``: ``grid 80%, crews 20%``."""
    rows = group[group["measure"] == measure].head(most)
    return ", ".join(
        f"{name} {share:.0%}" for name, share in zip(rows["name"], rows["share"], strict=True)
    )
