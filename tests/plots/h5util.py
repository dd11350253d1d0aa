"""Helpers shared by the scripts that add datasets to a copy of a result
file for the chart tests (add_queries.py, add_observations.py): strings and
numbers written the way tyche writes them."""
import h5py
import numpy as np


def fixed_str(g, name, values):
    """Fixed-length UTF-8 NUL-terminated strings, as tyche writes them."""
    n = max([len(v.encode()) for v in values] + [0]) + 1
    t = h5py.h5t.C_S1.copy()
    t.set_size(n)
    t.set_strpad(h5py.h5t.STR_NULLTERM)
    t.set_cset(h5py.h5t.CSET_UTF8)
    data = np.array([v.encode() for v in values], dtype=f"S{n}")
    space = h5py.h5s.create_simple((len(values),))
    h5py.h5d.create(g.id, name.encode(), t, space).write(h5py.h5s.ALL, h5py.h5s.ALL, data, mtype=t)
    g[name].attrs["description"] = name


def f64(g, name, values, units="1"):
    """A float64 dataset with tyche's description and units attributes."""
    d = g.create_dataset(name, data=np.asarray(values, float))
    d.attrs["description"] = name
    d.attrs["units"] = units
    return d
