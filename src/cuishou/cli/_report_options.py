"""Options shared by `cuishou report` and `cuishou bundle` (one definition, so the two never drift)."""
from __future__ import annotations

import os
import sys

import click

from cuishou.errors import InputError
from cuishou.labels import VIOLATION_NAMES, ZH
from cuishou.schema import DEFAULT_TZ


def report_options(f):
    """Decorate a command with the report options; they arrive as keyword arguments."""
    opts = [
        click.option("--me", "own_numbers", multiple=True, metavar="号码",
                     help="本机号码（可重复）：用于区分本人与他人、遮盖第三人号码。"),
        click.option("--my-name", "own_name", default=None, metavar="姓名",
                     help="机主姓名：用于判断短信是否发给债务人本人。"),
        click.option("--tz", default=DEFAULT_TZ, show_default=True, help="显示和统计用的时区（夜间 22:00–08:00 按此计算）。"),
        click.option("--labels", "labels", default=None, metavar="类别,...",
                     help="只列出这些类别：" + "，".join(f"{n}（{ZH[n]}）" for n in VIOLATION_NAMES) + "；默认全部。"),
        click.option("--mask-third-parties", is_flag=True, default=False,
                     help="遮盖既不是本人也不是催收方的号码和姓名（例如亲友）。"),
        click.option("--model", "model_dir", default=None, type=click.Path(), help="模型目录（默认使用自带模型）。"),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def to_kwargs(own_numbers, own_name, tz, labels, mask_third_parties, model_dir) -> dict:
    include = None
    if labels:
        include = tuple(x.strip() for x in labels.replace("，", ",").split(",") if x.strip())
        unknown = [x for x in include if x not in VIOLATION_NAMES]
        if unknown:
            raise InputError(f"--labels 中有未知类别 {', '.join(unknown)}（可用：{', '.join(VIOLATION_NAMES)}）")
    return dict(model_dir=model_dir, own_numbers=tuple(own_numbers), own_name=own_name, tz=tz,
                include_labels=include, mask_third_parties=mask_third_parties)


def command_line() -> list[str]:
    """The command as typed when run as `cuishou …`; else (tests, embedding) rebuilt from the parsed options."""
    a0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(a0).split(".")[0] == "cuishou" or a0.endswith(os.path.join("cuishou", "__main__.py")):
        return ["cuishou", *sys.argv[1:]]
    ctx = click.get_current_context()
    flag = {p.name: max(p.opts, key=len) for p in ctx.command.params if isinstance(p, click.Option)}
    out = ctx.command_path.split()
    out[0] = "cuishou"
    for k, v in ctx.params.items():
        if v is None or v is False or v == ():
            continue
        if k not in flag:
            out += [str(x) for x in (v if isinstance(v, tuple) else [v])]
        elif isinstance(v, tuple):
            out += [x for item in v for x in (flag[k], str(item))]
        else:
            out += [flag[k]] + ([] if v is True else [str(v)])
    return out
