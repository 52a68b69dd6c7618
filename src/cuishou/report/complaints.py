"""Complaint drafts filled from the data, with 【待填写：…】 placeholders for what the tool cannot know.

Each channel asks for different things (formats README §4, law README §6): 12378 wants complainant, institution,
request, facts, basis; the NIFA platform wants a real name, the firm's name and address and attachments ≤ 2 MB;
12321 takes `号码*短信内容` lines; the police want identity, facts, evidence and will issue a 受案回执; a civil claim
needs a facts section. Wording states what numbers sent, never who is behind them.
"""
from __future__ import annotations

from collections import Counter

from cuishou.labels import ZH
from cuishou.report import Cite, EvidenceItem, ReportContext

NIFA_LIMIT = 2 * 1024 * 1024


def todo(what: str) -> str:
    return f"【待填写：{what}】"


def _quote(it: EvidenceItem, limit: int = 80) -> str:
    body = " ".join(it.body.split())
    return body if len(body) <= limit else body[:limit] + "……"


def _platforms(ctx: ReportContext) -> list[str]:
    return sorted({c["platform"] for c in ctx.collectors if c["platform"]})


def _numbers(ctx: ReportContext) -> list[str]:
    return [c["address"] for c in ctx.collectors if c["flagged"]]


def _facts(ctx: ReportContext, *, per_label: int = 3) -> list[str]:
    """Plain statements with counts, dates and a few verbatim examples per category."""
    lines = []
    inbound = [it for it in ctx.items if it.direction != "out"]
    if inbound:
        first, last = min(it.local_time for it in inbound), max(it.local_time for it in inbound)
        nums = Counter(it.address for it in inbound)
        lines.append(f"自 {first[:10]} 至 {last[:10]}，{len(nums)} 个号码向本人手机发送了 {len(inbound)} 条被本工具标记为违规的催收短信"
                     f"（时间为 {ctx.tz} 当地时间，逐条列表见所附证据清单）。")
        lines.append("按号码统计：" + "；".join(f"{a} {n} 条" for a, n in nums.most_common()) + "。")
    for lab in ctx.include_labels:
        items = [it for it in inbound if lab in it.labels]
        if not items:
            continue
        ex = "；".join(f"{it.local_time[:16]} 号码 {it.address}：“{_quote(it)}”（{it.eid}）" for it in items[:per_label])
        lines.append(f"{ZH[lab]} {len(items)} 条，例如：{ex}。")
    for f in ctx.findings:
        if f.finding.kind in ("night", "multi_number", "calls", "third_party_recipient", "burst"):
            lines.append(f.detail)
    return lines


def _basis(cites, *, statutes: bool) -> list[str]:
    """Law proper (statutes=True) or regulator rules and industry norms (False), each labelled as such."""
    seen, out = set(), []
    for c in cites:
        if c.legal != statutes or c.citation in seen:
            continue
        seen.add(c.citation)
        tail = "" if statutes else ("（行业规范，不是法律）" if c.kind == "industry_norm" else "（监管规定）")
        out.append(f"{c.citation}{tail}")
    return out


def _primary(ctx: ReportContext) -> list[Cite]:
    """Primary provisions of the flagged messages and findings (supporting ones stay in the report)."""
    out: dict[str, Cite] = {}
    for group in [it.cites for it in ctx.items] + [f.cites for f in ctx.findings]:
        for c in group:
            if c.role == "primary":
                out.setdefault(c.id, c)
    return list(out.values())


def _evidence_list(ctx: ReportContext) -> list[str]:
    files = [f"原始导出文件 {f.path}（SHA-256：{f.sha256}，{f.size} 字节）" for f in ctx.files]
    return ["证据报告 report.html（可打印为 PDF）", "证据清单 evidence.xlsx / evidence.csv（每条短信的内容、号码、时间、保存位置、哈希值）",
            *files, "保存原始短信的手机（原始载体），可随时提交核验", todo("其他证据，如通话录音、联系人收到短信的截图、借款合同、还款记录")]


def _me(ctx: ReportContext) -> tuple[str, str]:
    name = ctx.own_name or todo("姓名")
    phone = "、".join(ctx.own_numbers) if ctx.own_numbers else todo("手机号码")
    return name, phone


