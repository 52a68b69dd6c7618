"""The `cuishou label` contract: columns and order, formats, and every bad-input case."""
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from cuishou.cli import cli
from cuishou.schema import LABEL_COLUMNS


@pytest.fixture
def run(tiny_model_dir):
    def _run(*args, input=None):
        return CliRunner().invoke(cli, ["label", *args, "--model", str(tiny_model_dir)], input=input)
    return _run


def test_csv_keeps_columns_in_order_and_appends_contract(run, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,note,text\n1,a,再不还钱就去你家堵门\n2,b,您的验证码是1234\n", "utf-8")
    out = tmp_path / "out.csv"
    r = run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["id", "note", "text", *LABEL_COLUMNS]
    assert df["id"].tolist() == ["1", "2"]
    assert set(df["collection"]) <= {"0", "1"}
    for c in LABEL_COLUMNS:
        if c.startswith("p_"):
            assert df[c].astype(float).between(0, 1).all()


def test_stdout_csv_when_no_output(run):
    r = run("-", input="再不还钱就去你家堵门\n您的验证码是1234\n")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == ",".join(["text", *LABEL_COLUMNS])
    assert len(lines) == 3


@pytest.mark.parametrize("suffix", [".jsonl", ".xlsx"])
def test_output_format_follows_extension(run, tmp_path, suffix):
    src = tmp_path / "in.txt"
    src.write_text("老赖还钱\n快递到了\n", "utf-8")
    out = tmp_path / f"out{suffix}"
    assert run(str(src), "-o", str(out)).exit_code == 0
    df = pd.read_json(out, lines=True) if suffix == ".jsonl" else pd.read_excel(out)
    assert list(df.columns) == ["text", *LABEL_COLUMNS] and len(df) == 2


def test_jsonl_and_xlsx_inputs(run, tmp_path):
    j = tmp_path / "in.jsonl"
    j.write_text(json.dumps({"k": 1, "text": "老赖还钱"}, ensure_ascii=False) + "\n", "utf-8")
    assert run(str(j)).exit_code == 0
    x = tmp_path / "in.xlsx"
    pd.DataFrame({"内容": ["老赖还钱"]}).to_excel(x, index=False)
    r = run(str(x))
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("内容,collection")


def test_missing_text_column(run, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n", "utf-8")
    r = run(str(src), "--text-column", "msg")
    assert r.exit_code == 1
    assert r.output.startswith("Error:") and "msg" in r.output and "a, b" in r.output
    assert "Traceback" not in r.output


def test_empty_file(run, tmp_path):
    src = tmp_path / "empty.csv"
    src.write_bytes(b"")
    r = run(str(src))
    assert r.exit_code == 1 and "空" in r.output


def test_header_only(run, tmp_path):
    src = tmp_path / "h.csv"
    src.write_text("text\n", "utf-8")
    r = run(str(src))
    assert r.exit_code == 1 and "没有数据行" in r.output


def test_gbk_input_is_read_and_said(run, tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes("内容\n再不还钱就去你家堵门\n".encode("gbk"))
    r = run(str(src))
    assert r.exit_code == 0
    assert "GB18030" in r.stderr and "再不还钱" in r.stdout


def test_undecodable_bytes(run, tmp_path):
    src = tmp_path / "bad.csv"
    src.write_bytes(b"text\n" + bytes([0x81, 0x20, 0xff, 0xfe, 0x80]) * 3 + b"\n")
    r = run(str(src))
    assert r.exit_code == 1 and "编码" in r.output and "Traceback" not in r.output


def test_binary_file(run, tmp_path):
    src = tmp_path / "x.csv"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    r = run(str(src))
    assert r.exit_code == 1 and "二进制" in r.output and "Traceback" not in r.output


def test_corrupt_database_named_as_such(run, tmp_path):
    src = tmp_path / "sms.db"
    src.write_bytes(b"SQLite format 3\x00" + bytes(range(256)))
    r = run(str(src))
    assert r.exit_code == 1 and "SQLite" in r.output and "Traceback" not in r.output


def test_empty_and_whitespace_rows_are_counted_not_dropped(run, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("text\n老赖还钱\n\n   \n快递到了\n", "utf-8")
    out = tmp_path / "o.csv"
    r = run(str(src), "-o", str(out))
    assert r.exit_code == 0
    df = pd.read_csv(out, dtype=str, keep_default_na=False, skip_blank_lines=False)
    assert len(df) == 4                         # every input row is kept
    assert df["collection"].tolist()[1:3] == ["", ""]
    assert "已标注 2 条，跳过 2 条" in r.stderr
    assert "第 3 行" in r.stderr and "第 4 行" in r.stderr


def test_unsupported_output(run, tmp_path):
    r = run("-", "-o", str(tmp_path / "o.pdf"), input="还钱\n")
    assert r.exit_code == 1 and ".pdf" in r.output


def test_missing_file(run):
    r = run("/nonexistent/x.csv")
    assert r.exit_code == 1 and "不存在" in r.output


def test_tampered_model_is_an_error_line(tiny_model_dir, tmp_path):
    import shutil

    bad = tmp_path / "m"
    shutil.copytree(tiny_model_dir, bad)
    (bad / "model.joblib").write_bytes(b"not a pickle")
    r = CliRunner().invoke(cli, ["label", "-", "--model", str(bad)], input="还钱\n")
    assert r.exit_code == 1 and r.output.startswith("Error:") and "SHA-256" in r.output


def test_every_command_has_help():
    for name, cmd in cli.commands.items():
        assert cmd.help, name
        r = CliRunner().invoke(cli, [name, "--help"])
        assert r.exit_code == 0, name


@pytest.mark.parametrize("name", ["sms-20260102.xml", "ios_sms.db", "mmssms.db", "sms.vmsg", "qq_sync.csv"])
def test_label_reads_phone_exports_and_accounts_for_every_record(run, tmp_path, name):
    from conftest import FIXTURES
    from cuishou.fsutil import sha256_file
    from cuishou.io import read_exports
    from cuishou.schema import MESSAGE_COLUMNS

    src = FIXTURES / "exports" / name
    before = (sha256_file(src), src.stat().st_mtime_ns)
    out = tmp_path / "o.csv"
    r = run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert (sha256_file(src), src.stat().st_mtime_ns) == before      # never write to an input
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(df.columns) == [*MESSAGE_COLUMNS, *LABEL_COLUMNS]
    rr = read_exports([src])
    read = sum(f.read for f in rr.files)
    import re
    m = re.search(r"共 (\d+) 条：已标注 (\d+) 条，跳过 (\d+) 条", r.stderr)
    assert m and int(m[1]) == read == int(m[2]) + int(m[3])
