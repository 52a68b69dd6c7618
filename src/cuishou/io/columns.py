"""Column resolution for generic tables (CSV/XLSX/JSON): header synonyms, presets and user mappings.

The user-facing mapping is {column name: schema field} (CLI `--map field=col` builds the same thing). Fields a
table can supply: address, body, time, direction, contact_name, duration, kind.
"""
from __future__ import annotations

from cuishou.errors import InputError

FIELDS = ("address", "body", "time", "direction", "contact_name", "duration", "kind")
FIELD_ALIASES = {"time_raw": "time", "time_utc": "time", "call_duration_s": "duration", "name": "contact_name",
                 "number": "address", "text": "body", "type": "direction"}
FIELD_CN = {"address": "号码", "body": "内容", "time": "时间", "direction": "类型/方向", "contact_name": "姓名",
            "duration": "通话时长", "kind": "种类"}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "address": ("号码", "电话", "电话号码", "手机号", "手机号码", "对方号码", "对方电话", "发件人", "发信人", "发送人",
                "发送号码", "收件人", "联系电话", "来电号码", "主叫号码", "address", "number", "phone", "phone_number",
                "phonenumber", "from", "sender", "tel", "msisdn", "relationship_account"),
    "body": ("内容", "短信内容", "信息内容", "消息内容", "短信", "正文", "body", "message", "text", "content", "msg",
             "sms", "sms_body"),
    "time": ("时间", "日期", "日期时间", "发送时间", "接收时间", "收发时间", "通话时间", "短信时间", "起始时间", "开始时间",
             "date", "time", "datetime", "date_time", "timestamp", "sent_at", "received_at", "mail_send_time"),
    "direction": ("类型", "方向", "收发", "收发类型", "短信类型", "信箱", "文件夹", "通话类型", "呼叫类型", "type",
                  "direction", "box", "folder", "msg_box", "local_action"),
    "contact_name": ("姓名", "联系人", "联系人姓名", "名称", "备注名", "name", "contact", "contact_name"),
    "duration": ("时长", "通话时长", "通话时长(秒)", "通话时长（秒）", "duration", "duration_s", "dur"),
    "kind": ("种类", "记录类型", "kind", "category"),
}

PRESETS: dict[str, dict] = {
    "qq": {"label": "QQ同步助手 CSV（GBK，列 内容/姓名/号码/时间/类型）",
           "mapping": {"号码": "address", "内容": "body", "时间": "time", "类型": "direction", "姓名": "contact_name"}},
    "cn_table": {"label": "中文表头的表格（号码/内容/时间/类型），CSV 或 XLSX", "mapping": None},
    "superbackup": {"label": "超级备份 XML", "format": "superbackup_xml"},
    "sbr": {"label": "SMS Backup & Restore XML", "format": "sbr_xml"},
    "vmsg": {"label": "OPPO/魅族 vmsg", "format": "vmsg"},
}


def _norm(h: object) -> str:
    return str(h if h is not None else "").strip().lstrip("\ufeff").strip().lower()


def normalize_mapping(mapping: dict[str, str] | None) -> dict[str, str]:
    """{column: field} (or, tolerated, {field: column}) → {field: column}. Raises InputError on unknown fields."""
    out: dict[str, str] = {}
    for k, v in (mapping or {}).items():
        fv, fk = FIELD_ALIASES.get(v, v), FIELD_ALIASES.get(k, k)
        if fv in FIELDS:
            out[fv] = k
        elif fk in FIELDS:
            out[fk] = v
        else:
            raise InputError(f"列映射 {k}={v} 无效：字段必须是 {', '.join(FIELDS)} 之一")
    return out


def resolve(header: list[object], field_to_col: dict[str, str]) -> dict[str, int]:
    """Header cells → {field: column index}. Explicit mapping first, then synonyms for the rest."""
    normed = [_norm(h) for h in header]
    out: dict[str, int] = {}
    missing = []
    for field_, col in field_to_col.items():
        try:
            out[field_] = normed.index(_norm(col))
        except ValueError:
            missing.append(f"{col}（{FIELD_CN[field_]}）")
    if missing:
        shown = "、".join(str(h) for h in header if _norm(h)) or "（无）"
        raise InputError(f"表格缺少指定的列：{'、'.join(missing)}；现有列：{shown}")
    taken = set(out.values())
    for field_, names in SYNONYMS.items():
        if field_ in out:
            continue
        for name in names:
            if name in normed and normed.index(name) not in taken:
                out[field_] = normed.index(name)
                taken.add(out[field_])
                break
    return out


def is_phone_table(cols: dict[str, int]) -> bool:
    """A phone export names at least a number and a time; a plain text table (e.g. only `text`) does not."""
    return "address" in cols and "time" in cols


def require(cols: dict[str, int], header: list[object]) -> None:
    missing = [FIELD_CN[f] for f in ("address", "time") if f not in cols]
    if not missing and not ({"body", "duration", "kind"} & cols.keys()):
        missing = ["内容（短信）或通话时长（通话）"]
    if missing:
        shown = "、".join(str(h) for h in header if _norm(h)) or "（无）"
        raise InputError(f"表格缺少手机导出所需的列：{'、'.join(missing)}；现有列：{shown}。"
                         f"可用 --preset 或 --map 字段=列名 指定（字段：{', '.join(FIELDS)}）")


IN_VALUES = {"收件箱", "收件", "接收", "已接收", "收到", "收", "来信", "来电", "呼入", "被叫", "inbox", "in", "received",
             "receive", "incoming", "deliver", "1", "01"}
OUT_VALUES = {"发件箱", "发件", "发送", "已发送", "发", "去信", "去电", "呼出", "主叫", "已发", "outbox", "sent", "send",
              "out", "outgoing", "submit", "2", "02"}
DRAFT_VALUES = {"草稿箱", "草稿", "draft", "drafts", "3", "03"}
KIND_VALUES = {"短信": "sms", "sms": "sms", "彩信": "mms", "mms": "mms", "通话": "call", "电话": "call", "call": "call",
               "通话记录": "call"}


def direction_of(value: str) -> str | None:
    """→ "in", "out", "" (unknown) or None for a draft (skipped)."""
    v = value.strip().lower()
    if v in DRAFT_VALUES:
        return None
    if v in IN_VALUES or v.startswith(("呼入", "来电", "已接来电", "未接来电")):
        return "in"
    if v in OUT_VALUES or v.startswith(("呼出", "去电", "已拨")):
        return "out"
    return ""
