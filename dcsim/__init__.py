"""dcsim: a discrete-event simulator of AI-datacenter build-out."""

from dcsim.version import __version__

__all__ = ["__version__", "explain", "optimize", "simulate", "sweep"]

#: Public functions, each imported on first use: ``import dcsim`` stays light (no pandas,
#: SciPy, SimPy or Optuna) and ``dcsim.simulate(...)`` still works.
LAZY = {
    "explain": "dcsim.counterfactuals",
    "optimize": "dcsim.optimization",
    "simulate": "dcsim.api",
    "sweep": "dcsim.sweeps",
}


def __getattr__(name: str):
    """``dcsim.simulate`` / ``sweep`` / ``optimize`` / ``explain`` from their modules,
    imported only when asked."""
    if name in LAZY:
        from importlib import import_module

        return getattr(import_module(LAZY[name]), name)
    raise AttributeError(f"module 'dcsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *LAZY})
