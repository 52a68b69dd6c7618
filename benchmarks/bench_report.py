"""Time and peak memory of `cuishou report` on a large invented Android export.

Builds an SMS Backup & Restore XML of N messages (default 100,000) over ~6 months from ~300 senders, with texts
drawn from the corpus in its proportions and varied names/numbers so they are distinct, then runs, each in its
own process: the baseline `cuishou inspect` (read + hash + summarise the same file) and `cuishou report`.

    python benchmarks/bench_report.py [--n 100000]
"""
from __future__ import annotations

import argparse
import html
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_label import make_texts  # noqa: E402


def build_export(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    texts = make_texts(n, seed)
    senders = [f"1380000{i:04d}" for i in range(300)]
    t0 = 1_751_000_000_000  # 2025-06-27, so both 治安管理处罚法 versions occur
    with path.open("w", encoding="utf-8") as f:
        f.write(f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{n}\">\n")
        for i, body in enumerate(texts):
            ms = t0 + i * 150_000 + rng.randint(0, 90_000)
            f.write(f'  <sms protocol="0" address="{rng.choice(senders)}" date="{ms}" type="1" subject="null" '
                    f'body="{html.escape(body, quote=True)}" read="1" status="-1" locked="0" date_sent="0" '
                    f'readable_date="" contact_name="(Unknown)" />\n')
        f.write("</smses>\n")


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MiB (ru_maxrss of the waited-for child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "sms-bench.xml"
        build_export(src, args.n)
        print(f"export: {args.n} messages, {src.stat().st_size / 2**20:.0f} MiB")
        cli = [sys.executable, "-m", "cuishou"]
        base_t, base_m = run([*cli, "inspect", str(src)])
        rep_t, rep_m = run([*cli, "report", str(src), "-o", str(Path(d) / "out"), "--me", "13900000000"])
        size = sum(p.stat().st_size for p in (Path(d) / "out").rglob("*") if p.is_file()) / 2**20
        print(f"baseline cuishou inspect: {base_t:6.1f} s, peak RSS {base_m:6.0f} MiB")
        print(f"cuishou report:           {rep_t:6.1f} s, peak RSS {rep_m:6.0f} MiB "
              f"({rep_t / base_t:.1f}x the time of reading the file); output {size:.0f} MiB")


if __name__ == "__main__":
    main()
