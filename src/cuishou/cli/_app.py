"""The click group and the boundary where domain errors become `Error:` lines."""
from __future__ import annotations

import click

from cuishou import __version__
from cuishou.errors import CuishouError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CuishouError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cuishou")
def cli() -> None:
    """cuishou（催收）：离线识别违规催收短信，生成证据报告与投诉材料。

    \b
    常用：
      cuishou inspect 导出文件      查看手机导出文件的内容概况
      cuishou label 表格或导出文件   逐条标注短信
      cuishou report 导出文件 -o 报告目录
    """
