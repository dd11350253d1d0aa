"""The exception and warning classes of the tyche package."""

# ty_status (engine/include/tyche/common.h), by value.
STATUS_NAMES = {
    0: "TY_OK",
    1: "TY_ERR_INVALID",
    2: "TY_ERR_NOMEM",
    3: "TY_ERR_IO",
    4: "TY_ERR_LIMIT",
    5: "TY_ERR_INTERRUPTED",
    6: "TY_ERR_INTERNAL",
    7: "TY_ERR_NO_WEIGHT",
}


class TycheError(Exception):
    """A failure of libtyche, or a file that is not a readable tyche result.

    ``message`` is the text the ``tyche`` command would print for the same
    failure: for an error in a scenario or batch file one
    ``FILE:LINE:COL: error: MESSAGE`` line per error, each followed by the
    offending source line, a caret and a hint where there is one.
    ``status`` is libtyche's ``ty_status`` (an int; 0 never appears here)
    and ``status_name`` its name (``"TY_ERR_INVALID"``); ``status`` is
    ``None`` for an error found in Python (a file that is not a tyche
    result, a library that cannot be loaded).
    """

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.status_name = STATUS_NAMES.get(status, str(status)) if status is not None else None

    def __str__(self):
        return self.message


class TycheWarning(UserWarning):
    """What a successful run warns about: a warning in the scenario file,
    an effective sample size under 100 after observations, a Pareto k-hat
    above 0.7, a target half-width not reached (``tyche run`` prints the
    same lines on stderr)."""
