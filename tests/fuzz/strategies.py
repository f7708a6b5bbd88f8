"""Hostile inputs for the fuzzing suite: numbers of every spelling and size, unicode, injections, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import strategies as st

INJECTIONS = ["__import__('os').system('touch pwned')", "().__class__.__base__.__subclasses__()",
              "exec('1')", "eval('1')", "lambda: 0", "[x for x in ()]", "p.__class__", "open('x', 'w')",
              "${HOME}", "$(touch pwned)", "`touch pwned`", "; rm -rf /", "\x00", "\n", "\\", "'", '"',
              "\udcff\udcfe", "p\udc80"]  # the last two: argv bytes that are not UTF-8 (surrogateescape)

_digits = st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n)
_exponents = st.sampled_from([0, 1, -1, 308, -324, 999, 1000, 1001, -1001, 4300, 10**5, 10**30])

NUMBERS = st.one_of(
    st.sampled_from(["0.5", "1/3", "0.1", "0", "1", "-0.1", "1.5", "2.5e-3", ".5", "5.", "1e-300", "1/0",
                     "inf", "-inf", "nan", "NaN", "1_000", "0x10", "١", "½", "1e", "e1", "--1", "+-1", "",
                     " ", "0.5 ", "1 / 3", "1//3", "3/-4", "1e+5", "1E-5", "0.0000001"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.fractions().map(str),
    st.builds(lambda d, e: f"{d}e{e}", st.sampled_from(["1", "9.99", "0.1"]), _exponents),
    st.builds(lambda d: f"0.{d}", _digits),
    st.builds(lambda d: f"1/{d}", _digits),
    st.text(max_size=8),
    st.sampled_from(INJECTIONS),
)
LISTS = st.lists(NUMBERS, min_size=0, max_size=4).map(",".join) | NUMBERS | st.sampled_from(
    ["0.5,0.5", "0.2,0.3,0.5", "0.5;0.5", "0.5,0.5;0.2", ",", ";", "0.5,,0.5"])

EXPRESSIONS = st.one_of(
    st.sampled_from(["H(P, Q)", "H(P) + KL(P, Q)", "KL(P, Q)", "log(p)", "p", "0", "exp(exp(exp(1000)))",
                     "(p+q)**1000", "exp(-1000000)", "2**10**10", "((((((((p))))))))", "log(0)", "1/0",
                     "H([0.5, 0.5], base=2)", "Sum(x[i], i, 1, n)", "sigmoid(z)", "BCE(y, q)", "JS(P, Q)",
                     "H(P, base=1)", "H(P, base=-1)", "p**p**p**p", "9" * 1500, "1e999999", "x" * 2500,
                     "(" * 200 + "p" + ")" * 200, "p" + "+p" * 300, "abs(max(p, q))", "log(x, 1)"]),
    st.sampled_from(INJECTIONS),
    st.text(max_size=12),
    NUMBERS,
)
DOMAINS = st.sampled_from(["p in (0, 1)", "q in (0, 1)", "x in (0, oo)", "z in R", "s > 0", "y in {0, 1}",
                           "p in (1, 0)", "p in", "in (0,1)", "p in (0, 1e999999)", "p > nan", "p in [a, b]",
                           "__import__('os') in R", "p in (0, 1, 2)", "p in {" + ",".join(["1"] * 200) + "}"])
SECONDS = st.sampled_from(["0.3", "0.5", "inf", "nan", "-1", "0", "1e999", "abc", "", "1e-300", "99999"])


def hostile_files(root: Path) -> dict[str, Path]:
    """Malformed and hostile input files under ``root``, by kind."""
    root.mkdir(parents=True, exist_ok=True)
    files = {}

    def put(name: str, data: bytes) -> None:
        (root / name).write_bytes(data)
        files[name] = root / name

    np.save(root / "ok.npy", np.array([0.25, 0.75]))
    np.save(root / "scalar.npy", np.float64(0.5))
    np.save(root / "int.npy", np.array([0, 1, 1], dtype=np.int64))
    np.save(root / "bigint.npy", np.array([2**62 + 1], dtype=np.int64))
    np.save(root / "struct.npy", np.zeros(3, dtype=[("a", "f8"), ("b", "i4")]))
    np.save(root / "complex.npy", np.array([1j]))
    np.save(root / "nd.npy", np.zeros((2, 2, 2)))
    np.save(root / "empty.npy", np.zeros(0))
    for name in ("ok", "scalar", "int", "bigint", "struct", "complex", "nd", "empty"):
        files[f"{name}.npy"] = root / f"{name}.npy"
    full = (root / "ok.npy").read_bytes()
    put("truncated.npy", full[: len(full) // 2])
    put("header.npy", b"\x93NUMPY\x01\x00\x20\x00{'descr': '<f8', 'fortran_order': Fal\n")
    put("garbage.npy", bytes(range(256)))
    put("empty.csv", b"")
    put("ragged.csv", b"0.5,0.5\n0.1\n")
    put("binary.csv", bytes(range(256)))
    put("text.csv", b"a,b\nc,d\n")
    put("ok.csv", b"0.25,0.75\n")
    (root / "folder.npy").mkdir(exist_ok=True)
    files["folder.npy"] = root / "folder.npy"
    (root / "shards").mkdir(exist_ok=True)  # a folder of shards, one of them with a hostile header
    (root / "shards" / "a.npy").write_bytes(b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 70000)
    np.save(root / "shards" / "b.npy", np.array([0.5]))
    files["shards"] = root / "shards"
    files["missing.npy"] = root / "missing.npy"
    files["long.csv"] = root / ("x" * 300 + ".csv")
    return files
