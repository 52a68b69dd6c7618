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
              help="语料 CSV（可多次给出）；默认为随包附带的基础语料。与 --add 同用时是基础语料（一个文件）")
@click.option("--out", "out", default=None, type=click.Path(file_okay=False),
              help="模型输出目录（默认 models/default；与 --add 同用时不可给出：新版本写入用户数据目录）")
@click.option("--add", "add", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="加入自己标注的短信（cuishou review 生成并改好的文件，可多次给出），重新训练并与当前模型对比")
@click.option("--name", default="default", show_default=True, help="与 --add 同用：模型名（版本存于 models/NAME/）")
@click.option("--baseline", type=click.Path(exists=True, file_okay=False), default=None,
              help="与 --add 同用：对比用的旧模型目录（默认为当前启用的模型）")
@click.option("--force", is_flag=True,
              help="覆盖已存在的模型目录；与 --add 同用时：即使回归检查不通过也启用新模型")
@click.option("--seed", type=int, default=None, help="随机种子（相同数据+种子 ⇒ 相同模型）")
@click.option("--telecom", type=click.Path(exists=True, file_okay=False), default=None,
              help="外部评估集目录（默认自动寻找 ../shared/corpora/telecom-sms，仅用于评估）")
@click.option("--no-telecom", is_flag=True, help="不做外部评估")
def train(data, out, add, name, baseline, force, seed, telecom, no_telecom):
    """在标注语料上训练模型，写入 model.joblib、meta.json、metrics.json 和模型卡。

    \b
    例：cuishou train --data datasets/corpus.csv --out models/mymodel
        cuishou train --add to_label.csv          # 加入自己改好的标注，训练新版本
    \b
    --add：校验标注 → 并入用户语料（去重；与基础语料矛盾时以你的标注为准）→ 训练 → 新旧模型在同一测试集上对比。
    任一违规标签 F1 下降超过 0.02，或合法提醒误标率上升，则新版本被保存但不启用（退出码 3；--force 可强制启用）。
    用户数据目录：$CUISHOU_HOME，默认为系统的用户数据目录；cuishou models 查看和切换版本。
    """
    if add:
        _train_add(add, data, out, name, baseline, force, seed)
        return
    if baseline:
        raise click.UsageError("--baseline 只能与 --add 同用")
    from cuishou.model import TrainConfig
    from cuishou.paths import base_corpus_path
    from cuishou.workflows import train_corpus

    out = out or "models/default"
    config = TrainConfig() if seed is None else TrainConfig(seed=seed)
    if Path(out).exists() and not force:
        raise click.ClickException(f"{out} 已存在；用 --force 覆盖，或换一个 --out")
    metrics = train_corpus(list(data) or [base_corpus_path()], out, config=config, argv=["cuishou", *sys.argv[1:]],
                           overwrite=force, telecom_dir=_telecom(telecom, no_telecom), log=_echo_err)
    _print_summary(metrics)
    click.echo(f"模型已保存到 {out}")


def _train_add(add, data, out, name, baseline, force, seed) -> None:
    from cuishou.learning import retrain_with

    if out:
        raise click.UsageError("--out 不能与 --add 同用：新版本保存在用户数据目录中（cuishou models 查看）")
    if seed is not None:
        raise click.UsageError("--seed 不能与 --add 同用：新旧模型必须在同一划分上对比（沿用旧模型的种子）")
    if len(data) > 1:
        raise click.UsageError("与 --add 同用时 --data 只能给一个基础语料文件")
    res = retrain_with(list(add), base=data[0] if data else None, name=name, force=force, baseline=baseline,
                       argv=["cuishou", *sys.argv[1:]], log=_echo_err)
    click.echo(f"新增 {res.added} 条，重复跳过 {res.duplicates} 条，更正基础语料 {res.overrides_base} 条，"
               f"更新已有用户标注 {res.updated_user} 条；用户语料共 {res.user_rows} 条"
               f"（{res.holdout_rows} 条按组留出，不参与训练）")
    click.echo("")
    click.echo(res.table)
    click.echo("")
    for n in res.notes:
        click.echo(n)
    if res.accepted:
        click.echo(f"✓ 通过回归检查：新版本 {res.version} 已启用（{res.path}）")
    else:
        click.echo("✗ 回归检查未通过：")
        for r in res.refusals:
            click.echo(f"  - {r}")
        if res.forced:
            click.echo(f"已按 --force 启用新版本 {res.version}（{res.path}）")
        else:
            click.echo(f"新版本 {res.version} 已保存但未启用（{res.path}）；"
                       f"检查后可用 cuishou models use {res.version} 启用，或修正标注后重新提交")
    click.echo("回滚：cuishou models use 旧版本号（或 shipped）")
    if not res.activated:
        raise click.exceptions.Exit(3)


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
    """在按组留出的测试集上评估模型，并列出训练时记录的按组交叉验证结果；有外部评估集时报告其误标率。"""
    from cuishou.workflows import evaluate_model

    res = evaluate_model(model_dir, data=list(data) or None, telecom_dir=_telecom(telecom, no_telecom),
                         log=_echo_err)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        click.echo(f"模型 {res['model']}（SHA-256 {res['model_sha256'][:16]}…）")
        split = res.get("split") or {}
        click.echo(f"按组留出测试集（训练 {split.get('train', '?')} 条 / 测试 {res['test']['n']} 条）：")
        _print_summary(res)
        cv = res.get("cv")
        if cv:
            click.echo(f"按组交叉验证（{split.get('cv_folds', '?')} 折，折外分数，训练时记录）：macro-F1 "
                       f"{cv['macro_f1_violations']:.3f}，合法提醒误标 {cv['lawful_flagged_rate']:.2%}，"
                       f"普通短信误标 {cv['other_flagged_rate']:.2%}")
