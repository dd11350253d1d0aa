"""Finding and loading libtyche.so, and the prototypes of the functions the
package calls (engine/include/tyche/embed.h, version.h).

The library is looked for, in order:

1. the environment variable ``TYCHE_LIBRARY``: the path of the library
   file (when set it is the only place tried);
2. ``_install.py`` beside this file, written when the package is installed
   with the library: ``LIBDIR_RELATIVE``, the library folder relative to the
   package folder;
3. the build tree the package sits in: ``../../build/*/engine/libtyche.so.0``
   from the package folder, ``build/release`` first;
4. ``ctypes.util.find_library("tyche")`` (the system's library path).
"""

import ctypes
import ctypes.util
import glob
import os
import threading

from ._errors import TycheError

SONAME = "libtyche.so.0"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

_lock = threading.Lock()
_lib = None


def _install_candidates():
    try:
        from . import _install   # generated at install time; absent in the source tree
    except ImportError:
        return []
    rel = getattr(_install, "LIBDIR_RELATIVE", None)
    if not rel:
        return []
    libdir = os.path.normpath(os.path.join(_PACKAGE_DIR, rel))
    return [os.path.join(libdir, SONAME), os.path.join(libdir, "libtyche.so")]


def _build_tree_candidates():
    root = os.path.normpath(os.path.join(_PACKAGE_DIR, "..", ".."))
    found = sorted(glob.glob(os.path.join(root, "build", "*", "engine", SONAME)))
    release = os.path.join(root, "build", "release", "engine", SONAME)
    if release in found:
        found.remove(release)
        found.insert(0, release)
    return found


def candidates():
    """The paths tried, in order, after TYCHE_LIBRARY (for messages and tests)."""
    paths = _install_candidates() + _build_tree_candidates()
    name = ctypes.util.find_library("tyche")
    if name:
        paths.append(name)
    return paths


def _declare(lib):
    c_char_pp = ctypes.POINTER(ctypes.c_char_p)
    c_double_p = ctypes.POINTER(ctypes.c_double)
    lib.ty_version.argtypes = []
    lib.ty_version.restype = ctypes.c_char_p
    lib.ty_embed_run.argtypes = [
        ctypes.c_char_p, ctypes.c_char_p,             # input_path, result_path
        ctypes.c_uint64, ctypes.c_int, ctypes.c_uint64, ctypes.c_int,   # samples, has_seed, seed, threads
        c_char_pp, c_double_p, ctypes.c_size_t,       # set_keys, set_values, nsets
        c_char_pp, c_double_p, ctypes.c_size_t,       # observe_names, observe_values, nobserve
        ctypes.c_int, ctypes.c_char_p,                # prior, command_line
        ctypes.c_char_p, ctypes.c_size_t,             # message, message_size
    ]
    lib.ty_embed_run.restype = ctypes.c_int
    return lib


def _load_one(path):
    try:
        return _declare(ctypes.CDLL(path))
    except OSError as e:
        raise TycheError(f"cannot load libtyche from {path}: {e}") from None
    except AttributeError as e:
        raise TycheError(f"{path} is not a libtyche with the embedding API (ty_embed_run): {e}") from None


def load():
    """The loaded library (a ctypes.CDLL), loading it on the first call.
    Raises TycheError when it cannot be found or loaded."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        env = os.environ.get("TYCHE_LIBRARY")
        if env:
            _lib = _load_one(env)
            return _lib
        tried = candidates()
        for path in tried:
            if os.sep in path and not os.path.exists(path):
                continue
            _lib = _load_one(path)
            return _lib
        raise TycheError(
            "cannot find libtyche (libtyche.so.0): not installed beside the package, not in a build "
            "tree above it (build/*/engine/), not on the system's library path. Build it (cmake "
            "--build --preset release builds build/release/engine/libtyche.so) and point the "
            "environment variable TYCHE_LIBRARY at the file, e.g. "
            "TYCHE_LIBRARY=/path/to/tyche/build/release/engine/libtyche.so.0")


def version():
    """ty_version() of the loaded library (loading it), as a str."""
    return load().ty_version().decode("utf-8")
