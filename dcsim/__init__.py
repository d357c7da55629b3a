"""dcsim: a discrete-event simulator of AI-datacenter build-out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dcsim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"


def __getattr__(name: str):
    """``dcsim.sweep(...)`` without importing pandas and SciPy on ``import dcsim``."""
    if name == "sweep":
        from dcsim.sweeps import sweep

        return sweep
    raise AttributeError(f"module 'dcsim' has no attribute {name!r}")
