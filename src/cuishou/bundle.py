"""Evidence bundle: report folder + byte-for-byte originals + manifest.json (+ detached hash) + audit.jsonl, as
one zip written atomically; `verify_bundle` re-hashes every entry and names what was added, removed or changed.

Design follows the apex/mvt practice in the formats README §2c/§6: hash inputs before parsing, record every
step, keep a detached manifest hash, verify by content. A verified bundle proves the files are unchanged since
the bundle was made, not that the phone's messages were true (the report says so too).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from cuishou import __version__
from cuishou.errors import BundleError, InputError
from cuishou.fsutil import sha256_bytes, sha256_file

FORMAT = "cuishou-bundle/1"
MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.json.sha256"
AUDIT = "audit.jsonl"
SUMS = "SHA256SUMS"
README = "00_说明.txt"
_CHUNK = 1 << 20
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class BundleSummary:
    zip_path: Path
    manifest_sha256: str
    files: int
    report: object            # pipeline.ReportSummary


@dataclass
class VerifyResult:
    """Outcome of `verify_bundle`; ok only when nothing was added, removed, changed or malformed."""
    ok: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked: int = 0
    manifest_sha256: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Audit:
    """Chain-of-custody log: one JSON object per step (UTC time, action, details, hashes)."""

    def __init__(self):
        self.lines: list[str] = []

    def log(self, action: str, **details) -> None:
        self.lines.append(json.dumps({"time_utc": _now(), "action": action, **details}, ensure_ascii=False, default=str))

    def data(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def _law_registry_hashes() -> dict:
    from importlib import resources

    out = {}
    for name in ("provisions.json", "mapping.json", "never_cite.json"):
        with contextlib.suppress(FileNotFoundError, ModuleNotFoundError):
            out[name] = sha256_bytes(resources.files("cuishou.law").joinpath(name).read_bytes())
    return out


def _safe_member(name: str) -> str:
    """Bundle-internal name for an original: its base name with anything path-like removed."""
    base = re.sub(r"[\\/:\x00]", "_", Path(name).name) or "input"
    return base.lstrip(".") or "input"


def _info(name: str) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    return zi


def _copy_into_zip(zf: zipfile.ZipFile, src: Path, name: str) -> tuple[str, int]:
    """Stream a file into the zip byte-for-byte; returns (sha256, size) of what was copied."""
    h, size = hashlib.sha256(), 0
    with open(src, "rb") as f, zf.open(_info(name), "w", force_zip64=True) as out:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
            size += len(block)
            out.write(block)
    return h.hexdigest(), size


def _readme(created: str) -> str:
    return f"""cuishou 证据包（{FORMAT}），生成时间（UTC）{created}

目录
  report/       证据报告（report.html 可用浏览器打开并打印）、证据清单 evidence.csv/.xlsx、投诉材料草稿 complaints/
  originals/    用户提供的手机导出文件，逐字节复制，未作任何修改
  manifest.json 每个文件的 SHA-256 与大小、工具与模型版本及哈希、命令行、生成时间
  manifest.json.sha256  manifest.json 本身的 SHA-256（请另行保存一份，例如抄写或发给自己）
  audit.jsonl   处理过程记录（每一步的时间、动作和哈希）
  SHA256SUMS    与 manifest 相同的哈希，可用 `sha256sum -c SHA256SUMS` 核对

如何核验
  cuishou verify 证据包.zip        （任何文件被增加、删除或改动都会报告，并以非零状态退出）
  或解压后：sha256sum -c SHA256SUMS；Windows：certutil -hashfile <文件> SHA256

哈希能证明什么、不能证明什么
  能证明：文件自本证据包生成之时起未被改动。
  不能证明：导出之前手机中的短信是真实、完整的，或短信确由某人发送。请保留手机原始载体，必要时办理公证。
