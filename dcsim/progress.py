"""A progress bar on stderr (rich), for the commands that run many simulations: a sweep
counts its runs, ``explain`` its paired runs. stdout stays the command's answer, so a
table or ``--json`` printed there is the same with or without the bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(
    label: str,
    total: int | None = None,
    completed: int = 0,
    quiet: bool = False,
    transient: bool = False,
    note: str | None = None,
) -> Iterator[Callable[..., None]]:
    """A bar of ``label`` from ``completed`` of ``total``; yields
    ``advance(n, total=None, note=None)``, which counts ``n`` more done (and sets the total,
    when the caller learns it only as it goes, and the ``note`` shown after the count, such
    as the best objective so far). ``quiet`` shows nothing; ``transient`` clears the bar
    when done, for a command whose answer follows it on the terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        *([TextColumn("{task.fields[note]}")] if note is not None else []),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=transient,
    )
    with progress:
        task = progress.add_task(label, total=total, completed=completed, note=note or "")

        def advance(n: int, total: int | None = None, note: str | None = None) -> None:
            fields = {} if note is None else {"note": note}
            progress.update(task, advance=n, total=total, **fields)

        yield advance
