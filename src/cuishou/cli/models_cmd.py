"""`cuishou models`: list the shipped model and the user's retrained versions; choose the active one."""
from __future__ import annotations

import json

import click

from cuishou.cli._app import cli


def _f(v) -> str:
    return "  —  " if v is None else f"{v:.3f}"


@cli.group(invoke_without_command=True)
@click.pass_context
def models(ctx):
    """模型版本：列出随包模型和自己训练的各个版本，选择使用哪一个。

    \b
    cuishou models                 列出版本（同 models list）
    cuishou models use VERSION     启用某个版本（如 v0002 或 default/v0002-…）；shipped = 随包附带的模型
    版本存于用户数据目录（$CUISHOU_HOME，默认为系统的用户数据目录）；设置了 $CUISHOU_MODEL 时它优先。
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_cmd)


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def list_cmd(as_json):
    """列出模型版本：状态、创建时间、训练数据行数与哈希、固定测试集上的指标，* 为当前启用的版本。"""
    import os

    from cuishou.model.registry import _read_active, list_versions, models_root

    versions = list_versions()
    if as_json:
        click.echo(json.dumps([{"key": mv.key, "name": mv.name, "version": mv.version, "path": str(mv.path),
                                "active": mv.active, "status": mv.status, "error": mv.error,
                                "created": mv.meta.get("created"), "data_sha256": mv.meta.get("data_sha256"),
                                "data_rows": mv.meta.get("data_rows"), "test": mv.test_metrics}
                               for mv in versions], ensure_ascii=False, indent=2))
        return
    if not versions:
        click.echo("没有可用的模型：未安装随包模型，也没有自己训练的版本（cuishou train --add 标注文件）")
    else:
        click.echo("  version                          status    created                    rows   data hash     "
                   "macro-F1  lawful-flag")
        for mv in versions:
            t = mv.test_metrics or {}
            click.echo(f"{'*' if mv.active else ' '} {mv.key:<32} {mv.status:<9} {str(mv.meta.get('created', '—')):<26} "
                       f"{str(mv.meta.get('data_rows', '—')):<6} {str(mv.meta.get('data_sha256') or '—')[:12]:<13} "
                       f"{_f(t.get('macro_f1_violations')):<9} {_f(t.get('lawful_flagged_rate'))}"
                       + (f"   ({mv.error})" if mv.error else ""))
    click.echo(f"\n用户数据目录：{models_root().parent}")
    try:
        _read_active()
    except Exception as e:  # a broken active.json: say so, the listing above still helps choose
        click.echo(f"注意：{e}")
    if os.environ.get("CUISHOU_MODEL"):
        click.echo(f"注意：已设置 CUISHOU_MODEL={os.environ['CUISHOU_MODEL']}，它优先于这里启用的版本")
    if any(not mv.shipped for mv in versions):
        click.echo("指标为固定测试集（基础语料按组留出）上的结果；rejected = 未通过回归检查、未启用的版本")


@models.command("use")
@click.argument("version")
def use_cmd(version):
    """启用 VERSION（v0002、default/v0002-…，或 shipped 回到随包模型）；之后 label/report 等命令都用它。"""
    from cuishou.model.registry import set_active

    mv = set_active(version)
    click.echo(f"已启用 {mv.key}（{mv.path}）")
    if mv.status == "rejected":
        click.echo("注意：这个版本未通过回归检查（见其 metrics.json 中的 comparison）")
    if not mv.shipped:
        click.echo("用户语料（corpus/user.csv）未改动；模型训练时所用的用户标注见该版本目录中的 user_corpus.csv")
