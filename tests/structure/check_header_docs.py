#!/usr/bin/python3
"""The public headers are the C library's reference (docs/library.md): every
function they declare has its contract in a comment, either above it (a
comment may cover a run of declarations with no blank line between them)
or at the end of its line. Prints each undocumented function; exit 1 if any.
Usage: check_header_docs.py INCLUDE_DIR"""
import glob
import re
import sys

DECL = re.compile(r"^(?:const\s+)?[a-z_][a-z0-9_]*(?:\s+|\s*\*+\s*)(ty_[a-z0-9_]+)\s*\(")

def undocumented(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = DECL.match(line)
        if not m or line.startswith("typedef") or "/*" in line:
            continue
        j = i - 1
        documented = False
        while j >= 0:
            s = lines[j].strip()
            if s.endswith("*/"):
                documented = True
                break
            if s == "" or s.startswith("#"):
                break
            j -= 1
        if not documented:
            yield i + 1, m.group(1)

def main():
    headers = sorted(glob.glob(sys.argv[1] + "/tyche/*.h"))
    if not headers:
        print("FAIL: no headers under", sys.argv[1])
        return 1
    bad = [(h, n, f) for h in headers for n, f in undocumented(h)]
    for h, n, f in bad:
        print(f"{h}:{n}: {f} has no comment saying what it does")
    count = sum(1 for h in headers for l in open(h, encoding="utf-8") if DECL.match(l))
    print(f"{'FAIL' if bad else 'PASS'}: {count} public functions in {len(headers)} headers, {len(bad)} undocumented")
    return 1 if bad else 0

sys.exit(main())
