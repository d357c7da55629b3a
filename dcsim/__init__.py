"""dcsim: a discrete-event simulator of AI-datacenter build-out."""

from dcsim.version import __version__

__all__ = ["__version__", "optimize", "sweep"]


def __getattr__(name: str):
    """``dcsim.sweep(...)`` and ``dcsim.optimize(...)`` without importing pandas, SciPy
    and Optuna on ``import dcsim``."""
    if name == "sweep":
        from dcsim.sweeps import sweep

        return sweep
    if name == "optimize":
        from dcsim.optimization import optimize

        return optimize
    raise AttributeError(f"module 'dcsim' has no attribute {name!r}")
