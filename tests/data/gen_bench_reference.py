#!/usr/bin/python3
"""Writes tests/data/bench_reference.txt: the outcome probabilities of the
benchmark model (bench/models/ukraine-2014-bench.yaml) estimated by the
independent NumPy implementation bench/peers/numpy_model.py, which test_run
compares tyche's estimates with (within their combined standard errors).

    /usr/bin/python3 tests/data/gen_bench_reference.py [-n 1e8] > tests/data/bench_reference.txt
    /usr/bin/python3 tests/data/gen_bench_reference.py --from-json OUT.json > ...   (format a saved run)

1e8 samples take about 35 s of one core (NumPy 1.24).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "..", "..", "bench", "peers", "numpy_model.py")

ap = argparse.ArgumentParser()
ap.add_argument("-n", default="1e8")
ap.add_argument("--seed", default="2014")
ap.add_argument("--from-json")
a = ap.parse_args()
cmd = ["/usr/bin/python3", "bench/peers/numpy_model.py", "-n", a.n, "--seed", a.seed]
if a.from_json:
    text = open(a.from_json).read()
else:
    text = subprocess.run(["/usr/bin/python3", PEER, "-n", a.n, "--seed", a.seed], check=True,
                          capture_output=True, text=True).stdout
doc = json.loads(text)
print("# Outcome probabilities of bench/models/ukraine-2014-bench.yaml from the NumPy peer;")
print("# written by tests/data/gen_bench_reference.py; read by tests/unit/test_run.c.")
print("# command: %s" % " ".join(cmd))
print("# samples %d, seed %d, numpy %s, %.1f s" % (doc["samples"], doc["seed"], doc["numpy"], doc["wall_seconds"]))
print("# name probability stderr")
for o in doc["outcomes"]:
    print("%s %.10f %.6e" % (o["name"], o["probability"], o["stderr"]))
