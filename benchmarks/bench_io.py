"""Throughput and peak memory of cuishou.io on 1,000,000-message exports, each beside a bare-parser baseline.

    python benchmarks/bench_io.py [--n 1000000] [--keep DIR]

Builds an SMS Backup & Restore XML and a CSV with N messages in a temp dir, then measures, each in a fresh
subprocess (so ru_maxrss is that run's own peak):
  xml  baseline: defusedxml iterparse over the file, clearing elements (no record building)
  xml  cuishou : read_exports(file)  → full message table
  csv  baseline: csv.reader over the file
  csv  cuishou : read_exports(file)
Peak RSS includes the interpreter and imports (~100 MB for pandas); the message table itself is reported
separately (DataFrame.memory_usage(deep=True)) because it grows with N by design: it *is* the output.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def run_one(kind: str, path: str) -> dict:
    """Executed in a child process."""
    import csv

    base_rss = _peak_rss_mb()
    t0 = time.perf_counter()
    extra: dict = {}
    if kind == "xml-baseline":
        from defusedxml.ElementTree import iterparse

        n = 0
        root = None
        for ev, el in iterparse(path, events=("start", "end")):
            if ev == "start":
                if root is None:
                    root = el
                continue
            if el.tag == "sms":
                n += 1
                root.clear()
    elif kind == "csv-baseline":
        n = 0
        with open(path, encoding="utf-8", newline="") as f:
            for _ in csv.reader(f):
                n += 1
        n -= 1
    else:
        from cuishou.io import read_exports

        extra["rss_after_import_mb"] = round(_peak_rss_mb(), 1)
        t0 = time.perf_counter()
        r = read_exports(path)
        n = len(r.table)
        extra["read_eq_parsed_plus_skipped"] = all(f.read == f.parsed + f.skipped for f in r.files)
        elapsed = time.perf_counter() - t0
        extra["table_mb"] = round(r.table.memory_usage(deep=True).sum() / 2**20, 1)
        return {"kind": kind, "records": n, "seconds": round(elapsed, 2), "peak_rss_mb": round(_peak_rss_mb(), 1),
                "rss_before_mb": round(base_rss, 1), **extra}
    elapsed = time.perf_counter() - t0
    return {"kind": kind, "records": n, "seconds": round(elapsed, 2), "peak_rss_mb": round(_peak_rss_mb(), 1),
            "rss_before_mb": round(base_rss, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="build the files here and keep them")
    ap.add_argument("--one", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(run_one(*a.one)))
        return
    import build_exports as B

    tmp = a.keep or Path(tempfile.mkdtemp(prefix="cuishou-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    xml, csvp = tmp / "sms-bench.xml", tmp / "bench.csv"
    t = time.perf_counter()
    B.write_sbr_big(xml, a.n)
    B.write_csv_big(csvp, a.n)
    print(f"built {a.n:,} messages each in {time.perf_counter() - t:.1f}s: "
          f"XML {xml.stat().st_size / 2**20:.0f} MiB, CSV {csvp.stat().st_size / 2**20:.0f} MiB  ({tmp})")
    rows = []
    for kind, path in (("xml-baseline", xml), ("xml-cuishou", xml), ("csv-baseline", csvp), ("csv-cuishou", csvp)):
        out = subprocess.run([sys.executable, __file__, "--one", kind, str(path)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        size = path.stat().st_size / 2**20
        res["msgs_per_s"] = round(res["records"] / res["seconds"])
        res["mib_per_s"] = round(size / res["seconds"], 1)
        rows.append(res)
        print(json.dumps(res, ensure_ascii=False))
    print("\n| run | records | seconds | msgs/s | MiB/s | peak RSS MiB | RSS after imports | table MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['kind']} | {r['records']:,} | {r['seconds']} | {r['msgs_per_s']:,} | {r['mib_per_s']} | "
              f"{r['peak_rss_mb']} | {r.get('rss_after_import_mb', r['rss_before_mb'])} | {r.get('table_mb', '')} |")
    if not a.keep:
        for p in (xml, csvp):
            p.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    main()
