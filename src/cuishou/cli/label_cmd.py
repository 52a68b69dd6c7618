"""`cuishou label`: the contract other tools rely on (input columns kept, LABEL_COLUMNS appended)."""
from __future__ import annotations

import click

from cuishou.cli._app import cli


@cli.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", default=None, help="输出文件（.csv/.jsonl/.xlsx）；不给则以 CSV 写到标准输出")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="模型目录（默认随包附带的 models/default）")
@click.option("--text-column", default=None, help="文本所在的列名（默认 text，或自动识别 内容/body/content）")
@click.option("--tz", default=None, help="本地时区（手机导出文件用；默认 Asia/Shanghai）")
def label(input_path, output, model_dir, text_column, tz):
    """逐条标注短信：是否催收、违规类别、各类分数和触发短语。

    INPUT 可以是 CSV/XLSX/JSONL 表格、每行一条短信的文本文件、手机导出文件，或 - 表示标准输入。

    \b
    例：cuishou label datasets/samples/messages.csv -o labelled.xlsx
    """
    from cuishou.tables import write_table
    from cuishou.workflows import label_input

    run = label_input(input_path, model_dir=model_dir, text_column=text_column or "text",
                      explicit_column=text_column is not None, tz=tz)
    write_table(run.df, output)
    for n in run.notes:
        click.echo(n, err=True)
    click.echo(f"共 {run.rows} 条：已标注 {run.labelled} 条，跳过 {len(run.skipped)} 条", err=True)
    for where, reason in run.skipped[:50]:
        click.echo(f"  跳过 {where}：{reason}", err=True)
    if len(run.skipped) > 50:
        click.echo(f"  ……另有 {len(run.skipped) - 50} 条跳过未列出", err=True)
