"""`cuishou report`, `cuishou bundle`, `cuishou verify` end to end on the shipped sample; the golden test with
the shipped model; and a real-browser rendering of report.html in headless Chromium."""
from __future__ import annotations

import csv
import json
import shutil
import struct
import subprocess
import zipfile
import zlib
from datetime import date, datetime, timezone, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_checks import never_cite_guard  # noqa: F401  (autouse guard)

from cuishou.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "samples" / "android"
INPUTS = [str(SAMPLE / "sms-20260310.xml"), str(SAMPLE / "calls-20260310.xml")]
CHROMIUM = Path("/usr/bin/chromium")


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, tiny_model_dir):
    out = tmp_path_factory.mktemp("cli") / "报告"
    r = _run("report", *INPUTS, "-o", str(out), "--me", "13800000001", "--my-name", "张伟",
             "--model", str(tiny_model_dir))
    assert r.exit_code == 0, r.output
    assert "读取 149 条 = 已分类 108 条 + 跳过 41 条" in r.output
    return out


def test_report_writes_the_folder(report_dir):
    for rel in ("report.html", "evidence.csv", "evidence.xlsx", "summary.json", "complaints/12378_金融监管投诉.md",
                "complaints/互金协会举报.md", "complaints/12321_短信举报.txt", "complaints/报案材料.md",
                "complaints/民事起诉_事实部分.md"):
        assert (report_dir / rel).is_file(), rel
    s = json.loads((report_dir / "summary.json").read_text("utf-8"))
    a = s["accounting"]
    assert a["read"] == a["labelled"] + a["reader_skipped"] + sum(a["classify_skipped"].values()) + a["merged"]
    assert s["argv"][:2] == ["cuishou", "report"] and "--me" in s["argv"]
    html = (report_dir / "report.html").read_text("utf-8")
    assert "&#55357;" not in html                         # emoji were recombined by io, never shown as raw refs


def test_report_rejects_unknown_label(tmp_path, tiny_model_dir):
    r = CliRunner().invoke(cli, ["report", *INPUTS, "-o", str(tmp_path / "o"), "--labels", "threat,usury",
                                 "--model", str(tiny_model_dir)])
    assert r.exit_code == 1 and "usury" in r.output and not (tmp_path / "o").exists()


def test_bundle_then_verify_then_tamper(tmp_path, tiny_model_dir):
    z = tmp_path / "证据包.zip"
    r = _run("bundle", *INPUTS, "-o", str(z), "--model", str(tiny_model_dir), "--mask-third-parties")
    assert r.exit_code == 0, r.output
    assert "manifest.json SHA-256" in r.output
    r = _run("verify", str(z))
    assert r.exit_code == 0 and "核验通过" in r.output
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(z) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "report/evidence.csv":
                data = data.replace(b"13800000201", b"13800000299", 1)
            zout.writestr(info, data)
    r = CliRunner().invoke(cli, ["verify", str(bad)])
    assert r.exit_code == 1 and "report/evidence.csv" in r.output


# ------------------------------------------------------------------------------------------ golden

def _expected():
    tz = timezone(timedelta(hours=8))
    with open(SAMPLE.parent / "android-expected.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["local_time"] = datetime.fromtimestamp(int(r["date"]) / 1000, tz).strftime("%Y-%m-%d %H:%M:%S")
    return rows


def test_golden_sample_with_shipped_model(tmp_path, shipped_model_dir):
    """The right messages flagged, and the right 治安管理处罚法 version by each message's date."""
    out = tmp_path / "golden"
    r = _run("report", *INPUTS, "-o", str(out), "--me", "13800000001", "--my-name", "张伟",
             "--model", str(shipped_model_dir))
    assert r.exit_code == 0, r.output
    s = json.loads((out / "summary.json").read_text("utf-8"))
    got = {(i["address"], i["local_time"]): i for i in s["items"]}
    exp = {(e["address"], e["local_time"]): e for e in _expected() if e["direction"] == "in" and e["expected_labels"]}
    hit = set(got) & set(exp)
    recall, precision = len(hit) / len(exp), len(hit) / max(1, len(got))
    missed = [exp[k]["body"] for k in set(exp) - set(got)]
    extra = [k for k in set(got) - set(exp)]
    assert recall >= 0.8 and precision >= 0.8, f"recall {recall:.2f} precision {precision:.2f}\n{missed}\n{extra}"
    same_main = sum(exp[k]["expected_labels"].split(";")[0] in got[k]["labels"] for k in hit)
    assert same_main / len(hit) >= 0.7
    for item in s["items"]:
        day = date.fromisoformat(item["local_time"][:10])
        ids = set(item["provisions"])
        if day < date(2026, 1, 1):
            assert not any(i.startswith("PSAPL25") for i in ids), item
            if {"threat", "insult", "privacy", "third_party"} & set(item["labels"]):
                assert "PSAPL12-42" in ids, item
        else:
            assert not any(i.startswith("PSAPL12") for i in ids), item
            if "threat" in item["labels"]:
                assert {"PSAPL25-50-1-1", "PSAPL25-50-1-5"} & ids, item


# ------------------------------------------------------------------------------------------ browser

def _png_ink(path: Path) -> tuple[int, int, float]:
    """(width, height, share of non-white pixels) of an 8-bit RGB/RGBA PNG, decoded with zlib only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    w = h = ctype = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6) and chunk[12] == 0
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw, stride = zlib.decompress(idat), w * bpp
    prev, ink, i = bytearray(stride), 0, 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        ink += sum(1 for x in range(0, stride, bpp) if min(line[x:x + 3]) < 200)
        prev = line
    return w, h, ink / (w * h)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(report_dir, tmp_path):
    url = (report_dir / "report.html").resolve().as_uri()
    png = tmp_path / "report.png"
    p = _chromium(tmp_path, "--hide-scrollbars", f"--screenshot={png}", "--window-size=1000,1600", url)
    assert png.exists(), p.stderr[-2000:]
    w, h, ink = _png_ink(png)
    assert (w, h) == (1000, 1600)
    assert 0.01 < ink < 0.9, f"page looks blank or broken (ink {ink:.3f})"
    dom = _chromium(tmp_path, "--dump-dom", url).stdout
    items = json.loads((report_dir / "summary.json").read_text("utf-8"))["items"]
    assert items
    rows = dom.count('<article class="msg"')
    assert rows >= len(items)                              # a message with two labels appears in both sections
    for it in items:
        assert f'id="{it["eid"]}"' in dom
    assert "<svg" in dom and "逐条证据" in dom
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