本证据包不是法律意见。
"""


def _check_target(zip_path: Path) -> None:
    if zip_path.exists():
        if zip_path.is_dir():
            raise InputError("输出路径是一个目录", file=str(zip_path))
        try:
            with zipfile.ZipFile(zip_path) as zf:
                fmt = json.loads(zf.read(MANIFEST)).get("format")
        except (zipfile.BadZipFile, KeyError, ValueError):
            fmt = None
        if fmt != FORMAT:
            raise InputError("输出文件已存在且不是 cuishou 证据包，拒绝覆盖", file=str(zip_path))


def make_bundle(inputs, zip_path, *, argv=None, **report_options) -> BundleSummary:
    """Build the report in memory, then write report/, originals/, manifest, detached hash and audit log as one
    zip that appears only when complete (temp file + rename)."""
    from cuishou.pipeline import analyse, render_all, summarise

    zip_path = Path(zip_path)
    _check_target(zip_path)
    argv = list(argv if argv is not None else sys.argv)
    audit = _Audit()
    created = _now()
    audit.log("start", tool=f"cuishou {__version__}", argv=argv, options={k: v for k, v in report_options.items()})

    # hash every input before anything parses it
    pre: dict[str, tuple[str, int]] = {}
    for p in inputs:
        for f in ([Path(p)] if Path(p).is_file() else sorted(x for x in Path(p).rglob("*") if x.is_file())):
            pre[str(f)] = (sha256_file(f), f.stat().st_size)
            audit.log("hash_input", path=str(f), sha256=pre[str(f)][0], size=pre[str(f)][1])

    ctx, rr = analyse(inputs, argv=argv, **report_options)
    audit.log("read", files=len(rr.files), rows=int(len(rr.table)), skipped=len(rr.skips),
              merged_duplicates=len(rr.merged_duplicates))
    audit.log("classify", model=ctx.model_meta.get("name"), model_sha256=ctx.model_meta.get("sha256"),
              labelled=ctx.accounting["labelled"], flagged=len(ctx.items))
    audit.log("findings", count=len(ctx.findings))
    report_files = render_all(ctx)
    for rel, data in report_files.items():
        audit.log("render", path=f"report/{rel}", sha256=sha256_bytes(data), size=len(data))

    entries: dict[str, tuple[str, int]] = {}
    inputs_meta = []
    used: set[str] = set()
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{zip_path.name}.", suffix=".tmp", dir=zip_path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.writestr(_info(README), _readme(created).encode("utf-8"))
            entries[README] = (sha256_bytes(_readme(created).encode("utf-8")), len(_readme(created).encode("utf-8")))
            for rel, data in report_files.items():
                name = f"report/{rel}"
                zf.writestr(_info(name), data)
                entries[name] = (sha256_bytes(data), len(data))
            for i, src in enumerate(rr.files, 1):
                base = _safe_member(src.path)
                name = f"originals/{base}" if base not in used else f"originals/{i:02d}_{base}"
                used.add(base)
                digest, size = _copy_into_zip(zf, Path(src.path), name)
                if digest != src.sha256 or (str(src.path) in pre and pre[str(src.path)][0] != digest):
                    raise BundleError(f"{src.path} 在处理过程中发生了变化（哈希不一致），请确认没有其他程序在写入该文件后重试")
                entries[name] = (digest, size)
                inputs_meta.append({"path": src.path, "bundle_path": name, "sha256": digest, "size": size,
                                    "format": src.format, "read": src.read, "parsed": src.parsed,
                                    "skipped": src.skipped, "notes": list(src.notes)})
                audit.log("copy_original", path=src.path, bundle_path=name, sha256=digest, size=size)
            sums = "".join(f"{h}  {n}\n" for n, (h, _) in sorted(entries.items())).encode("utf-8")
            audit.log("checksums", path=SUMS, files=len(entries))
            audit.log("manifest", path=MANIFEST)
            audit_bytes = audit.data()
            for name, data in ((SUMS, sums), (AUDIT, audit_bytes)):
                zf.writestr(_info(name), data)
                entries[name] = (sha256_bytes(data), len(data))
            manifest = {
                "format": FORMAT, "created_utc": created,
                "tool": {"name": "cuishou", "version": __version__, "python": platform.python_version()},
                "model": {k: ctx.model_meta.get(k) for k in ("name", "created", "sha256", "thresholds", "versions")},
                "law_registry_sha256": _law_registry_hashes(),
                "command_line": argv, "options": {k: (list(v) if isinstance(v, tuple) else v)
                                                  for k, v in report_options.items()},
                "timezone": ctx.tz, "inputs": inputs_meta,
                "counts": {"read": ctx.accounting["read"], "labelled": ctx.accounting["labelled"],
                           "flagged": len(ctx.items), "findings": len(ctx.findings)},
                "files": [{"path": n, "sha256": h, "size": s} for n, (h, s) in sorted(entries.items())],
                "statement": "哈希值证明文件自本证据包生成时起未被改动；不证明导出前手机内容的真实性。本证据包不是法律意见。",
            }
            mbytes = (json.dumps(manifest, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")
            msha = sha256_bytes(mbytes)
            zf.writestr(_info(MANIFEST), mbytes)
            zf.writestr(_info(MANIFEST_HASH), f"{msha}  {MANIFEST}\n".encode())
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, zip_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    report = summarise(ctx, zip_path, {k[len("report/"):]: v[0] for k, v in entries.items() if k.startswith("report/")})
    return BundleSummary(zip_path=zip_path, manifest_sha256=msha, files=len(entries) + 2, report=report)


# ------------------------------------------------------------------------------------------ verify

def unsafe_name(name: str) -> str | None:
    """Why an archive member name is unacceptable (absolute, drive, `..`, backslash), or None if fine."""
    if not name:
        return "空文件名"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "绝对路径"
    if "\\" in name:
        return "包含反斜杠"
    if "\x00" in name:
        return "包含空字符"
    if any(part == ".." for part in PurePosixPath(name).parts):
        return "包含 .. 上级目录"
    return None


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with zf.open(info) as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def verify_bundle(zip_path) -> VerifyResult:
    """Re-hash every entry against manifest.json (and manifest.json against its detached hash). Never extracts."""
    res = VerifyResult(ok=False)
    try:
        zf = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as e:
        res.errors.append(f"无法作为 zip 打开：{e}")
        return res
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for n in names:
            why = unsafe_name(n)
            if why:
                res.errors.append(f"拒绝不安全的条目 {n!r}：{why}")
        dupes = sorted({n for n in names if names.count(n) > 1})
        for n in dupes:
            res.errors.append(f"条目 {n} 在压缩包中出现多次")
        if res.errors:
            return res
        members = {i.filename: i for i in infos if not i.is_dir()}
        if MANIFEST not in members:
            res.errors.append(f"缺少 {MANIFEST}")
            return res
        mbytes = zf.read(MANIFEST)
        res.manifest_sha256 = sha256_bytes(mbytes)
        if MANIFEST_HASH in members:
            recorded = zf.read(MANIFEST_HASH).decode("utf-8", "replace").split()
            if not recorded or recorded[0].lower() != res.manifest_sha256:
                res.errors.append(f"{MANIFEST} 与 {MANIFEST_HASH} 记录的哈希不一致（清单被改动）")
        else:
            res.errors.append(f"缺少 {MANIFEST_HASH}")
        try:
            manifest = json.loads(mbytes)
            listed = {f["path"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError) as e:
            res.errors.append(f"{MANIFEST} 无法解析：{e}")
            return res
        if manifest.get("format") != FORMAT:
            res.errors.append(f"不支持的证据包格式 {manifest.get('format')!r}")
        for p in listed:
            why = unsafe_name(p)
            if why:
                res.errors.append(f"清单中的路径 {p!r} 不安全：{why}")
        actual = {n for n in members if n not in (MANIFEST, MANIFEST_HASH)}
        res.added = sorted(actual - set(listed))
        res.removed = sorted(set(listed) - actual)
        for name in sorted(actual & set(listed)):
            digest, size = _hash_member(zf, members[name])
            res.checked += 1
            if digest != str(listed[name].get("sha256", "")).lower() or size != listed[name].get("size"):
                res.changed.append(name)
        hashes = {n: str(f.get("sha256")) for n, f in listed.items()}
        for inp in manifest.get("inputs", []):
            if hashes.get(inp.get("bundle_path")) != inp.get("sha256"):
                res.errors.append(f"原始文件 {inp.get('path')} 的记录哈希与清单条目不一致")
    res.ok = not (res.added or res.removed or res.changed or res.errors)
    return res


__all__ = ["make_bundle", "verify_bundle", "VerifyResult", "BundleSummary", "unsafe_name", "FORMAT"]
