"""Evidence bundle: contents, manifest and detached hash, verify catching changes, zip-path attacks, atomicity."""
from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from report_checks import never_cite_guard  # noqa: F401  (autouse guard)

from cuishou.bundle import FORMAT, make_bundle, unsafe_name, verify_bundle

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "samples" / "android"


@pytest.fixture(scope="module")
def sample_inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("inputs")
    out = []
    for n in ("sms-20260310.xml", "calls-20260310.xml"):
        shutil.copyfile(SAMPLE / n, d / n)
        out.append(str(d / n))
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, sample_inputs, tiny_model_dir):
    z = tmp_path_factory.mktemp("bundle") / "证据包.zip"
    b = make_bundle(sample_inputs, z, model_dir=tiny_model_dir, own_numbers=("13800000001",), own_name="张伟",
                    argv=["cuishou", "bundle", "-o", str(z)])
    return z, b


def _rewrite(src: Path, dst: Path, *, change=None, drop=(), add=None, raw_names=None):
    """Copy a zip, optionally changing one member's bytes, dropping members, or adding one."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if change and info.filename == change[0]:
                data = change[1](data)
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(zipfile.ZipInfo(name), data)
    return dst


def test_bundle_contents_and_manifest(bundle, sample_inputs):
    z, b = bundle
    with zipfile.ZipFile(z) as zf:
        names = set(zf.namelist())
        manifest_bytes = zf.read("manifest.json")
        m = json.loads(manifest_bytes)
        detached = zf.read("manifest.json.sha256").decode()
        audit = [json.loads(line) for line in zf.read("audit.jsonl").decode().splitlines()]
        originals = {n: zf.read(n) for n in names if n.startswith("originals/")}
    assert {"report/report.html", "report/evidence.csv", "report/evidence.xlsx", "report/summary.json",
            "report/complaints/12321_短信举报.txt", "manifest.json", "manifest.json.sha256", "audit.jsonl",
            "SHA256SUMS", "00_说明.txt"} <= names
    # originals are byte-for-byte copies
    for p in sample_inputs:
        assert originals[f"originals/{Path(p).name}"] == Path(p).read_bytes()
    assert detached == f"{hashlib.sha256(manifest_bytes).hexdigest()}  manifest.json\n"
    assert b.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
    assert m["format"] == FORMAT and m["tool"]["name"] == "cuishou" and m["command_line"][:2] == ["cuishou", "bundle"]
    assert m["model"]["sha256"] and m["created_utc"].endswith("Z")
    listed = {f["path"] for f in m["files"]}
    assert listed == names - {"manifest.json", "manifest.json.sha256"}
    for inp in m["inputs"]:
        assert inp["sha256"] == hashlib.sha256(Path(inp["path"]).read_bytes()).hexdigest()
        assert inp["read"] == inp["parsed"] + inp["skipped"]
    actions = [a["action"] for a in audit]
    assert actions[0] == "start" and "hash_input" in actions and actions.index("hash_input") < actions.index("read")
    assert "copy_original" in actions and actions[-1] == "manifest"


def test_verify_passes_on_untouched_bundle(bundle):
    r = verify_bundle(bundle[0])
    assert r.ok, r
    with zipfile.ZipFile(bundle[0]) as zf:
        assert r.checked == len(json.loads(zf.read("manifest.json"))["files"])


def test_verify_names_a_changed_byte(bundle, tmp_path):
    def flip(data: bytes) -> bytes:
        i = data.index(b"13800000201")
        return data[:i] + b"9" + data[i + 1:]
    bad = _rewrite(bundle[0], tmp_path / "bad.zip", change=("originals/sms-20260310.xml", flip))
    r = verify_bundle(bad)
    assert not r.ok and r.changed == ["originals/sms-20260310.xml"] and not r.added and not r.removed


def test_verify_names_added_and_removed_files(bundle, tmp_path):
    r = verify_bundle(_rewrite(bundle[0], tmp_path / "a.zip", add={"report/extra.txt": b"x"}))
    assert not r.ok and r.added == ["report/extra.txt"]
    r = verify_bundle(_rewrite(bundle[0], tmp_path / "r.zip", drop={"report/evidence.csv"}))
    assert not r.ok and r.removed == ["report/evidence.csv"]


def test_verify_detects_an_edited_manifest(bundle, tmp_path):
    def edit(data: bytes) -> bytes:
        m = json.loads(data)
        m["files"] = [f for f in m["files"] if f["path"] != "report/evidence.csv"]
        return json.dumps(m).encode()
    bad = _rewrite(bundle[0], tmp_path / "m.zip", change=("manifest.json", edit))
    r = verify_bundle(bad)
    assert not r.ok and any("manifest.json.sha256" in e for e in r.errors)


@pytest.mark.parametrize("evil", ["../evil.txt", "/etc/passwd", "report/../../x", "C:\\x.txt", "a\\..\\b"])
def test_verify_rejects_unsafe_member_names(bundle, tmp_path, evil):
    bad = _rewrite(bundle[0], tmp_path / "evil.zip", add={evil: b"pwned"})
    r = verify_bundle(bad)
    assert not r.ok and any("不安全" in e for e in r.errors)
    assert not (tmp_path / "evil.txt").exists()          # verify never extracts
    assert unsafe_name(evil)


def test_verify_rejects_garbage(tmp_path):
    p = tmp_path / "x.zip"
    p.write_bytes(b"not a zip")
    assert not verify_bundle(p).ok


def test_bundle_write_is_atomic(tmp_path, sample_inputs, tiny_model_dir, monkeypatch):
    import cuishou.bundle as bmod

    def boom(zf, src, name):
        raise OSError("interrupted (simulated)")
    monkeypatch.setattr(bmod, "_copy_into_zip", boom)
    z = tmp_path / "b.zip"
    with pytest.raises(OSError):
        make_bundle(sample_inputs, z, model_dir=tiny_model_dir)
    assert list(tmp_path.iterdir()) == []


def test_bundle_refuses_to_overwrite_other_files(tmp_path, sample_inputs, tiny_model_dir):
    from cuishou.errors import InputError

    z = tmp_path / "important.zip"
    z.write_bytes(b"PK-not-ours")
    with pytest.raises(InputError):
        make_bundle(sample_inputs, z, model_dir=tiny_model_dir)
    assert z.read_bytes() == b"PK-not-ours"