def _numbered(lines) -> str:
    return "\n".join(f"{i}. {l}" for i, l in enumerate(lines, 1))


def draft_12378(ctx: ReportContext) -> str:
    name, phone = _me(ctx)
    plats = "、".join(_platforms(ctx)) or "（短信未署名）"
    return f"""# 向国家金融监督管理总局（12378）投诉的材料（草稿）

> 适用于银行、信用卡中心、消费金融公司等持牌机构及其委托的催收机构。小额贷款公司、融资担保公司等由地方金融管理局监管，
> 可改投当地地方金融管理局。电话投诉时请记下投诉编号；一般 15 个工作日内答复。

## 一、投诉人基本情况
- 姓名：{name}
- 身份证号码：{todo("身份证号码")}
- 联系电话：{phone}
- 通讯地址：{todo("通讯地址")}

## 二、被投诉人基本情况
- 机构名称：{todo("借款合同上的放贷机构全称（短信署名为 " + plats + "，署名只是发件人自称，请以合同为准）")}
- 借款合同编号/借款账号：{todo("合同编号或借款账号")}
- 催收人员或委外催收机构：短信来自号码 {"、".join(_numbers(ctx)) or "—"}，{todo("如知道催收公司名称请填写")}

## 三、投诉请求
1. 责令被投诉人及其委托的催收机构立即停止威胁、侮辱、骚扰等违规催收行为；
2. 停止向本人亲友、同事等第三人催收或透露本人的借款信息；
3. 核查被投诉人对委外催收机构的管理，依法依规处理；
4. {todo("其他请求，如协商还款方案、核实费用和利率")}

## 四、主要事实
{_numbered(_facts(ctx))}

## 五、相关依据
{_numbered(_basis(_primary(ctx), statutes=False) + _basis(_primary(ctx), statutes=True)) or "—"}

## 六、证据材料
{_numbered(_evidence_list(ctx))}

投诉人（签名）：{todo("签名")}　　日期：{todo("日期")}
"""


def draft_nifa(ctx: ReportContext, sizes: dict[str, int]) -> str:
    name, phone = _me(ctx)
    att = []
    for fn, size in sizes.items():
        ok = "可直接上传" if size <= NIFA_LIMIT else "超过 2 MB，请只打印违规短信部分为 PDF 或压缩后上传"
        att.append(f"{fn}：{size / 1024:.0f} KB，{ok}")
    return f"""# 中国互联网金融协会 互联网金融举报信息平台 举报材料（草稿）

> 网址 https://jubao.nifa.org.cn 。须实名举报，写明被举报机构名称和详细地址；**附件单个不超过 2 MB**；
> 每人每日举报次数有限。建议写明具体行为及所违反的法律、法规条款。

## 举报人（实名）
- 姓名：{name}
- 身份证号码：{todo("身份证号码")}
- 联系方式：{phone}

## 被举报机构
- 公司名称：{todo("放贷平台/机构全称（短信署名：" + ("、".join(_platforms(ctx)) or "无") + "）")}
- 详细地址：{todo("公司注册地址或办公地址，可在 App 协议或国家企业信用信息公示系统查询")}
- App 名称：{todo("App 名称")}

## 举报事实
{_numbered(_facts(ctx, per_label=2))}

## 所违反的规定
{_numbered(_basis(_primary(ctx), statutes=True) + _basis(_primary(ctx), statutes=False)) or "—"}

## 附件（每个不超过 2 MB）
{_numbered(att) or "—"}
"""


def lines_12321(ctx: ReportContext) -> str:
    """One `号码*短信内容` line per flagged received SMS, text verbatim (line breaks become spaces)."""
    out = []
    for it in ctx.items:
        if it.direction == "out" or it.kind == "call":
            continue
        body = " ".join(it.body.splitlines())
        out.append(f"{it.address}*{body}")
    return "\n".join(out) + ("\n" if out else "")


