"""`cuishou inspect INPUT...`: the first command a newcomer runs on a phone export."""
from __future__ import annotations

import click

from cuishou.cli._app import cli
from cuishou.errors import InputError
from cuishou.io import PRESETS, read_exports
from cuishou.io.summary import summarize
from cuishou.schema import DEFAULT_TZ


def parse_maps(maps: tuple[str, ...]) -> dict[str, str] | None:
    """`--map address=号码` → {"号码": "address"} (read_exports takes column → field)."""
    out: dict[str, str] = {}
    for m in maps:
        field_, sep, col = m.partition("=")
        if not sep or not field_.strip() or not col.strip():
            raise InputError(f"--map 需要 字段=列名 的形式（例如 --map address=对方号码），收到：{m!r}")
        out[col.strip()] = field_.strip()
    return out or None


@cli.command("inspect")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--tz", default=DEFAULT_TZ, show_default=True, help="没有时区的时间按此时区解释，并用于显示。")
@click.option("--preset", default=None, help=f"指定导出类型：{'、'.join(PRESETS)}，或格式名（如 sbr_xml）。")
@click.option("--map", "maps", multiple=True, metavar="字段=列名",
              help="表格列映射，可重复；字段：address body time direction contact_name duration kind。")
@click.option("--top", default=5, show_default=True, help="每个文件列出的主要号码个数。")
def inspect_cmd(inputs: tuple[str, ...], tz: str, preset: str | None, maps: tuple[str, ...], top: int) -> None:
    """查看手机导出文件：格式、SHA-256、按类型/方向计数、时间范围、主要号码、跳过的记录。

    INPUT 可以是文件、目录或 iPhone 备份目录，可给多个。本命令只读，不会修改任何输入文件。
    """
    result = read_exports(list(inputs), tz=tz, preset=preset, mapping=parse_maps(maps), dedupe=False)
    click.echo(summarize(result, tz, top))
