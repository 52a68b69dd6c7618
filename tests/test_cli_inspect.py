"""`cuishou inspect`: the per-file overview in Chinese, options, and errors as `Error:` lines."""
from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import build_exports as B  # noqa: E402

from cuishou.cli import cli  # noqa: E402
from cuishou.io import sha256_file  # noqa: E402

EX = Path(__file__).resolve().parent / "fixtures" / "exports"


def run(*args):
    return CliRunner().invoke(cli, ["inspect", *map(str, args)])


def test_inspect_sbr():
    res = run(EX / "sms-20260102.xml")
    assert res.exit_code == 0, res.output
    out = res.output
    assert "SMS Backup & Restore XML" in out and "sbr_xml" in out
    assert sha256_file(EX / "sms-20260102.xml") in out
    assert "读取 7 条 = 解析 6 条 + 跳过 1 条" in out
    assert "短信 5，彩信 1" in out and "接收/呼入 5，发送/呼出 1" in out
    assert "2026-01-02 11:04:05 至 2026-01-02 11:10:05（Asia/Shanghai）" in out
    assert "主要号码" in out and "+8613800000001" in out
    assert "sms[4]：草稿" in out
    assert "代理对" in out


def test_inspect_every_fixture_and_directory():
    res = run(EX)
    assert res.exit_code == 0, res.output
    for label in ("iPhone 短信数据库", "iPhone 通话记录", "安卓短信数据库", "华为备份短信数据库", "华为骚扰拦截",
                  "小米（MIUI）拦截", "vMessage", "超级备份", "CSV 表格", "Excel 表格", "JSON", "拦截记录："):
        assert label in res.output, label
    assert "合计：" in res.output


def test_inspect_several_files_reports_duplicates(tmp_path):
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    rec = B.sbr_sms("13800000001", B.T0_MS, 1, "还钱")
    for p in (a, b):
        p.write_text(B.SBR_HEADER + '<smses count="1">\n' + rec + "</smses>\n", encoding="utf-8")
    res = run(a, b)
    assert res.exit_code == 0 and "1 条重复记录" in res.output


def test_inspect_tz_and_map(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("who,what,when\n13800000001,hi,2026-01-02 11:04\n", encoding="utf-8")
    res = run(p, "--map", "address=who", "--map", "body=what", "--map", "time=when", "--tz", "UTC")
    assert res.exit_code == 0, res.output
    assert "2026-01-02 11:04:00 至 2026-01-02 11:04:00（UTC）" in res.output
    assert "按 UTC 本地时间解释" in res.output


def test_inspect_preset():
    res = run(EX / "qq_sync.csv", "--preset", "qq")
    assert res.exit_code == 0 and "GB18030" in res.output and "line 4：草稿" in res.output


def test_inspect_errors_are_error_lines(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    res = run(junk)
    assert res.exit_code == 1 and res.output.startswith("Error: ") and "junk.bin" in res.output
    assert "Traceback" not in res.output
    res = run(EX / "plain_text.csv")
    assert res.exit_code == 1 and "缺少" in res.output
    res = run(EX / "qq_sync.csv", "--map", "address")
    assert res.exit_code == 1 and "--map" in res.output
    res = run(tmp_path / "missing.xml")
    assert res.exit_code == 1 and "不存在" in res.output
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY a "aaaa">]><smses count="1">'
                    '<sms address="1" date="1" type="1" body="&a;"/></smses>')
    res = run(bomb)
    assert res.exit_code == 1 and "实体" in res.output


def test_inspect_help_in_chinese():
    res = CliRunner().invoke(cli, ["inspect", "--help"])
    assert res.exit_code == 0 and "只读" in res.output
