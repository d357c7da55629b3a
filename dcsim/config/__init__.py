"""Scenario files: the schema and the loader that reports bad input clearly."""

from dcsim.config.loader import load_scenario, scenario_from_dict
from dcsim.config.schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_dict"]
