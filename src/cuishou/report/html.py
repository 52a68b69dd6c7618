"""report.html: one self-contained Chinese file (no network, no CDN, no script) that prints cleanly on A4.

Everything user-controlled (message text, numbers, names, file names) goes through `esc`; the only markup
added to a message is <mark> around the phrases that drove the flag, inserted between escaped pieces.
"""
from __future__ import annotations

import html
from datetime import date

import pandas as pd

from cuishou.labels import LAWFUL_ZH, ZH
from cuishou.report import KIND_GROUPS, Cite, EvidenceItem, ReportContext


def esc(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def highlight(text: str, phrases) -> str:
    """Escaped text with every occurrence of every phrase wrapped in <mark> (overlaps merged)."""
    text = text if isinstance(text, str) else ""
    spans: list[list[int]] = []
    for p in phrases:
        if not p:
            continue
        start = text.find(p)
        while start >= 0:
            spans.append([start, start + len(p)])
            start = text.find(p, start + 1)
    spans.sort()
    merged: list[list[int]] = []
    for s in spans:
        if merged and s[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(s)
    out, pos = [], 0
    for a, b in merged:
        out.append(esc(text[pos:a]))
        out.append(f"<mark>{esc(text[a:b])}</mark>")
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out).replace("\n", "<br>")


# ------------------------------------------------------------------------------------------ timeline

def timeline_svg(daily: pd.DataFrame, colors: dict, *, width: int = 760, height: int = 260,
                 mark_date: date | None = date(2026, 1, 1)) -> str:
    """Inline SVG bar chart: one bar per local day, stacked by category (empty days kept as gaps)."""
    if daily is None or daily.empty:
        return '<p class="muted">没有可绘制的催收短信。</p>'
    days = pd.date_range(min(daily.index), max(daily.index), freq="D").date
    daily = daily.reindex(days, fill_value=0)
    cats = [c for c in colors if c in daily.columns] + [c for c in daily.columns if c not in colors]
    left, right, top, bottom = 36, 10, 34, 38
    w, h = width - left - right, height - top - bottom
    ymax = max(1, int(daily.sum(axis=1).max()))
    step = max(1, -(-ymax // 5))
    bw = w / len(days)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="每日催收短信数量（按类别堆叠）" class="timeline">']
    for y in range(0, ymax + 1, step):
        yy = top + h - h * y / ymax
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + w}" y2="{yy:.1f}" class="grid"/>'
                     f'<text x="{left - 4}" y="{yy + 3:.1f}" text-anchor="end" class="ax">{y}</text>')
    label_every = max(1, -(-len(days) // 12))
    for i, d in enumerate(days):
        x = left + i * bw
        y = top + h
        for c in cats:
            n = int(daily.at[d, c]) if c in daily.columns else 0
            if n <= 0:
                continue
            bh = h * n / ymax
            y -= bh
            parts.append(f'<rect x="{x + bw * 0.12:.1f}" y="{y:.1f}" width="{bw * 0.76:.1f}" height="{bh:.1f}" '
                         f'fill="{esc(colors.get(c, "#7f8c8d"))}"><title>{esc(d)} {esc(c)}：{n} 条</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{top + h + 14}" text-anchor="middle" class="ax">{d:%m-%d}</text>')
        if mark_date is not None and d == mark_date:
            parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + h}" class="switch"/>'
                         f'<text x="{x + 3:.1f}" y="{top + h + 28}" class="ax">2026-01-01 起适用修订后的治安管理处罚法</text>')
    lx = left
    for c in cats:
        parts.append(f'<rect x="{lx}" y="8" width="11" height="11" fill="{esc(colors.get(c, "#7f8c8d"))}"/>'
                     f'<text x="{lx + 15}" y="18" class="lg">{esc(c)}</text>')
        lx += 30 + 13 * len(str(c))
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------------------------------ pieces

def _cite_refs(cites, note_no: dict) -> str:
    if not cites:
        return '<span class="muted">（法律依据库未给出对应条文）</span>'
    def one(c: Cite) -> str:
        n = note_no.get(c.id)
        sup = f'<sup><a href="#note-{n}">[{n}]</a></sup>' if n else ""
        return (f'<span class="cite">{esc(c.short or c.citation)}{sup} <span class="conf conf-{esc(c.confidence)}" '
                f'title="V=已核对条文原文；S=仅见二手来源">{esc(c.confidence)}</span></span>')
    out = []
    for title, kinds in KIND_GROUPS:
        group = [c for c in cites if c.kind in kinds]
        if group:
            cls = "cites" if kinds[0] != "industry_norm" else "cites norm"
            out.append(f'<div class="{cls}"><b>{esc(title)}：</b>' + "；".join(one(c) for c in group) + "</div>")
    return "".join(out)


def _message(it: EvidenceItem, note_no: dict) -> str:
    scores = "、".join(f"{esc(ZH.get(k, k))} {v:.2f}" for k, v in it.scores.items() if k in it.labels)
    direction = "收到" if it.direction != "out" else "发出"
    where = f"{esc(it.source_file)} 中的 {esc(it.source_ref)}"
    extra = []
    if it.blocked:
        extra.append("来自拦截/骚扰记录")
    if it.recipient == "third_party":
        extra.append("按文字看收件人不是债务人本人")
    name = f"（通讯录名称：{esc(it.contact_name)}）" if it.contact_name and it.contact_name != "(Unknown)" else ""
    phrases = "、".join(f"“{esc(p)}”" for p in it.phrases) or "（无）"
    return f"""
<article class="msg" id="{esc(it.eid)}">
  <header><span class="eid">{esc(it.eid)}</span>
    <span class="labels">{"".join(f'<span class="lab lab-{esc(l)}">{esc(ZH.get(l, l))}</span>' for l in it.labels)}</span></header>
  <table class="meta">
    <tr><th>号码（原样）</th><td class="num">{esc(it.address)}{name} · {direction}</td></tr>
    <tr><th>时间</th><td>{esc(it.local_time)}（{esc(it.tz)}） · UTC {esc(it.time_utc)} · 原始值 {esc(it.time_raw)}</td></tr>
    <tr><th>内容</th><td class="body">{highlight(it.body, it.phrases)}</td></tr>
    <tr><th>触发词</th><td>{phrases}</td></tr>
    <tr><th>模型得分</th><td>{scores or "—"}</td></tr>
    <tr><th>原始位置</th><td>{where}（文件哈希见“原始文件与完整性”）<br>
      记录 SHA-256 <code>{esc(it.record_sha256)}</code>{(" · " + "；".join(extra)) if extra else ""}</td></tr>
    <tr><th>可能涉及</th><td>{_cite_refs(it.cites, note_no)}</td></tr>
  </table>
</article>"""


def _summary(ctx: ReportContext) -> str:
    a = ctx.accounting
    skipped = a["reader_skipped"] + sum(a["classify_skipped"].values())
    reasons = "；".join(f"{esc(k)} {v} 条" for k, v in a["classify_skipped"].items())
    rows = []
    for lab in ctx.include_labels:
        rows.append(f'<tr><td><span class="lab lab-{esc(lab)}">{esc(ZH[lab])}</span></td><td>{ctx.counts.get(lab, 0)}</td></tr>')
    primary = dict.fromkeys(c.citation for g in [it.cites for it in ctx.items] + [f.cites for f in ctx.findings]
                            for c in g if c.role == "primary")
    kind_of = {c.citation: c.kind for c in ctx.notes}
    groups = "".join(
        f"<p><b>{esc(title)}：</b>{'；'.join(esc(c) for c in primary if kind_of.get(c) in kinds) or '—'}</p>"
        for title, kinds in KIND_GROUPS)
    who = []
    if ctx.own_name:
        who.append(f"机主（用户提供）：{esc(ctx.own_name)}")
    if ctx.own_numbers:
        who.append("本机号码（用户提供）：" + "、".join(esc(n) for n in ctx.own_numbers))
    coll_rows = "".join(
        f'<tr><td class="num">{esc(c["address"])}</td><td>{esc(c["platform"])}</td><td>{c["messages"]}</td>'
        f'<td>{c["flagged"]}</td><td>{c["night"]}</td><td>{c["calls"]}</td><td>{esc(c["first"])}</td><td>{esc(c["last"])}</td></tr>'
        for c in ctx.collectors)
    return f"""
<section id="summary"><h2>一、摘要</h2>
<p>{"；".join(who) + "。" if who else ""}本报告依据用户提供的 {len(ctx.files)} 个手机导出文件生成，
时间范围 {esc(ctx.time_range[0])} 至 {esc(ctx.time_range[1])}（{esc(ctx.tz)}）。</p>
<p class="acct"><b>读取 {a["read"]} 条 = 已分类 {a["labelled"]} 条 + 跳过 {skipped} 条{f" + 重复合并 {a['merged']} 条" if a["merged"] else ""}</b>
（读取时跳过 {a["reader_skipped"]} 条{("；分类时跳过：" + reasons) if reasons else ""}{"；重复合并指多份导出中内容、号码和时间都相同的记录只保留一条" if a["merged"] else ""}）。</p>
<p>已分类的短信中：被标记为违规催收 <b>{len(ctx.items)}</b> 条；{esc(LAWFUL_ZH)} {ctx.counts.get("lawful", 0)} 条；
普通短信 {ctx.counts.get("other", 0)} 条；本机发出 {ctx.counts.get("sent", 0)} 条{f"；只涉及未纳入类别的 {ctx.counts['excluded']} 条" if ctx.counts.get("excluded") else ""}{f"；通话记录 {ctx.counts['calls']} 条" if ctx.counts.get("calls") else ""}。</p>
<table class="grid-t"><tr><th>类别</th><th>条数</th></tr>{"".join(rows)}</table>
<h3>发送催收短信的号码</h3>
<table class="grid-t"><tr><th>号码（原样）</th><th>短信署名</th><th>催收短信</th><th>其中违规</th><th>22:00–08:00</th><th>来电</th><th>首次</th><th>末次</th></tr>{coll_rows}</table>
<p class="muted">报告只说明“某号码发送了某内容”；号码与某公司或个人之间的关系需要其他证据证明。</p>
<h3>可能涉及的主要规定</h3><p class="muted">补充依据见各类别开头与“条文注释”。</p>
{groups}
</section>"""


def _findings(ctx: ReportContext, note_no: dict) -> str:
    if not ctx.findings:
        return '<section id="findings"><h2>三、规律性发现</h2><p>未发现跨短信的规律。</p></section>'
    body = "".join(
        f'<div class="finding"><h4>{esc(f.title)}</h4><p>{esc(f.detail)}</p>{_cite_refs(f.cites, note_no)}</div>'
        for f in ctx.findings)
    return (f'<section id="findings"><h2>三、规律性发现</h2><p class="muted">以下数字直接由导出记录统计得出；'
            f'“多次”“频繁”等是否成立由执法、司法机关判断。</p>{body}</section>')


def _notes(ctx: ReportContext, note_no: dict) -> str:
    def block(cites):
        return "".join(
            f'<li id="note-{note_no[c.id]}" value="{note_no[c.id]}"><b>{esc(c.citation)}</b>'
            f' '
            f'<span class="conf conf-{esc(c.confidence)}">{esc(c.confidence)}</span>'
            f'<blockquote>{esc(c.text)}</blockquote><div class="muted">来源：{esc(c.source)}{("；" + esc(c.note)) if c.note else ""}</div></li>'
            for c in cites)
    parts = "".join(
        f"<h3>{esc(title)}</h3><ol class=\"notes\">{block([c for c in ctx.notes if c.kind in kinds]) or '<li>—</li>'}</ol>"
        for title, kinds in KIND_GROUPS)
    return f"""
<section id="notes"><h2>五、条文注释</h2>
<p class="muted">V = 已对照条文原文核对；S = 仅见二手来源，使用前请对照官方文本（国家法律法规数据库 flk.npc.gov.cn）。
《治安管理处罚法》按每条短信的发送日期选择版本：2026-01-01 之前适用 2012 年版，之后适用 2025 年修订版。</p>
{parts}
</section>"""


def _files(ctx: ReportContext) -> str:
    rows = "".join(
        f'<tr><td>{esc(f.path)}</td><td>{esc(f.format)}</td><td>{f.size}</td><td><code>{esc(f.sha256)}</code></td>'
        f'<td>{f.read}</td><td>{f.parsed}</td><td>{f.skipped}</td></tr>' for f in ctx.files)
    by_reason: dict[str, list[str]] = {}
    for s in ctx.skips:
        by_reason.setdefault(s.reason, []).append(f"{s.file} {s.ref}")
    skips = "".join(f"<li>{esc(r)}：{len(v)} 条（如 {esc('；'.join(v[:3]))}）</li>" for r, v in by_reason.items())
    notes = "".join(f"<li>{esc(f.path)}：{esc(n)}</li>" for f in ctx.files for n in f.notes)
    return f"""
<section id="files"><h2>六、原始文件与完整性</h2>
<table class="grid-t small"><tr><th>文件</th><th>格式</th><th>字节</th><th>SHA-256</th><th>读取</th><th>解析</th><th>跳过</th></tr>{rows}</table>
{f"<h3>读取时跳过的记录</h3><ul>{skips}</ul>" if skips else ""}
{f"<h3>读取说明</h3><ul>{notes}</ul>" if notes else ""}
</section>"""


def _method(ctx: ReportContext) -> str:
    m = ctx.model_meta or {}
    th = m.get("thresholds") or {}
    ths = "、".join(f"{esc(ZH.get(k, k))} {v}" for k, v in th.items()) if isinstance(th, dict) else esc(th)
    vers = m.get("versions") or {}
    vs = "、".join(f"{esc(k)} {esc(v)}" for k, v in vers.items()) if isinstance(vers, dict) else esc(vers)
    warn = "".join(f"<li>{esc(w)}</li>" for w in ctx.warnings)
    return f"""
<section id="method"><h2>七、方法与局限</h2>
<ul>
<li>生成工具：cuishou {esc(ctx.tool_version)}；生成时间（UTC）{esc(ctx.generated_utc)}；命令：<code>{esc(" ".join(ctx.argv))}</code></li>
<li>分类模型：{esc(m.get("name", "未知"))}（训练于 {esc(m.get("created", "未知"))}），model.joblib SHA-256 <code>{esc(m.get("sha256", "未知"))}</code>；
判定阈值：{ths or "—"}；依赖版本：{vs or "—"}。</li>
<li>“违规”标记是统计模型依据短信文字给出的<b>意见</b>，显示在原文旁边，不替代原文；模型会漏判和误判，每条都应人工核对。
触发词是影响判断最大的词语，只在原文中能原样找到时才高亮。</li>
<li>时间：以导出文件中的时间戳为准，按 {esc(ctx.tz)} 换算为当地时间；夜间指当地时间 22:00 至次日 08:00。</li>
<li><b>哈希值能证明什么：</b>文件或记录自计算哈希之时起未被改动（任何一个字节的变化都会使 SHA-256 改变）。
<b>不能证明什么：</b>导出之前手机中的内容是真实的、完整的，或短信确由某人发送。请保留手机原始载体，不要删除短信；
必要时对关键短信办理公证或使用可信时间戳。</li>
{"<li>已按 --mask-third-parties 对第三人的号码和姓名做遮盖；遮盖只影响显示，哈希值对应未遮盖的原始记录。</li>" if ctx.masked else ""}
<li>本报告不是法律意见。列出的条文是“可能涉及”的规定，是否构成违法或犯罪，由公安机关、监管部门和人民法院认定；
需要时请咨询律师或法律援助机构（12348）。</li>
{warn}
</ul></section>"""


_CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",
  "SimSun",sans-serif; font-size: 10.5pt; line-height: 1.55; color: #111; margin: 0 auto; max-width: 190mm; padding: 8px; }
h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 14pt; border-bottom: 2px solid #333; padding-bottom: 2px; margin-top: 22px; }
h3 { font-size: 11.5pt; margin: 14px 0 6px; } h4 { margin: 0 0 4px; font-size: 10.5pt; }
.muted { color: #555; font-size: 9pt; } code { font-size: 8pt; word-break: break-all; }
.num { font-family: "DejaVu Sans Mono",monospace; }
mark { background: #ffe08a; padding: 0 1px; font-weight: bold; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 3px 5px; }
table.grid-t th, table.grid-t td { border: 1px solid #bbb; } table.small { font-size: 8.5pt; }
table.meta th { width: 6.5em; color: #444; font-weight: normal; white-space: nowrap; }
table.meta td.body { font-size: 11pt; white-space: pre-wrap; }
.msg { border: 1px solid #999; border-radius: 4px; margin: 8px 0; padding: 4px 6px; break-inside: avoid; page-break-inside: avoid; }
.msg header { display: flex; gap: 8px; align-items: center; border-bottom: 1px dotted #aaa; padding-bottom: 2px; }
.eid { font-weight: bold; } .lab { display: inline-block; border-radius: 3px; padding: 0 5px; margin-right: 4px; color: #fff; font-size: 9pt; }
.lab-threat { background: #c0392b; } .lab-third_party { background: #d35400; } .lab-insult { background: #8e44ad; }
.lab-privacy { background: #2471a3; } .lab-impersonation { background: #117a65; }
.cites { font-size: 9pt; } .cites.norm { color: #444; } .cite { white-space: normal; }
.conf { border: 1px solid #666; border-radius: 2px; padding: 0 3px; font-size: 7.5pt; }
.conf-S { border-style: dashed; }
.support { font-size: 9pt; background: #f6f6f6; padding: 4px 6px; margin-bottom: 6px; }
.finding { border-left: 4px solid #c0392b; padding: 2px 8px; margin: 8px 0; break-inside: avoid; }
blockquote { margin: 2px 0 2px 1em; padding-left: 6px; border-left: 3px solid #ccc; font-size: 9pt; }
ol.notes li { margin-bottom: 6px; break-inside: avoid; }
svg.timeline { width: 100%; height: auto; } svg .grid { stroke: #ddd; } svg .ax { font-size: 9px; fill: #444; }
svg .lg { font-size: 10px; fill: #222; } svg .switch { stroke: #000; stroke-dasharray: 3 2; }
.notice { border: 2px solid #c0392b; padding: 6px 8px; margin: 8px 0; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; }
  section { break-before: auto; } h2 { break-after: avoid; } }
"""


def render_html(ctx: ReportContext) -> str:
    """The whole report as one string (UTF-8, no external resources)."""
    note_no = {c.id: i for i, c in enumerate(ctx.notes, 1)}
    sections = []
    for lab in ctx.include_labels:
        items = [it for it in ctx.items if lab in it.labels]
        if not items:
            continue
        support: dict[str, Cite] = {}
        for it in items:  # only this category's own supporting provisions
            for c in it.supporting_by_label.get(lab, ()):
                support.setdefault(c.id, c)
        sup = (f'<div class="support"><b>本类别的补充依据</b>（认定标准、救济途径、监管与行业规范，按各条短信日期适用）：'
               f'{_cite_refs(tuple(support.values()), note_no)}</div>') if support else ""
        sections.append(f'<section class="cat" id="cat-{esc(lab)}"><h3>{esc(ZH[lab])}（{len(items)} 条）</h3>{sup}'
                        + "".join(_message(it, note_no) for it in items) + "</section>")
    cats = "".join(sections) or "<p>没有被标记为违规的短信。</p>"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>催收短信证据报告</title><style>{_CSS}</style></head>
<body>
<h1>催收短信证据报告</h1>
<p class="muted">生成时间（UTC）{esc(ctx.generated_utc)} · cuishou {esc(ctx.tool_version)}</p>
<div class="notice">本报告由软件根据手机导出文件自动整理，用于向公安机关、金融监管部门、行业协会或法院说明情况。
短信原文逐字照录；“违规”类别是软件的判断，不是法律结论。<b>请保留手机原始载体，不要删除短信。</b></div>
{_summary(ctx)}
<section id="timeline"><h2>二、时间线</h2><p class="muted">每日收到的催收短信条数（当地时间），按类别堆叠；一条短信涉及多个类别时按首个类别计。</p>
{timeline_svg(ctx.daily, ctx.category_colors)}</section>
{_findings(ctx, note_no)}
<section id="messages"><h2>四、逐条证据（按类别）</h2>
<p class="muted">同一条短信涉及多个类别时，会在每个类别下列出，证据编号相同。号码和正文按导出文件原样照录{("（第三人信息已遮盖）" if ctx.masked else "")}。</p>
{cats}</section>
{_notes(ctx, note_no)}
{_files(ctx)}
{_method(ctx)}
</body></html>
"""
