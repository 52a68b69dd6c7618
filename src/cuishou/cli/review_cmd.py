"""`cuishou review`: the messages most worth a human's time, in the format `cuishou train --add` reads."""
from __future__ import annotations

import click

from cuishou.cli._app import cli

_REASONS = {"near": "接近阈值", "disagree": "模型内部分歧", "conflict": "违规分数高但不像催收", "unseen": "生词多"}


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", required=True, help="待标注文件（.csv/.xlsx/.jsonl），例如 to_label.csv")
@click.option("-n", "n", type=click.IntRange(min=1), default=200, show_default=True, help="最多挑出多少条")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="模型目录（默认为当前启用的模型）")
def review(inputs, output, n, model_dir):
    """挑出最值得人工复核的短信：分数接近阈值、模型自相矛盾、训练中没见过的词多。

    输出文件的 collection、labels 两列按当前模型预填，改成正确答案后用 cuishou train --add 加回训练；
    p_* 分数、reason（挑选理由）等列只供参考。标签定义写在旁边的 *.GUIDELINE.md 中。
    已在语料中的短信不会再被挑出；相同内容只出现一次（copies 列为出现次数）。

    \b
    例：cuishou review 短信导出.xml -o to_label.csv -n 100
        cuishou train --add to_label.csv
    """
    from cuishou.learning import review as run_review

    res = run_review(list(inputs), output, n=n, model_dir=model_dir)
    for note in res.notes:
        click.echo(note, err=True)
    click.echo(f"读取 {res.messages} 条短信，去重后 {res.distinct} 条，其中 {res.already_labelled} 条已在语料中；"
               f"挑出 {res.picked} 条 → {res.path}", err=True)
    if res.picked:
        click.echo("  " + "，".join(f"{_REASONS[k]} {v}" for k, v in res.by_reason.items() if v), err=True)
    click.echo(f"标注说明：{res.guideline}", err=True)
    click.echo(f"改好后运行：cuishou train --add {res.path}", err=True)
