"""Capex growth curves: load a series, fit and rank models, forecast, backtest, plot.

Typical use::

    from dcsim import growth
    series = growth.load_company("Meta")
    result = growth.fit(series.years, series.values, name=series.name)
    result.best.name, result.forecast(5, level=0.9, seed=1).records()  # AICc curve, bootstrap
    pooled = growth.backtest([growth.load_company(c) for c in growth.companies()])
    pooled.summary  # every method's MAPE, coverage, interval score; DEFAULT_METHOD among them

The default forecast (``DEFAULT_METHOD``, with a conformal interval) is
:func:`dcsim.growth.calibrated.calibrated_forecast`. See ``docs/capex.md`` for the models,
the methods the backtest compares, the intervals and the guidance data.
"""

from dcsim.errors import UserInputError
from dcsim.growth.backtest import DEFAULT_METHOD, Backtest, backtest
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
    "companies",
    "fit",
    "load_company",
    "load_csv",
    "plot_fit",
]
