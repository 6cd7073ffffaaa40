"""Run every benchmark and print one table."""

from __future__ import annotations

import importlib
import sys
import time

from bench import Figure

BENCHES = (
    "bench.esco_import",
    "bench.search",
    "bench.quality",
    "bench.matching",
    "bench.learning",
    "bench.matching_speed",
    "bench.load",
)


def _table(rows: list[Figure]) -> str:
    header = Figure("figure", "value", "target", "note")
    cols = list(zip(*([header, *rows]), strict=True))
    widths = [max(len(str(c)) for c in col) for col in cols]
    line = "+".join("-" * (w + 2) for w in widths)
    out = []
    for i, row in enumerate([header, *rows]):
        out.append("|".join(f" {c!s:<{w}} " for c, w in zip(row, widths, strict=True)))
        if i == 0:
            out.append(line)
    return "\n".join(out)


def main(names: list[str]) -> int:
    rows: list[Figure] = []
    for name in names or BENCHES:
        started = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(name)
        rows.extend(module.figures())
        print(f"[bench] {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
