"""tyche: read tyche result files as pandas tables and xarray Datasets, and
run scenarios through libtyche (docs/python.md).

    import tyche
    r = tyche.run("scenarios/ukraine-2014.yaml", samples=100_000, seed=1)
    r.outcomes                       # a DataFrame: variant, name, probability, ...
    r = tyche.open("results/ukraine-2014-policy.h5")
    r["troops_double"].differences   # one batch variant's tables

tyche.open reads with h5py alone; tyche.run loads libtyche.so (see
tyche._library for where it is looked for; TYCHE_LIBRARY names it).
"""

from ._errors import TycheError, TycheWarning
from ._result import TABLES, Result, Run, open
from ._run import run

__all__ = ["open", "run", "Result", "Run", "TycheError", "TycheWarning", "TABLES", "library_path"]

# The package's own version, used when libtyche cannot be loaded; the
# tests check that it is the library's (engine/include/tyche/version.h).
_FALLBACK_VERSION = "0.1.0"


def library_path():
    """The file libtyche was loaded from (loading it), or raises TycheError."""
    from . import _library
    return _library.load()._name


def __getattr__(name):
    # tyche.__version__: the library's ty_version() when it loads, else the
    # package's own (so that reading files needs no library).
    if name == "__version__":
        from . import _library
        try:
            return _library.version()
        except TycheError:
            return _FALLBACK_VERSION
    raise AttributeError(f"module 'tyche' has no attribute {name!r}")
