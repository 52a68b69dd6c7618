"""cuishou — 离线识别违规催收短信，生成证据报告与投诉材料。

The flow is one-way: phone export → io readers → message table → classify → findings → law tags → files.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cuishou")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
