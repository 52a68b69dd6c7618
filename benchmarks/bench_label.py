"""Labelling speed: throughput on 100k distinct messages and single-message cold-start latency.

Each figure is reported beside a baseline measured in the same run on the same texts:
plain jieba tokenisation (`jieba.lcut`, default settings) — the floor any jieba-based classifier pays.

    python benchmarks/bench_label.py [--n 100000] [--model models/default] [--previous OLD/src]

`--previous` also times the end-to-end CLI of an earlier checkout's `src/` (e.g. a `git worktree` of the
commit before a change), interleaved with this one's runs, so a change's speed-up is measured in one run.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = "张王李赵刘陈杨黄周吴"
PLATFORMS = ["速借宝", "易借花", "XX金融", "某贷", "招商银行", "马上消费", "顺丰速运", "中国移动"]


def make_texts(n: int, seed: int = 0) -> list[str]:
    """Distinct, realistic-length messages: corpus texts with varied names, amounts, dates and numbers."""
    import pandas as pd

    base = pd.read_csv(ROOT / "datasets" / "corpus.csv", dtype=str, keep_default_na=False)["text"].tolist()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = rng.choice(base)
        t = t.replace("XX", rng.choice(PLATFORMS)).replace("某", rng.choice(NAMES))
        out.append(f"{t} {rng.choice(NAMES)}先生 {rng.randint(1000, 99999)}元 {i % 28 + 1}日 单号{i}")
    return out


def time_it(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--model", default=str(ROOT / "models" / "default"))
    ap.add_argument("--previous", default=None, help="src/ folder of an earlier cuishou to compare the CLI with")
    args = ap.parse_args()

    import jieba

    from cuishou.classify import classify_texts
    from cuishou.model import load_model, load_scorer
    from cuishou.text import warm_up

    texts = make_texts(args.n)
    avg_len = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} distinct messages, mean length {avg_len:.0f} characters")

    jieba.setLogLevel(60)
    jieba.lcut("预热")
    base = time_it(lambda: [jieba.lcut(t) for t in texts])
    scorer, _ = load_scorer(args.model)  # what label/report use
    warm_up()
    ours = time_it(lambda: classify_texts(scorer, texts))
    ours_noexp = time_it(lambda: classify_texts(scorer, texts, explain=False))
    sk_model, _ = load_model(args.model)  # the sklearn pipeline the scorer was compiled from
    sk = time_it(lambda: classify_texts(sk_model, texts))
    print(f"baseline jieba.lcut only:          {len(texts) / base:>9,.0f} msg/s")
    print(f"cuishou classify (with evidence):  {len(texts) / ours:>9,.0f} msg/s  ({base / ours:.2f}x baseline speed)")
    print(f"cuishou classify (no evidence):    {len(texts) / ours_noexp:>9,.0f} msg/s  ({base / ours_noexp:.2f}x)")
    print(f"same, sklearn pipeline (joblib):   {len(texts) / sk:>9,.0f} msg/s  ({base / sk:.2f}x)")

    with tempfile.TemporaryDirectory() as d:
        import pandas as pd

        src = Path(d) / "in.csv"
        pd.DataFrame({"text": texts}).to_csv(src, index=False)
        env = {**os.environ, "CUISHOU_MODEL": args.model}

        def cli_run(extra_env: dict) -> float:
            return time_it(lambda: subprocess.run([sys.executable, "-m", "cuishou", "label", str(src), "-o",
                                                   str(Path(d) / "out.csv")], check=True, env={**env, **extra_env},
                                                  stderr=subprocess.DEVNULL))

        ours_runs, prev_runs = [], []
        for _ in range(3):  # interleaved, so a busy moment on a shared machine hits both alike
            ours_runs.append(cli_run({}))
            if args.previous:
                prev_runs.append(cli_run({"PYTHONPATH": str(Path(args.previous).resolve())}))
        cli = sorted(ours_runs)[1]  # median of 3
        print(f"end-to-end CLI (read CSV, label, write CSV): {len(texts) / cli:,.0f} msg/s ({cli:.1f} s, "
              f"{base / cli:.2f}x baseline speed)")
        if prev_runs:
            prev = sorted(prev_runs)[1]
            print(f"same CLI from {args.previous}: {len(texts) / prev:,.0f} msg/s ({prev:.1f} s); "
                  f"this checkout is {prev / cli:.2f}x as fast")

        one = "再不还钱明天就去你单位找你领导"
        cold = min(time_it(lambda: subprocess.run([sys.executable, "-m", "cuishou", "label", "-"], input=one.encode(),
                                                  check=True, env=env, capture_output=True)) for _ in range(3))
        cold_base = min(time_it(lambda: subprocess.run([sys.executable, "-c", f"import jieba; jieba.lcut({one!r})"],
                                                       check=True, capture_output=True)) for _ in range(3))
        print(f"single message, cold start (new process): {cold:.2f} s; baseline python+import jieba+lcut: "
              f"{cold_base:.2f} s ({cold / cold_base:.2f}x)")
        if args.previous:
            prev_env = {**env, "PYTHONPATH": str(Path(args.previous).resolve())}
            cold_prev = min(time_it(lambda: subprocess.run([sys.executable, "-m", "cuishou", "label", "-"],
                                                           input=one.encode(), check=True, env=prev_env,
                                                           capture_output=True)) for _ in range(3))
            print(f"same cold start from {args.previous}: {cold_prev:.2f} s ({cold_prev / cold:.2f}x as long)")


if __name__ == "__main__":
    main()
