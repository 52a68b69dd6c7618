"""`cuishou report INPUT... -o DIR`: the evidence report folder."""
from __future__ import annotations

import click

from cuishou.cli._app import cli
from cuishou.cli._report_options import command_line, report_options, to_kwargs
from cuishou.labels import ZH


@cli.command("report")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(), help="报告输出目录（不存在会新建）。")
@report_options
def report_cmd(inputs, out_dir, **opts) -> None:
    """生成证据报告：report.html、evidence.csv/.xlsx、complaints/ 投诉材料草稿。

    INPUT 是手机导出文件或目录（可多个，例如 sms-*.xml 与 calls-*.xml）。输入文件只读，不会被修改。
    """
    from cuishou.pipeline import build_report

    s = build_report(list(inputs), out_dir, argv=command_line(), **to_kwargs(**opts))
    click.echo(f"读取 {s.read} 条 = 已分类 {s.labelled} 条 + 跳过 {s.skipped} 条"
               + (f" + 重复合并 {s.merged} 条" if s.merged else ""))
    by = "，".join(f"{ZH[k]} {v}" for k, v in s.counts.items() if k in ZH and v)
    click.echo(f"违规短信 {s.flagged} 条（{by or '无'}）；规律性发现 {s.findings} 项")
    for w in s.warnings:
        click.echo(f"注意：{w}")
    click.echo(f"报告：{s.out_dir / 'report.html'}")
