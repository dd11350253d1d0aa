#!/usr/bin/python3
"""Known-answer data for tyche's PCG64-DXSM, made by NumPy's PCG64DXSM.

Run with Debian's python3-numpy:  /usr/bin/python3 gen_pcg64dxsm_kat.py > pcg64dxsm_kat.txt

Each case sets the raw (state, inc) pair exactly as `tyche rng --state --inc`
does, then records the first outputs, and the state after advancing by a
few deltas (NumPy's advance, counted in 64-bit outputs).
"""
import numpy as np

CASES = [
    (0x1, 0x3),
    (0x0, 0x1),
    (0x0123456789ABCDEF0FEDCBA987654321, 0x5851F42D4C957F2D14057B7EF767814F),
    (0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF),
    (0x979C9A98D84620057D3E9CB6CFE0549B, 0x0000000000000001DA3E39CB94B95BDB),
    (0x8000000000000000, 0x2545F4914F6CDD1D0000000000000001),
]
DELTAS = [1, 2, 1000, 2**64 + 12345, 2**127 + 3]
NOUT = 16
M128 = 2**128 - 1


def make(state, inc):
    g = np.random.PCG64DXSM()
    g.state = {"bit_generator": "PCG64DXSM", "state": {"state": state, "inc": inc},
               "has_uint32": 0, "uinteger": 0}
    return g


print("# PCG64DXSM known answers from NumPy", np.__version__)
print("# case STATE INC / out X (NOUT lines) / advance DELTA STATE_AFTER")
for state, inc in CASES:
    print(f"case {state:032x} {inc:032x}")
    for x in make(state, inc).random_raw(NOUT):
        print(f"out {int(x):016x}")
    for d in DELTAS:
        g = make(state, inc)
        g.advance(d)
        print(f"advance {d & M128:032x} {g.state['state']['state']:032x}")
