"""Call overhead of the Python package `cgoguard bridge` generates, side by side with
hand-written ctypes and cffi (ABI mode) over the same library, in one process.

    python benchmarks/bench_bridge.py [--calls 200000] [--runs 5]

The library is tests/fixtures/bridge/kit, bridged and built as c-shared with the hardened
profile. Two calls are timed: ``Noop()`` (an empty Go function: the cost of crossing into Go
and back) and ``Echo(s)`` with a 1 KiB string (in as pointer + length, copied into Go; out as
library memory that the caller copies and frees). The hand-written versions do the least a
correct caller must do (set argtypes once; convert, copy out, free) and no more: no range
checks, no status check beyond a comparison, no exception mapping. The table shows the
median over ``--runs`` of the time per call, and each binding's ratio to hand-written ctypes.

gopy (go-python/gopy) is not measured: it is installed with `go install` from the Go module
proxy, which this machine cannot reach, and it builds a CPython extension rather than a
library other languages can load.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "tests" / "fixtures" / "bridge" / "kit"

CDEF = """
int32_t kit_noop(void);
int32_t kit_echo(const char* s, uint64_t s_len, char** out, uint64_t* out_len);
void kit_free(void* memory);
"""


def _build(work: Path) -> Path:
    sys.path.insert(0, str(ROOT / "src"))
    from cgoguard.api import bridge, build

    shutil.copytree(KIT, work / "kit")
    bridge(work / "kit", work / "gen")
    previous = os.getcwd()
    os.chdir(work)
    try:
        (outcome,) = build("./gen", mode="c-shared", profile="hardened", out_dir=work / "dist")
    finally:
        os.chdir(previous)
    if outcome.result is None:
        raise SystemExit(f"build failed: {outcome.message}")
    library = work / "gen" / "python" / "kit" / "libkit.so"
    shutil.copy(outcome.result.artifact, library)
    return library


def _per_call(function: Callable[[], object], calls: int, runs: int) -> float:
    """Median seconds per call over ``runs`` runs of ``calls`` calls (after one warm-up run)."""
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - started
        if run:
            times.append(elapsed / calls)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod"})
    with tempfile.TemporaryDirectory(prefix="bench-bridge-") as scratch:
        library = _build(Path(scratch))
        sys.path.insert(0, str(library.parent.parent))
        import kit  # the generated package; loads libkit.so beside it

        text = "x" * 1024
        data = text.encode()

        # Hand-written ctypes over the same library (the same Go runtime, already loaded).
        handle = ctypes.CDLL(str(library))
        handle.kit_noop.argtypes, handle.kit_noop.restype = [], ctypes.c_int32
        handle.kit_echo.argtypes = [ctypes.c_char_p, ctypes.c_uint64, ctypes.POINTER(ctypes.c_void_p),
                                    ctypes.POINTER(ctypes.c_uint64)]  # fmt: skip
        handle.kit_echo.restype = ctypes.c_int32
        handle.kit_free.argtypes, handle.kit_free.restype = [ctypes.c_void_p], None

        def ctypes_echo() -> str:
            out, length = ctypes.c_void_p(), ctypes.c_uint64()
            encoded = text.encode()
            if handle.kit_echo(encoded, len(encoded), ctypes.byref(out), ctypes.byref(length)) != 0:
                raise RuntimeError("echo failed")
            try:
                return ctypes.string_at(out, length.value).decode()
            finally:
                handle.kit_free(out)

        import cffi

        ffi = cffi.FFI()
        ffi.cdef(CDEF)
        abi = ffi.dlopen(str(library))

        def cffi_echo() -> str:
            out, length = ffi.new("char**"), ffi.new("uint64_t*")
            encoded = text.encode()
            if abi.kit_echo(encoded, len(encoded), out, length) != 0:
                raise RuntimeError("echo failed")
            try:
                return ffi.unpack(out[0], length[0]).decode()
            finally:
                abi.kit_free(out[0])

        assert kit.echo(text) == ctypes_echo() == cffi_echo() == text and data
        rows = [
            ("Noop(): generated binding", _per_call(kit.noop, args.calls, args.runs)),
            ("Noop(): hand-written ctypes", _per_call(handle.kit_noop, args.calls, args.runs)),
            ("Noop(): hand-written cffi (ABI)", _per_call(abi.kit_noop, args.calls, args.runs)),
            ("Echo(1 KiB): generated binding", _per_call(lambda: kit.echo(text), args.calls // 4, args.runs)),
            ("Echo(1 KiB): hand-written ctypes", _per_call(ctypes_echo, args.calls // 4, args.runs)),
            ("Echo(1 KiB): hand-written cffi (ABI)", _per_call(cffi_echo, args.calls // 4, args.runs)),
        ]
    go = subprocess.run([sys.executable, "-c", "import sys; print(sys.version.split()[0])"],
                        capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    print(f"Python {go}, cffi {cffi.__version__}; median of {args.runs} runs; ratio to hand-written ctypes")
    print(f"{'call':40} {'ns/call':>9} {'ratio':>6}")
    for index, (name, seconds) in enumerate(rows):
        baseline = rows[1 if index < 3 else 4][1]
        print(f"{name:40} {seconds * 1e9:9.0f} {seconds / baseline:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
