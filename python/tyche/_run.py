"""tyche.run: a scenario or batch file run through libtyche's ty_embed_run
(engine/include/tyche/embed.h) in this process, no subprocess."""

import ctypes
import numbers
import os
import shutil
import tempfile
import threading
import warnings

from . import _library
from ._errors import TycheError, TycheWarning
from ._result import Result

_MESSAGE_SIZE = 1 << 16          # the diagnostics' text: 20 errors with their lines fit
_MAX_SAMPLES = 1 << 50           # as -n
_MAX_SEED = (1 << 64) - 1
_MAX_THREADS = 4096

# libtyche writes its result through the HDF5 library that h5py may share
# in this process, and HDF5 (as Debian builds it) is not thread-safe: one
# run at a time, holding h5py's own lock around the HDF5 library, so a
# thread reading with h5py waits for the write rather than corrupting it.
_run_lock = threading.Lock()
try:
    from h5py._objects import phil as _hdf5_lock
except ImportError:   # an h5py without it: runs still exclude each other
    _hdf5_lock = threading.RLock()


def _whole(name, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"tyche.run: {name} must be a whole number, not {type(v).__name__}")
    v = int(v)
    if not lo <= v <= hi:
        raise ValueError(f"tyche.run: {name}={v} is out of range ({lo} to {hi})")
    return v


def _pairs(name, mapping):
    """(keys as bytes, values as doubles) of a dict of str -> number."""
    if mapping is None:
        return [], []
    if not hasattr(mapping, "items"):
        raise TypeError(f"tyche.run: {name} must be a dict, e.g. {name}={{'troops.mean': 50000}}")
    keys, values = [], []
    for k, v in mapping.items():
        if not isinstance(k, str):
            raise TypeError(f"tyche.run: {name}: key {k!r} is not a str")
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"tyche.run: {name}[{k!r}] = {v!r} is not a number")
        keys.append(k.encode("utf-8"))
        values.append(float(v))
    return keys, values


def _command_line(scenario, kwargs):
    """What the file records as its command_line: the call, for people."""
    args = [repr(os.fspath(scenario))] + [f"{k}={v!r}" for k, v in kwargs.items()
                                     if v is not None and v is not False]
    return "python: tyche.run(" + ", ".join(args) + ")"


def _call(scenario, result_path, samples, seed, threads, set_keys, set_values, obs_names, obs_values, prior,
          command_line):
    lib = _library.load()
    ns, no = len(set_keys), len(obs_names)
    message = ctypes.create_string_buffer(_MESSAGE_SIZE)
    with _run_lock, _hdf5_lock:
        st = lib.ty_embed_run(
            os.fsencode(scenario), os.fsencode(result_path),
            samples or 0, 1 if seed is not None else 0, seed or 0, threads or 0,
            (ctypes.c_char_p * max(ns, 1))(*set_keys), (ctypes.c_double * max(ns, 1))(*set_values), ns,
            (ctypes.c_char_p * max(no, 1))(*obs_names), (ctypes.c_double * max(no, 1))(*obs_values), no,
            1 if prior else 0, command_line.encode("utf-8"), message, _MESSAGE_SIZE)
    text = message.value.decode("utf-8", "replace")
    if st != 0:
        raise TycheError(text, st)
    # one warning per diagnostic: its first line and the indented lines
    # under it (the source line, the caret, the hint)
    entries = []
    for line in text.splitlines():
        if line.startswith("  ") and entries:
            entries[-1] += "\n" + line
        elif line:
            entries.append(line)
    for entry in entries:
        warnings.warn(entry, TycheWarning, stacklevel=3)


def run(scenario, samples=None, seed=None, threads=None, set=None, observe=None, prior=False, output=None):
    """Runs the scenario or batch file `scenario` in this process and
    returns its Result, as ``tyche run`` (or ``tyche batch``, for a file
    with a top-level ``batch`` key) would, to the same numbers bit for bit.

    samples   sample count (None: the file's run.samples), as ``-n``
    seed      the seed, 0 to 2**64 - 1 (None: the file's run.seed), as ``--seed``
    threads   OpenMP threads (None: OpenMP's default), as ``--threads``;
              the numbers do not depend on it
    set       {"FACTOR.PARAM": value}: distribution parameters to
              override, as ``--set FACTOR.PARAM=VALUE`` (not for a batch)
    observe   {"READING": value}: observed values, as ``--observe NAME=VALUE``
    prior     True: ignore every observation, as ``--prior``
    output    the result file to write (kept; an existing file is
              replaced atomically); None: a temporary file, read into the
              Result and removed (Result.path is then None; to_xarray and
              samples still work from the bytes kept in memory)

    Raises TycheError (its message the command's: ``FILE:LINE:COL: error:
    ...`` for a bad scenario; its status libtyche's) when the file cannot
    be read, is invalid, a set or observe names something the scenario
    lacks or a value it rejects, or the result cannot be written; TypeError
    and ValueError for arguments of the wrong type or range. Warnings (an
    effective sample size under 100, ...) are issued as TycheWarning. The
    call releases the GIL while it runs (other threads go on, but their
    h5py calls and other tyche.run calls wait: they share the HDF5
    library, which is not thread-safe) and cannot be interrupted with
    Ctrl-C: it returns when the run is done.
    """
    scenario = os.fspath(scenario)
    samples = None if samples is None else _whole("samples", samples, 1, _MAX_SAMPLES)
    seed = None if seed is None else _whole("seed", seed, 0, _MAX_SEED)
    threads = None if threads is None else _whole("threads", threads, 1, _MAX_THREADS)
    set_keys, set_values = _pairs("set", set)
    obs_names, obs_values = _pairs("observe", observe)
    command_line = _command_line(scenario, {"samples": samples, "seed": seed, "threads": threads, "set": set,
                                            "observe": observe, "prior": prior, "output": output})
    args = (samples, seed, threads, set_keys, set_values, obs_names, obs_values, bool(prior), command_line)
    if output is not None:
        output = os.fspath(output)
        _call(scenario, output, *args)
        return Result(output, display_name=output, path=output)
    folder = tempfile.mkdtemp(prefix="tyche-run-")
    try:
        path = os.path.join(folder, "result.h5")
        _call(scenario, path, *args)
        with open(path, "rb") as f:
            data = f.read()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Result(data, display_name=scenario)
