"""What every page of ``dcsim app`` does, whatever it shows: levers as widgets, the Monte
Carlo that follows them in chunks, the address that keeps them, one-line errors.

A :class:`Session` is built afresh for every page load, so two browsers never see each
other's levers or runs; only the worker pool is shared. A lever change runs the edited
case on the base case's replications (common random numbers) in chunks: the page answers
after the first chunk, refines as the others arrive, and a newer change cancels the chunks
still waiting. A subclass says what a change runs (:meth:`Session.plan`) and how the page
draws the runs (:meth:`Session.redraw`).
"""

from __future__ import annotations

import asyncio
import html
import io
import time
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import panel as pn

from dcsim.app import exports
from dcsim.app.levers import Lever, overrides
from dcsim.app.montecarlo import ChunkResult, Tally, arrivals
from dcsim.errors import UserInputError

#: Seconds one update may take in a session.
TIME_LIMIT_S = 120.0
#: Fewest seconds between two redraws while chunks arrive (the last one always redraws).
REDRAW_EVERY_S = 0.15

#: What a change runs: ``(case, chunk)`` pairs, and the function a worker applies to a chunk.
Work = tuple[list[tuple[str, Any]], Callable[[Any], ChunkResult]]


class Session:
    """Levers, seed and replications of one page, and the progressive Monte Carlo."""

    def __init__(self, pool: Executor, replications: int, most: int):
        self.pool = pool
        self.most = most
        self.token = 0
        self.doc = pn.state.curdoc  # the session's document: redraws go through its lock
        self.base = Tally()
        self.edited: Tally | None = None
        self.seed = pn.widgets.IntInput(name="seed", value=0, start=0, end=2**32 - 1)
        self.replications = pn.widgets.IntInput(
            name=f"replications (at most {most})", value=replications, start=1, end=most
        )
        self.error = pn.pane.HTML("", css_classes=["app-error"], sizing_mode="stretch_width")
        self.status = pn.pane.HTML("", css_classes=["app-status"])
        #: What the page says about its address (not cleared by a new run, as errors are).
        self.note = pn.pane.HTML("", css_classes=["app-note"], sizing_mode="stretch_width")
        self.lever_box = pn.Column(sizing_mode="stretch_width")
        self.widgets: dict[str, pn.widgets.Widget] = {}
        self.levers: list[Lever] = []
        self.location: Any = None  # the page's address, once it follows the levers
        self.synced: list[pn.widgets.Widget] = []  # lever widgets the address follows
        self.defaults: dict[str, Any] = {}  # each address key's value before the address's
        self.shown = ""  # the lever state whose runs the page shows (lever_state)
        self.said: list[str] = []  # the address's values put back, as the page said them
        self.last_status = (replications, "running")  # what the status line said last
        for widget in (self.seed, self.replications):
            widget.param.watch(self.reset_base, "value")

    # -- levers and the address ------------------------------------------------------------
    def show_levers(self, levers: list[Lever], open_group: str) -> None:
        """A widget per lever, in a card per group (``open_group``'s card open)."""
        self.levers = levers
        self.widgets = {lever.key: widget_for(lever) for lever in levers}
        for widget in self.widgets.values():
            widget.param.watch(self.changed, "value")
        groups: dict[str, list] = {}
        for lever in levers:
            groups.setdefault(lever.group, []).append(self.widgets[lever.key])
        self.lever_box.objects = [
            pn.Card(*items, title=group, collapsed=group != open_group, width=340)
            for group, items in groups.items()
        ]

    def moved(self) -> dict[str, Any]:
        """Dotted path -> value for every lever moved away from the file's value."""
        return overrides(self.levers, {key: w.value for key, w in self.widgets.items()})

    def address_widgets(self) -> dict[str, pn.widgets.Widget]:
        """Widgets besides the levers that the address keeps, by query key."""
        return {"seed": self.seed, "reps": self.replications}

    def sync_url(self) -> None:
        """Lever values, seed and replications in the page's query string."""
        location = pn.state.location
        if location is None:
            return
        self.location = location
        self.sync_widgets(self.address_widgets())
        self.sync_levers()

    def sync_levers(self) -> None:
        """The current levers in the query string, in place of the ones synced before (an
        upload brings other levers: the old keys leave the address, the new ones enter)."""
        for widget in self.synced:
            self.location.unsync(widget)
        self.synced = list(self.widgets.values())
        self.sync_widgets(self.widgets)

    def sync_widgets(self, widgets: dict[str, pn.widgets.Widget]) -> None:
        """Each widget follows the address's value of its key, and writes its own there; a
        value the widget refuses itself (``?seed=-3``, ``?icrews=-5`` on a whole-number
        slider, ``?seed=abc``) is put back like one past a float lever's range."""
        for key, widget in widgets.items():
            self.defaults.setdefault(key, widget.value)
            refused = partial(self.refused, key, widget)
            self.location.sync(widget, {"value": key}, on_error=refused)

    def refused(self, key: str, widget: pn.widgets.Widget, values: dict[str, Any]) -> None:
        """``widget`` refused the address's value of ``key`` (Panel then keeps the widget's
        value, and the address the refused one): put it back as one past its range is."""
        if "value" in values:
            self.locked(self.put_back_refused, key, widget, values["value"])

    def out_of_range(self) -> dict[str, Any]:
        """Widgets whose value is outside their range, by key, and the value each goes
        back to: the address can set anything (and does again once the browser has
        connected), but a slider the browser cannot draw leaves a blank page, and a lever
        past its bounds an invalid scenario."""
        out = {}
        for key, widget in self.address_widgets_and_levers().items():
            choices = _choices(widget)
            if choices is not None:  # a select takes any value it is sent: check it here
                if widget.value not in choices:
                    out[key] = self.back_value(key, choices[0])
                continue
            low, high = getattr(widget, "start", None), getattr(widget, "end", None)
            if low is None or high is None:
                continue
            try:
                inside = low <= widget.value <= high
            except TypeError:
                inside = False
            if not inside:
                out[key] = self.back_value(key, low)
        return out

    def address_widgets_and_levers(self) -> dict[str, pn.widgets.Widget]:
        return {**self.address_widgets(), **self.widgets}

    def back_value(self, key: str, fallback: Any = None) -> Any:
        """What the widget of ``key`` goes back to from a value the address cannot set: the
        file's value of a lever, the value a seed or count had before the address's."""
        back = {lever.key: lever.base for lever in self.levers}
        return back.get(key, self.defaults.get(key, fallback))

    def put_back(self, values: dict[str, Any]) -> None:
        """Say in one line each which values were out of range (once: the browser sends
        its address again as it connects), and put them back."""
        widgets = self.address_widgets_and_levers()
        for key, value in values.items():
            widget = widgets[key]
            if widget.value == value:  # put back already (two updates saw it)
                continue
            self.say_put_back(key, widget, widget.value, value)
            widget.value = value

    def put_back_refused(self, key: str, widget: pn.widgets.Widget, given: Any) -> None:
        """Say in one line that the address's ``given`` for ``key`` was refused, put the
        widget back and write the value it runs into the address (Panel left the refused
        one there)."""
        value = self.back_value(key, widget.value)
        self.say_put_back(key, widget, given, value)
        widget.value = value
        if self.location is not None:
            text = widget.param["value"].serialize(value)
            self.location.update_query(**{key: text if isinstance(text, str) else str(text)})

    def say_put_back(self, key: str, widget: pn.widgets.Widget, given: Any, value: Any) -> None:
        """One line, said once (the browser sends its address again as it connects): the
        range of a slider or input, the choices of a select."""
        if isinstance(given, float) and isinstance(value, int) and given.is_integer():
            given = int(given)  # the address's -5, read by Panel as -5.0, on a count
        choices = _choices(widget)
        expected = (
            f"one of {', '.join(map(str, choices))}"
            if choices is not None
            else f"{widget.start} to {widget.end}"
        )
        line = f"the address's {key}={given}: expected {expected}; {value} is used"
        if line not in self.said:
            self.said.append(line)
            self.note.object += f'<p class="note-line">{html.escape(line)}</p>'

    # -- events ----------------------------------------------------------------------------
    def changed(self, *_: Any) -> None:
        self.schedule()

    def reset_base(self, *_: Any) -> None:
        self.base = Tally()
        self.schedule()

    def stop(self, *_: Any) -> None:
        """The browser went away: the update in flight stops at its next result."""
        self.token += 1

    def schedule(self) -> None:
        self.token += 1
        self.task = asyncio.ensure_future(self.update(self.token))  # held, so it is not lost

    def locked(self, change: Callable[..., None], *args: Any) -> None:
        """Make ``change`` to the page's models under the document lock: an awaiting
        coroutine no longer holds it."""
        if self.doc is None:
            change(*args)
        else:
            self.doc.add_next_tick_callback(partial(change, *args))

    def show_error(self, problems: list[str]) -> None:
        self.error.object = "".join(
            f'<p class="error-line" style="color:#b00020">error: {html.escape(line)}</p>'
            for line in problems
        )

    # -- the Monte Carlo -------------------------------------------------------------------
    def plan(self, seed: int, wanted: range) -> Work:
        """The chunks the current levers need (setting :attr:`edited` to a fresh tally when
        a lever is moved, else ``None``); a :class:`UserInputError` if the edited case is
        invalid."""
        raise NotImplementedError

    def redraw(self, wanted: int, state: str) -> None:
        """Draw the runs so far; ``state`` is ``running``, ``done`` or why it stopped."""
        raise NotImplementedError

    async def update(self, token: int) -> None:
        """Run what the page lacks for the current levers, redrawing as chunks arrive.
        ``token`` numbers the change that asked; a later change makes this one stop (the
        URL sets several levers at once, and only the last update runs)."""
        if token != self.token:
            return
        if wrong := self.out_of_range():
            self.locked(self.put_back, wrong)  # which schedules the update that runs
            return
        seed, wanted = self.seed.value, range(min(self.replications.value, self.most))
        levers = self.lever_state()
        try:
            work, run = self.plan(seed, wanted)
        except UserInputError as error:
            self.locked(self.show_error, error.problems)
            return
        self.locked(self.show_error, [])
        started = last = time.perf_counter()
        self.locked(self.redraw_for, levers, len(wanted), "running")
        stream = arrivals(self.pool, work, run)
        try:
            async for case, result in stream:
                if token != self.token:
                    return
                (self.base if case == "base" else self.edited).add(result)
                now = time.perf_counter()
                if now - started > TIME_LIMIT_S:
                    limit = f"stopped at the session's limit of {TIME_LIMIT_S:g} s"
                    self.locked(self.redraw_for, levers, len(wanted), limit)
                    return
                if now - last >= REDRAW_EVERY_S:
                    self.locked(self.redraw_for, levers, len(wanted), "running")
                    last = now
            self.locked(self.redraw_for, levers, len(wanted), "done")
        except Exception as error:  # a worker that died: say so in the page
            self.locked(self.show_error, [f"the runs stopped: {type(error).__name__}: {error}"])
        finally:
            await stream.aclose()

    def lever_state(self) -> str:
        """The levers moved, as the address writes them (``g0s2delay=6&rentmw=100``; a
        number as short as it reads, so ``100.0`` and ``100`` are one state)."""
        values = {key: widget.value for key, widget in self.widgets.items()}
        return urlencode(
            {
                lever.key: f"{value:g}" if isinstance(value, float) else value
                for lever in self.levers
                if (value := values[lever.key]) != lever.base
            }
        )

    def redraw_for(self, levers: str, wanted: int, state: str) -> None:
        """Redraw the runs of the update for lever state ``levers``: the status line
        carries it (``data-levers``), so a reader knows which change a "done" is of."""
        self.shown = levers
        self.redraw(wanted, state)

    def show_status(self, wanted: int, state: str) -> None:
        cases = {"base": self.base, "edited": self.edited}
        counts = " · ".join(
            f"{name}: {len(tally)}/{wanted} runs"
            for name, tally in cases.items()
            if tally is not None
        )
        self.status.object = (
            f'<p class="status" data-state="{state}" data-levers="{html.escape(self.shown)}">'
            f"{state} — {counts}</p>"
        )
        self.last_status = (wanted, state)

    # -- downloads -------------------------------------------------------------------------
    def runs(self) -> pd.DataFrame:
        """Base and edited runs in one table (a ``case`` column tells them apart)."""
        edited = self.edited.runs() if self.edited is not None and len(self.edited) else None
        return exports.runs_table(self.base.runs(), edited)

    def parquet_file(self) -> io.BytesIO:
        return io.BytesIO(exports.parquet_bytes(self.runs()))

    def csv_file(self) -> io.BytesIO:
        return io.BytesIO(exports.csv_bytes(self.runs()))


