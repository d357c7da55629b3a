"""``dcsim app``: a live what-if page in the browser over the same API as the command line.

Levers (widgets generated from a scenario) become ``--set``-style overrides; each change
re-runs a Monte Carlo with the sweep's own worker on the base case's seeds (common random
numbers), so what the page shows is what ``dcsim sweep`` prints for the edited scenario.

The modules: :mod:`source` (the scenario a page starts from), :mod:`levers` (scenario ->
widgets -> overrides), :mod:`montecarlo` (chunks of replications and their running
tally), :mod:`upload` (a browser's file through the CLI's bounded loader), :mod:`exports`
(YAML, Parquet, CSV, PNG), :mod:`tables` (the page's tables as HTML), :mod:`page` (one
browser session) and :mod:`server` (the Panel server and its worker pool).
"""
