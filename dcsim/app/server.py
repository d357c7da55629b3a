"""The Panel server of ``dcsim app``: one worker pool, a temporary directory, a page per
session.

The pool's processes are spawned (not forked from a server that runs threads) and warmed
up as the server starts, so the first lever change does not pay for imports.
Each page load builds its own :class:`~dcsim.app.page.WhatIf` (or, for a fleet file,
:class:`~dcsim.app.fleet_page.FleetWhatIf`) from the file the server was started on.
"""

from __future__ import annotations

import multiprocessing
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from dcsim.app.fleet_page import FleetWhatIf
from dcsim.app.fleet_runs import FleetSource
from dcsim.app.page import WhatIf
from dcsim.app.source import Source
from dcsim.config.safe_yaml import MAX_BYTES

#: Largest websocket message: a scenario of ``MAX_BYTES`` in base64 (4/3) with room to spare.
UPLOAD_MESSAGE_BYTES = 2 * MAX_BYTES


def warm_up() -> None:
    """A worker's start: it dies with the server (a server ended by a signal leaves no
    worker behind), and it imports the simulator before the first chunk arrives."""
    from dcsim.runtime.executors import bound_to_parent

    bound_to_parent()
    import dcsim.app.fleet_runs
    import dcsim.app.montecarlo  # noqa: F401


def make_pool(workers: int) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=warm_up,
    )
    for _ in range(workers):  # not waited for: the page is served while workers import
        pool.submit(warm_up)
    return pool


def serve(
    source: Source | FleetSource, host: str, port: int, workers: int, show: bool = False
) -> None:
    """Serve the app until interrupted (Ctrl-C)."""
    import panel as pn

    pool = make_pool(workers)
    with tempfile.TemporaryDirectory(prefix="dcsim-app-") as scratch:

        def page():
            session = (
                FleetWhatIf(source, pool)
                if isinstance(source, FleetSource)
                else WhatIf(source, pool, Path(scratch))
            )
            pn.state.on_session_destroyed(session.stop)
            view = session.view()
            session.sync_url()
            return view

        origins = [f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
        name = source.path if isinstance(source, FleetSource) else source.name
        print(f"dcsim app: serving {name} on http://{host}:{port}/", flush=True)
        try:
            pn.serve(
                {"/": page},
                port=port,
                address=host,
                websocket_origin=origins,
                show=show,
                title="dcsim what-if",
                verbose=False,
                # an upload crosses the websocket base64-encoded in one message: room for
                # the loader's own limit, no more
                websocket_max_message_size=UPLOAD_MESSAGE_BYTES,
            )
        finally:
            pool.shutdown(cancel_futures=True)
