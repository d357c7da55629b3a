"""dcsim: a discrete-event simulator of AI-datacenter build-out."""

from dcsim.version import __version__

__all__ = ["__version__", "sweep"]


def __getattr__(name: str):
    """``dcsim.sweep(...)`` without importing pandas and SciPy on ``import dcsim``."""
    if name == "sweep":
        from dcsim.sweeps import sweep

        return sweep
    raise AttributeError(f"module 'dcsim' has no attribute {name!r}")
