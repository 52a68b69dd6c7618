"""`cuishou train` and `cuishou evaluate`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cuishou.cli._app import cli


def _echo_err(msg: str) -> None:
    click.echo(msg, err=True)


def _telecom(option: str | None, no_telecom: bool) -> Path | None:
    if no_telecom:
        return None
    if option:
        return Path(option)
    from cuishou.model.evaluate import find_telecom_dir

    return find_telecom_dir()


@cli.command()
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="语料 CSV（可多次给出）；默认为随包附带的基础语料")
@click.option("--out", "out", default="models/default", show_default=True, type=click.Path(file_okay=False),
              help="模型输出目录")
@click.option("--force", is_flag=True, help="覆盖已存在的模型目录")
@click.option("--seed", type=int, default=None, help="随机种子（相同数据+种子 ⇒ 相同模型）")
@click.option("--telecom", type=click.Path(exists=True, file_okay=False), default=None,
              help="外部评估集目录（默认自动寻找 ../shared/corpora/telecom-sms，仅用于评估）")
@click.option("--no-telecom", is_flag=True, help="不做外部评估")
def train(data, out, force, seed, telecom, no_telecom):
    """在标注语料上训练模型，写入 model.joblib、meta.json、metrics.json 和模型卡。

    \b
    例：cuishou train --data datasets/corpus.csv --out models/mymodel
    """
    from cuishou.model import TrainConfig
    from cuishou.paths import base_corpus_path
    from cuishou.workflows import train_corpus

    config = TrainConfig() if seed is None else TrainConfig(seed=seed)
    if Path(out).exists() and not force:
        raise click.ClickException(f"{out} 已存在；用 --force 覆盖，或换一个 --out")
    metrics = train_corpus(list(data) or [base_corpus_path()], out, config=config, argv=["cuishou", *sys.argv[1:]],
                           overwrite=force, telecom_dir=_telecom(telecom, no_telecom), log=_echo_err)
    _print_summary(metrics)
    click.echo(f"模型已保存到 {out}")


def _print_summary(m: dict) -> None:
    t = m.get("test") or m.get("cv")
    if not t:
        return
    click.echo("label            precision  recall   F1     PR-AUC  support")
    for name, r in t["labels"].items():
        ap = "  —  " if r["pr_auc"] is None else f"{r['pr_auc']:.3f}"
        click.echo(f"{name:<16} {r['precision']:.3f}      {r['recall']:.3f}    {r['f1']:.3f}  {ap}   {r['support']}")
    click.echo(f"macro-F1（五个违规标签）: {t['macro_f1_violations']:.3f}")
    if t["lawful_flagged_rate"] is not None:
        click.echo(f"合法提醒被误标: {t['lawful_flagged_rate']:.2%} (n={t['lawful_n']})")
    if t["other_flagged_rate"] is not None:
        click.echo(f"普通短信被误标: {t['other_flagged_rate']:.2%} (n={t['other_n']})")
    for k, v in (m.get("telecom") or {}).items():
        click.echo(f"外部集 {k}: 误标 {v['flagged_rate']:.2%} (n={v['n']})")


@cli.command()
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="模型目录（默认随包附带的 models/default）")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="语料 CSV；默认为模型训练所用的基础语料（按相同种子重建留出集）")
@click.option("--telecom", type=click.Path(exists=True, file_okay=False), default=None, help="外部评估集目录")
@click.option("--no-telecom", is_flag=True, help="不做外部评估")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全部指标")
def evaluate(model_dir, data, telecom, no_telecom, as_json):
    """在按组留出的测试集上评估模型（并在有外部评估集时报告误标率）；交叉验证指标见模型的 metrics.json。"""
    from cuishou.workflows import evaluate_model

    res = evaluate_model(model_dir, data=list(data) or None, telecom_dir=_telecom(telecom, no_telecom),
                         log=_echo_err)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        click.echo(f"模型 {res['model']}（SHA-256 {res['model_sha256'][:16]}…）")
        _print_summary(res)