def widget_for(lever: Lever) -> pn.widgets.Widget:
    classes = [f"lever-{lever.key}"]
    if lever.kind == "date":
        return pn.widgets.DatePicker(
            name=lever.label, value=lever.base, start=lever.low, end=lever.high, css_classes=classes
        )
    if lever.kind == "choice":
        return pn.widgets.Select(
            name=lever.label, value=lever.base, options=list(lever.options), css_classes=classes
        )
    if lever.kind in ("power", "rent", "share", "rate"):
        step = {"share": 0.05, "rate": 1.0}.get(lever.kind, 5.0)
        return pn.widgets.FloatSlider(
            name=lever.label,
            value=lever.base,
            start=lever.low,
            end=lever.high,
            step=step,
            css_classes=classes,
        )
    return pn.widgets.IntSlider(
        name=lever.label, value=lever.base, start=lever.low, end=lever.high, css_classes=classes
    )


def download(filename: str, callback, label: str) -> pn.widgets.FileDownload:
    return pn.widgets.FileDownload(
        callback=callback,
        filename=filename,
        label=label,
        embed=False,
        button_type="default",
        css_classes=[f"download-{filename.replace('.', '-')}"],
    )


def _choices(widget: pn.widgets.Widget) -> list[Any] | None:
    """The values a select offers (its options' values when they are named), else None."""
    options = getattr(widget, "options", None)
    if options is None:
        return None
    return list(options.values()) if isinstance(options, dict) else list(options)
