"""Calibration against real sites: the dataset of dated milestones, the observation model,
forecast scores, fitting build-mode durations and backtesting the forecasts.

Modules run downhill: ``dataset`` (read and check the CSV) -> ``observations`` (durations
with their censoring) -> ``scoring`` (coverage, CRPS, interval score, PIT) and
``sites`` (a dataset site as a dcsim scenario, predicted by Monte Carlo) -> ``fit``
(the calibration document) -> ``backtest`` -> ``report`` (the backtest's page); ``store``
writes files whole, with the same bytes for the same content.
"""
