"""Capex growth curves: load a series, fit and rank models, forecast, backtest, plot.

Typical use::

    from dcsim import growth
    series = growth.load_company("Meta")
    result = growth.fit(series.years, series.values, name=series.name)
    result.best.name, result.forecast(5, level=0.9, seed=1).records()

See ``docs/capex.md`` for the models, the log-space fitting assumption and AICc.
"""

from dcsim.errors import UserInputError
from dcsim.growth.backtest import DEFAULT_METHOD, Backtest, backtest, backtest_series
from dcsim.growth.data import Series, companies, load_company, load_csv
from dcsim.growth.fitting import ModelFit, aicc
from dcsim.growth.forecast import Forecast
from dcsim.growth.models import MODELS, Model
from dcsim.growth.plot import plot_fit
from dcsim.growth.selection import GrowthFit, fit

__all__ = [
    "DEFAULT_METHOD",
    "MODELS",
    "Backtest",
    "Forecast",
    "GrowthFit",
    "Model",
    "ModelFit",
    "Series",
    "UserInputError",
    "aicc",
    "backtest",
    "backtest_series",
    "companies",
    "fit",
    "load_company",
    "load_csv",
    "plot_fit",
]
