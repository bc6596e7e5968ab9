"""Drives the Python package `cgoguard bridge` generated for tests/fixtures/bridge/kit, in a
process of its own (a Go runtime, once loaded, stays): ``python bridge_client.py SCENARIO``
with the generated package on PYTHONPATH. Prints one JSON document."""

from __future__ import annotations

import contextlib
import gc
import json
import sys
import threading
import warnings
from typing import Any


def resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def everything() -> dict[str, Any]:
    import kit

    out: dict[str, Any] = {
        "version": kit.version(),
        "noop": kit.noop(),
        "add": kit.add(40, 2),
        "divide": kit.divide(7, 2),
        "greet": kit.greet("ann"),
        "echo": kit.echo("a\x00b é \udcff"),
        "reverse_long": kit.reverse("ab" * 1000) == "ba" * 1000,
        "checksum": kit.checksum(b"hello"),
        "upper": kit.upper(b"abc").decode(),
        "scale": kit.scale([1.0, 2.5, -4.0], 2.0),
        "sum": kit.sum_([1, 2, 3]),
        "is_even": kit.is_even(10),
        "twice": kit.twice(21),
        "midpoint": repr(kit.midpoint(kit.Point(0.0, 0.0, 7), kit.Point(2.0, 4.0, 9))),
        "grow": repr(kit.grow(kit.Box(kit.Point(0, 0, 0), kit.Point(1, 1, 0), False), 1.0)),
        "split": [
            *list(kit.split("ab cd ef")[:1]),
            kit.split("ab cd ef")[1].decode(),
            kit.split("ab cd ef")[2],
        ],
    }
    errors: dict[str, list[Any]] = {}
    for name, call in {
        "divide": lambda: kit.divide(1, 0),
        "greet": lambda: kit.greet(""),
        "crash": lambda: kit.crash("boom"),
        "overflow": lambda: kit.add(2**63, 0),
        "unsigned": lambda: kit.is_even(-1),
    }.items():
        try:
            call()
            errors[name] = ["no error"]
        except kit.GoError as error:
            errors[name] = [type(error).__name__, error.code, error.message]
        except OverflowError as error:
            errors[name] = ["OverflowError", str(error)]
    out["errors"] = errors
    out["alive_after_panic"] = kit.add(1, 1)
    with kit.new_counter(5) as counter:
        out["counter"] = [counter.add(3), counter.value()]
    try:
        counter.add(1)
        out["closed_counter"] = "no error"
    except kit.InvalidHandle as error:
        out["closed_counter"] = [error.code, error.message]
    counter.close()  # again: nothing happens
    leaked = kit.new_counter(1)
    number = leaked._handle
    del leaked  # the finalizer releases it
    gc.collect()
    try:
        kit.Counter(number).add(1)  # the same handle number, wrapped again: released in Go
        out["finalized"] = "no error"
    except kit.InvalidHandle as error:
        out["finalized"] = [error.code, error.message]
    with kit.Context(timeout=0.02) as context:
        try:
            kit.wait(10_000, ctx=context)
            out["deadline"] = "no error"
        except kit.Canceled as error:
            out["deadline"] = [error.code, error.message]
    context = kit.Context()
    threading.Timer(0.02, context.cancel).start()
    try:
        kit.wait(10_000, ctx=context)
        out["cancel"] = "no error"
    except kit.Canceled as error:
        out["cancel"] = [error.code, error.message]
    context.close()
    out["wait"] = kit.wait(1)
    out["contract"] = [kit.CONTRACT_VERSION, f"{kit.CONTRACT_CHECKSUM:016x}"]
    out["fips140"] = kit.fips140_enabled()
    return out


def threads() -> dict[str, Any]:
    import kit

    counter = kit.new_counter(0)
    problems: list[str] = []
    rounds = 2000

    def work(worker: int) -> None:
        try:
            for i in range(rounds):
                name = f"w{worker}-{i}"
                if kit.greet(name) != "hello, " + name:
                    problems.append(f"greet {name}")
                if kit.add(worker, i) != worker + i:
                    problems.append(f"add {worker} {i}")
                try:
                    kit.divide(i, 0)
                    problems.append("no error")
                except kit.GoError as error:
                    # The message read back is this thread's, not another's.
                    if error.message != "division by zero":
                        problems.append(f"message {error.message}")
                try:
                    kit.crash(name)
                except kit.GoPanic as error:
                    if error.message != f"panic: {name}":
                        problems.append(f"panic message {error.message!r} for {name}")
                counter.add(1)
        except Exception as error:
            problems.append(repr(error))

    workers = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"problems": problems[:10], "count": counter.value(), "expected": 8 * rounds}


def rss(calls: int) -> dict[str, Any]:
    import kit

    def mix(i: int) -> None:
        kit.greet("bob")
        kit.echo("x" * 1024)
        kit.scale([1.0, 2.0], 3.0)
        with contextlib.suppress(kit.GoError):
            kit.divide(1, 0)
        with contextlib.suppress(kit.GoPanic):
            kit.crash("boom")
        with kit.new_counter(i) as counter:
            counter.add(1)
        kit.reverse("abc" * 100)

    per_round = 7
    for i in range(calls // per_round // 2):
        mix(i)
    gc.collect()
    before = resident_kib()
    for i in range(calls // per_round):
        mix(i)
    gc.collect()
    return {"before_kib": before, "after_kib": resident_kib(), "calls": calls // per_round * per_round}


def other_runtime(path: str) -> dict[str, Any]:
    import ctypes

    ctypes.CDLL(path)  # another Go library, already loaded
    warnings.simplefilter("error", RuntimeWarning)  # the warning stops the import before kit loads
    try:
        import kit  # noqa: F401
    except RuntimeWarning as warning:
        return {"warning": str(warning)}
    return {"warning": None}


def mismatch() -> dict[str, Any]:
    try:
        import kit  # noqa: F401
    except ImportError as error:
        return {"refused": str(error)}
    return {"refused": None}


if __name__ == "__main__":
    scenario = sys.argv[1]
    if scenario == "everything":
        result = everything()
    elif scenario == "threads":
        result = threads()
    elif scenario == "rss":
        result = rss(int(sys.argv[2]))
    elif scenario == "other-runtime":
        result = other_runtime(sys.argv[2])
    else:
        result = mismatch()
    print(json.dumps(result))
