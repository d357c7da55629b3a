"""The installed package's version, for manifests and reports."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dcsim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
