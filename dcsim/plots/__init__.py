"""Figures of runs and sweeps; every function draws on an optional ``ax`` and returns it.

Import cost is matplotlib's, so the CLI imports this package only inside handlers.
"""

from dcsim.plots.run import plot_capex, plot_gpu_pipeline, plot_power, plot_schedule

__all__ = ["plot_capex", "plot_gpu_pipeline", "plot_power", "plot_schedule"]
