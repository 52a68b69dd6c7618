"""`cuishou bundle INPUT... -o bundle.zip` and `cuishou verify bundle.zip`."""
from __future__ import annotations

import sys

import click

from cuishou.cli._app import cli
from cuishou.cli._report_options import command_line, report_options, to_kwargs


@cli.command("bundle")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", "zip_path", required=True, type=click.Path(), help="证据包文件名，例如 证据包.zip。")
@report_options
def bundle_cmd(inputs, zip_path, **opts) -> None:
    """生成证据包：报告 + 原始导出文件副本 + manifest.json（SHA-256）+ 处理记录。"""
    from cuishou.bundle import make_bundle

    b = make_bundle(list(inputs), zip_path, argv=command_line(), **to_kwargs(**opts))
    s = b.report
    click.echo(f"读取 {s.read} 条 = 已分类 {s.labelled} 条 + 跳过 {s.skipped} 条"
               + (f" + 重复合并 {s.merged} 条" if s.merged else "") + f"；违规短信 {s.flagged} 条")
    click.echo(f"证据包：{b.zip_path}（{b.files} 个文件）")
    click.echo(f"manifest.json SHA-256：{b.manifest_sha256}（请另行保存此值）")


@cli.command("verify")
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False))
def verify_cmd(zip_path) -> None:
    """核验证据包：重新计算每个文件的 SHA-256，列出被增加、删除或改动的文件；不一致时退出码为 1。"""
    from cuishou.bundle import verify_bundle

    r = verify_bundle(zip_path)
    for e in r.errors:
        click.echo(f"错误：{e}")
    for title, names in (("新增（清单中没有）", r.added), ("缺失（清单中有）", r.removed), ("内容被改动", r.changed)):
        for n in names:
            click.echo(f"{title}：{n}")
    if r.ok:
        click.echo(f"核验通过：{r.checked} 个文件与清单一致；manifest.json SHA-256 {r.manifest_sha256}")
    else:
        click.echo("核验失败。", err=True)
        sys.exit(1)
