"""Command-line interface. Each command lives in its own module and registers itself on `cli`.

Commands only parse options, call one plain function, and print; they never hold ML, parsing or HTML logic.
"""
from __future__ import annotations

import importlib
import pkgutil

from cuishou.cli._app import cli

# import every *_cmd module so its commands register on the group
for _m in sorted(pkgutil.iter_modules(__path__)):
    if _m.name.endswith("_cmd"):
        importlib.import_module(f"{__name__}.{_m.name}")


def main() -> None:
    cli(prog_name="cuishou")


__all__ = ["cli", "main"]