def draft_police(ctx: ReportContext) -> str:
    name, phone = _me(ctx)
    nums = _numbers(ctx)
    return f"""# 报案材料（草稿）

> 可到住所地或事发地派出所报案，也可拨打 110。报案时请携带身份证和保存短信的手机，**要求出具《受案回执》**；
> 公安机关一般在 3 日内决定是否立案/受案，不予受理的可要求书面说明理由。

## 报案人
- 姓名：{name}　性别：{todo("性别")}　身份证号码：{todo("身份证号码")}
- 住址：{todo("住址")}
- 联系电话：{phone}

## 被报案人
- 使用以下号码发送短信的人：{"、".join(nums) or "—"}
- 自称的身份/单位：{todo("如短信中自称的姓名、催收公司、平台名称")}（短信署名：{"、".join(_platforms(ctx)) or "无"}）

## 事实经过
{todo("借款情况：何时在何平台借款多少、是否已还部分")}

{_numbered(_facts(ctx, per_label=4))}

## 造成的影响
{todo("例如：家人和同事收到短信、被单位询问、失眠焦虑、不敢接电话等")}

## 请求
1. 依法对上述号码的使用人调查处理；
2. 对多次发送恐吓、侮辱等信息、干扰正常生活的行为，依法责令其停止，必要时责令其禁止接触本人及家人；
3. 出具《受案回执》。

## 可能涉及的规定（供参考，由公安机关认定）
{_numbered(_basis(_primary(ctx), statutes=True)) or "—"}

## 证据
{_numbered(_evidence_list(ctx))}

报案人：{todo("签名")}　　日期：{todo("日期")}
"""


def draft_civil_facts(ctx: ReportContext) -> str:
    name, _ = _me(ctx)
    inbound = sorted((it for it in ctx.items if it.direction != "out"), key=lambda it: it.local_time)
    chron = [f"{it.local_time[:16]}，号码 {it.address} 向原告发送短信：“{_quote(it, 120)}”（证据清单 {it.eid}）。" for it in inbound]
    return f"""# 民事起诉状 · 事实与理由（事实部分草稿）

原告：{name}　　被告：{todo("被告名称（放贷机构/催收公司/个人）")}

{todo("借贷关系：原告于何时通过何平台向被告借款多少元，约定利率，已还款情况")}

自 {inbound[0].local_time[:10] if inbound else "—"} 起，被告{todo("或其委托的催收人员")}使用下列号码向原告发送催收短信，
内容涉及威胁、侮辱、向第三人透露原告借款信息等（号码与被告之间的关系：{todo("证据，如合同约定的催收方式、通话录音中对方自称的身份")}）：

{_numbered(chron) or "—"}

上述行为侵扰原告私人生活安宁，{todo("对原告名誉、工作和身心健康造成的具体影响")}。

（以上短信均保存在原告手机中，导出文件及各条记录的 SHA-256 哈希值见证据清单；原告可提交手机原始载体供核验。）
"""


def render_complaints(ctx: ReportContext, sizes: dict[str, int]) -> dict[str, str]:
    """File name (inside complaints/) → text. `sizes`: attachment name → bytes, for the NIFA 2 MB check."""
    readme = """# 投诉/报案材料草稿

这些文件由 cuishou 根据短信数据自动填写，【待填写：…】处须由本人补充；提交前请逐条核对。

- `12378_金融监管投诉.md`：国家金融监督管理总局 12378（银行、信用卡、消费金融等持牌机构）
- `互金协会举报.md`：中国互联网金融协会 互联网金融举报信息平台（附件 ≤ 2 MB）
- `12321_短信举报.txt`：每行一条 `号码*短信内容`，可逐条发送到 12321，或复制到 12321 网站/微信举报
- `报案材料.md`：向公安机关报案
- `民事起诉_事实部分.md`：民事起诉状“事实与理由”中的事实部分

本材料不是法律意见。
"""
    return {
        "README.md": readme,
        "12378_金融监管投诉.md": draft_12378(ctx),
        "互金协会举报.md": draft_nifa(ctx, sizes),
        "12321_短信举报.txt": lines_12321(ctx),
        "报案材料.md": draft_police(ctx),
        "民事起诉_事实部分.md": draft_civil_facts(ctx),
    }


__all__ = ["render_complaints", "lines_12321", "todo", "NIFA_LIMIT", "Cite"]
