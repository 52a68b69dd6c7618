"""The learning loop: pick messages worth a human's time, take the corrected labels back, retrain under a guard.

    review(inputs, out)          → a CSV in corpus columns, pre-filled with the current prediction, + reasons
    retrain_with(files)          → validate, merge into the user corpus, train, compare old vs new, guard, version

Plain functions (no click); the `review`, `train --add` and `models` commands only parse options and print.

Evaluation design (see retrain_with): old and new models are measured on the *same* rows — the base corpus's
grouped test split recomputed from the config seed (the split the shipped model was measured on, and which the new
model is never trained on) — plus a grouped share of the user's own rows that is withheld from training too.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from cuishou.errors import DatasetError, InputError
from cuishou.labels import ALL_NAMES, GATE, GUIDELINE_VERSION, VIOLATION_NAMES, VIOLATIONS, ZH

#: the guard: a violation label's F1 may drop by at most this on the fixed test split
F1_TOLERANCE = 0.02
#: a label's F1 is only compared when the fixed test split holds at least this many positives: one or two
#: examples make F1 jump by 0.3 or more, which says nothing about the model
MIN_SUPPORT = 5
P_COLUMNS = tuple(f"p_{n}" for n in ALL_NAMES)
REVIEW_COLUMNS = ("text", "collection", "labels", *P_COLUMNS, "reason")
REVIEW_CONTEXT = ("evidence", "copies", "msg_id", "address", "time", "source")

# review heuristics
NEAR = 0.6             # |logit(p) - logit(threshold)| below this counts as "near the threshold" (logit distance:
                       # thresholds range from ~0.05 to ~0.95, where equal probability gaps mean very different things)
SPREAD = 0.30          # calibration-fold models whose scores differ by this much (across the threshold) disagree
UNSEEN_MIN = 2         # at least this many informative word tokens unseen in training …
UNSEEN_SHARE = 0.34    # … making up at least this share of the message's informative tokens


def _norm_key(text: str) -> str:
    from cuishou.text import normalize

    return normalize(str(text))


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------ review

@dataclass
class ReviewResult:
    path: Path
    guideline: Path
    messages: int                  # texts read from the inputs (non-empty)
    distinct: int                  # after de-duplication by normalised text
    already_labelled: int          # distinct texts already in the base or user corpus (not offered again)
    picked: int
    by_reason: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _gather(path: str) -> tuple[pd.DataFrame, list[str]]:
    """Texts and context from anything `cuishou label` accepts (table, text file, stdin, phone export)."""
    from cuishou.workflows import _detect_export

    cols = ("text", "msg_id", "address", "time", "source")
    if _detect_export(path):
        from cuishou.io import read_exports
        from cuishou.schema import DEFAULT_TZ

        rr = read_exports([path], tz=DEFAULT_TZ)
        t = rr.table
        t = t[(t["kind"].astype(str) != "call") & t["body"].fillna("").astype(str).str.strip().ne("")]
        df = pd.DataFrame({"text": t["body"].astype(str), "msg_id": t["msg_id"].astype(str),
                           "address": t["address"].astype(str), "time": t["time_utc"].astype(str),
                           "source": t["source_file"].astype(str) + " " + t["source_ref"].astype(str)})
        notes = [f"{f.path}：格式 {f.format}，读取 {f.read} 条" for f in rr.files]
        return df.reset_index(drop=True), notes
    from cuishou.tables import read_table

    table = read_table(path)
    src = table.df
    texts = src[table.text_column].fillna("").astype(str)
    def col(*names: str) -> list[str]:
        for c in names:
            if c in src.columns:
                return src[c].fillna("").astype(str).tolist()
        return [""] * len(src)

    df = pd.DataFrame({"text": texts.tolist(), "msg_id": col("msg_id"), "address": col("address"),
                       "time": col("time_utc", "time"),
                       "source": [f"{table.source} 第 {i + table.first_line} 行" for i in range(len(src))]})
    df = df[df["text"].str.strip().ne("")]
    return df[list(cols)].reset_index(drop=True), table.notes


def _known_texts(base=None, home=None) -> set[str]:
    """Normalised texts already labelled (base corpus + user corpus): not worth offering again."""
    from cuishou.model.corpus import read_corpus
    from cuishou.model.registry import user_corpus_path
    from cuishou.paths import base_corpus_path

    known: set[str] = set()
    for p in (Path(base) if base else base_corpus_path(), user_corpus_path(home)):
        if p.exists():
            known.update(_norm_key(t) for t in read_corpus(p)["text"])
    return known


def fold_spread(model, x) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) scores per label over the per-fold calibrated models inside each CalibratedClassifierCV."""
    n = x.shape[0]
    lo = np.full((n, len(ALL_NAMES)), np.nan)
    hi = np.full((n, len(ALL_NAMES)), np.nan)
    for j, est in enumerate(model.pipeline[-1].estimators_):
        ccs = getattr(est, "calibrated_classifiers_", None)
        if not ccs:  # a label with one class in training: constant predictor, no folds
            continue
        ps = np.column_stack([cc.predict_proba(x)[:, 1] for cc in ccs])
        lo[:, j], hi[:, j] = ps.min(axis=1), ps.max(axis=1)
    return lo, hi


def _informative(tok: str) -> bool:
    """Words worth counting as evidence of novelty: ≥ 2 characters with a letter or digit (single characters
    and placeholders are covered by the character n-grams anyway)."""
    return len(tok) >= 2 and tok not in {"urllink"} and any(c.isalnum() and c != "0" for c in tok)


def unseen_words(model, texts: list[str]) -> list[tuple[list[str], int]]:
    """Per text: (informative word tokens absent from the word vectoriser's vocabulary, number of informative tokens)."""
    from cuishou.text import normalize, words

    vocab = model.pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    out = []
    for t in texts:
        toks = list(dict.fromkeys(w for w in words(normalize(t)) if _informative(w)))
        out.append(([w for w in toks if w not in vocab], len(toks)))
    return out


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _reasons(model, texts: list[str], x, proba: np.ndarray) -> tuple[list[list[str]], dict[str, np.ndarray]]:
    """Why each text is worth reviewing (Chinese, may be empty) and a score per heuristic (0 = not applicable)."""
    t = np.array([model.thresholds[n] for n in ALL_NAMES])
    lo, hi = fold_spread(model, x)
    unseen = unseen_words(model, texts)
    n = len(texts)
    scores = {k: np.zeros(n) for k in ("near", "disagree", "conflict", "unseen")}
    why: list[list[str]] = [[] for _ in range(n)]
    gate = getattr(model, "gate", None)
    gate = t[0] if gate is None else gate  # the collection score a violation needs (models before the gate: t[0])
    dist = np.abs(_logit(proba) - _logit(t))
    # a violation score matters only where the gate could pass
    gate_open = (proba[:, 0] >= gate) | (np.abs(_logit(proba[:, 0]) - _logit(gate)) < NEAR)
    for i in range(n):
        for j, name in enumerate(ALL_NAMES):
            if j > 0 and not gate_open[i]:
                continue
            d = dist[i, j]
            if d < NEAR:
                scores["near"][i] = max(scores["near"][i], 1 - d / NEAR)
                why[i].append(f"接近阈值：{ZH[name]} {proba[i, j]:.3f}（阈值 {t[j]:.3f}）")
        for j, name in enumerate(ALL_NAMES):
            if np.isnan(lo[i, j]) or (j > 0 and not gate_open[i]):
                continue
            spread = hi[i, j] - lo[i, j]
            if spread >= SPREAD and lo[i, j] < t[j] <= hi[i, j]:
                scores["disagree"][i] = max(scores["disagree"][i], spread)
                why[i].append(f"模型内部分歧：{ZH[name]} 各折分数 {lo[i, j]:.2f}–{hi[i, j]:.2f}")
        v = proba[i, 1:] - t[1:]
        if proba[i, 0] < gate and (v >= 0).any():
            j = int(np.argmax(v)) + 1
            scores["conflict"][i] = max(0.0, proba[i, j] - proba[i, 0])
            why[i].append(f"自相矛盾：{ZH[ALL_NAMES[j]]} 分数 {proba[i, j]:.3f} 已达阈值，但{ZH[GATE.name]}分数 "
                          f"{proba[i, 0]:.3f} 低于违规判定所需的 {gate:.3f}，因此未标出")
        miss, total = unseen[i]
        if len(miss) >= UNSEEN_MIN and total and len(miss) / total >= UNSEEN_SHARE:
            scores["unseen"][i] = len(miss) / total
            shown = "、".join(miss[:5]) + ("…" if len(miss) > 5 else "")
            why[i].append(f"训练中没见过的词 {len(miss)}/{total} 个：{shown}")
    return why, scores


def _pick(scores: dict[str, np.ndarray], n: int) -> list[int]:
    """Round-robin over the heuristics (each ranked by its own score) so no single reason fills the quota."""
    queues = []
    for s in scores.values():
        idx = np.where(s > 0)[0]
        queues.append(list(idx[np.argsort(-s[idx], kind="stable")]))
    picked: list[int] = []
    seen: set[int] = set()
    while len(picked) < n and any(queues):
        for q in queues:
            while q and q[0] in seen:
                q.pop(0)
            if q and len(picked) < n:
                i = int(q.pop(0))
                seen.add(i)
                picked.append(i)
    return picked


def review(inputs: list[str], out_csv: str | Path, *, n: int = 200, model_dir=None, base=None,
           home=None) -> ReviewResult:
    """Write at most `n` messages worth labelling to `out_csv` (+ `<out>.GUIDELINE.md`).

    Texts already in the base corpus (`base`, default the shipped one) or the user corpus are not offered again;
    identical texts (after normalisation) appear once with their count in `copies`. Each picked row says why in
    `reason`: near a threshold, the per-fold calibrated models disagree across the threshold, a violation score
    reaches its threshold while the collection gate does not, or many word tokens unseen in training.
    """
    from cuishou.classify import MAX_CHARS, classify_texts
    from cuishou.model import load_model
    from cuishou.tables import write_table

    if n < 1:
        raise InputError("-n 至少为 1")
    out_csv = Path(out_csv)
    frames, notes = [], []
    for p in inputs:
        df, nn = _gather(str(p))
        frames.append(df)
        notes += nn
    allmsg = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["text"])
    allmsg["key"] = [_norm_key(t[:MAX_CHARS]) for t in allmsg["text"]]
    copies = allmsg.groupby("key", sort=False)["text"].transform("size")
    allmsg["copies"] = copies.astype(int)
    uniq = allmsg.drop_duplicates("key").reset_index(drop=True)
    known = _known_texts(base, home)
    is_known = uniq["key"].isin(known)
    cand = uniq[~is_known].reset_index(drop=True)

    model, _meta = load_model(model_dir)
    texts = [t[:MAX_CHARS] for t in cand["text"]]
    if texts:
        x = model.transform(texts)
        proba = model.proba_from_features(x)
        why, scores = _reasons(model, texts, x, proba)
        chosen = _pick(scores, n)
    else:
        why, scores, chosen = [], {}, []
    res = classify_texts(model, [texts[i] for i in chosen]) if chosen else None
    rows = cand.iloc[chosen].reset_index(drop=True)
    out = pd.DataFrame({
        "text": rows["text"],
        "collection": res["collection"].astype(int) if res is not None else [],
        "labels": res["labels"] if res is not None else [],
        **{c: (res[c] if res is not None else []) for c in P_COLUMNS},
        "reason": ["；".join(why[i]) for i in chosen],
        "evidence": res["evidence"] if res is not None else [],
        "copies": rows["copies"],
        "msg_id": rows["msg_id"], "address": rows["address"], "time": rows["time"], "source": rows["source"],
    })
    # drop context columns that are empty throughout (plain tables have no msg_id/address/time)
    out = out[[c for c in out.columns if c in REVIEW_COLUMNS or out[c].astype(str).str.strip().ne("").any()]]
    write_table(out, str(out_csv))
    guide = guideline_sidecar(out_csv)
    from cuishou.fsutil import atomic_write_text

    atomic_write_text(guide, guideline_text(out_csv.name))
    by_reason = {k: int(sum(1 for i in chosen if scores[k][i] > 0)) for k in scores}
    return ReviewResult(path=out_csv, guideline=guide, messages=len(allmsg), distinct=len(uniq),
                        already_labelled=int(is_known.sum()), picked=len(chosen), by_reason=by_reason, notes=notes)


def guideline_sidecar(out: str | Path) -> Path:
    """`to_label.csv` → `to_label.GUIDELINE.md`."""
    out = Path(out)
    return out.with_name(f"{out.stem}.GUIDELINE.md")


def guideline_text(file_name: str) -> str:
    from cuishou.paths import guideline_path

    lines = [f"# 如何填写 {file_name} / How to fill it in", "",
             "每行一条短信，`collection` 和 `labels` 已按当前模型预填，请逐行改成你认为正确的答案：", "",
             "- `collection`：1 = 与讨债/催还借款有关（包括合法的还款提醒、发给联系人的催收短信），0 = 不是催收。",
             "- `labels`：违规标签，多个用英文分号 `;` 分隔，没有违规就留空。有任何违规标签时 collection 必须是 1。",
             "- `p_*`、`reason`、`evidence` 等其余列只供参考，`cuishou train --add` 会忽略它们。",
             "- 拿不准的行请整行删除，不要猜：错误的标注会让模型变差（重新训练时的回归检查会拒绝明显变差的模型）。",
             "- 这个文件含有你的短信内容，只保存在本机；不要上传或分享。", "",
             f"改完后运行：`cuishou train --add {file_name}`", "",
             f"## 标签定义（标注规范 v{GUIDELINE_VERSION}）", "",
             f"- `{GATE.name}` {GATE.zh}：{GATE.definition}"]
    lines += [f"- `{v.name}` {v.zh}：{v.definition}" for v in VIOLATIONS]
    gp = guideline_path()
    if gp.exists():
        lines += ["", "---", "", "以下为完整标注规范 / The full annotation guideline:", "", gp.read_text("utf-8")]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------------ added rows

_ZH_TO_NAME = {v.zh: v.name for v in VIOLATIONS}


def read_labelled(path: str | Path) -> pd.DataFrame:
    """A reviewed file (the `review` format; any table `label` reads) → validated rows.

    Returns columns text, collection (int), labels (canonical), recipient, group, where ("file 第 N 行").
    Every problem is collected and raised together as one DatasetError naming file and row.
    """
    from cuishou.labels import parse_labels
    from cuishou.model.corpus import RECIPIENTS
    from cuishou.tables import read_table

    name = Path(path).name
    table = read_table(str(path))
    df = table.df
    missing = [c for c in ("collection", "labels") if c not in df.columns]
    if missing:
        raise DatasetError(f"{path}：缺少列 {', '.join(missing)}（需要 text, collection, labels 三列；"
                           "cuishou review 生成的文件可直接使用）")
    errors: list[str] = []
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        line = i + table.first_line
        where = f"{name} 第 {line} 行"
        text = str(rec[table.text_column] if rec[table.text_column] is not None else "")
        coll = str(rec["collection"] if rec["collection"] is not None else "").strip()
        labs_raw = str(rec["labels"] if rec["labels"] is not None else "").strip()
        if not text.strip() and not coll and not labs_raw:
            continue  # a blank line (spreadsheets leave them)
        if not text.strip():
            errors.append(f"{where}：短信内容为空")
            continue
        if coll in ("1.0", "0.0"):
            coll = coll[0]
        if coll not in ("0", "1"):
            errors.append(f"{where}：collection 必须是 0 或 1，实际为 {coll!r}")
            continue
        for zh, en in _ZH_TO_NAME.items():
            labs_raw = labs_raw.replace(zh, en)
        try:
            labs = parse_labels(labs_raw)
        except DatasetError as e:
            errors.append(f"{where}：{e}")
            continue
        if labs and coll == "0":
            errors.append(f"{where}：标签 {';'.join(labs)} 与 collection=0 矛盾（有违规标签就一定是催收，collection 应为 1）")
            continue
        recipient = str(rec.get("recipient") or "").strip()
        rows.append({"text": text, "collection": int(coll), "labels": ";".join(labs),
                     "recipient": recipient if recipient in RECIPIENTS else "unknown",
                     "group": str(rec.get("group") or "").strip(), "where": where})
    if errors:
        more = f"\n……另有 {len(errors) - 20} 处错误" if len(errors) > 20 else ""
        raise DatasetError(f"{path} 中有 {len(errors)} 处标注错误，未做任何改动：\n" + "\n".join(errors[:20]) + more)
    if not rows:
        raise DatasetError(f"{path}：没有可用的标注行")
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ retraining

@dataclass
class RetrainOutcome:
    version: str
    path: Path                    # the saved version folder (saved even when refused)
    accepted: bool                # the guard passed
    activated: bool               # now the default model (accepted, or refused but forced)
    forced: bool
    refusals: list[str]           # why the guard refused (empty when accepted)
    comparison: dict              # {"base_test": {"old", "new", "n"}, "user_holdout": {"old", "new", "n"}}
    table: str                    # the side-by-side table, ready to print
    added: int = 0                # new rows stored in the user corpus
    duplicates: int = 0           # rows skipped: same text and labels already in base/user corpus or repeated
    overrides_base: int = 0       # rows contradicting a base-corpus row (the user's label wins)
    updated_user: int = 0         # rows replacing an earlier user row with the same text
    user_rows: int = 0            # user corpus size after the merge
    holdout_rows: int = 0         # user rows withheld from training and used as the user test set
    withheld_rows: int = 0        # further user rows not trained on: near-duplicates of test rows
    baseline: str | None = None
    corpus_path: Path | None = None
    notes: list[str] = field(default_factory=list)


def _user_row(r: dict, src: str, today: str) -> dict:
    key = _norm_key(r["text"])
    return {"id": f"u{_sha(key)[:12]}", "text": r["text"], "collection": int(r["collection"]), "labels": r["labels"],
            "recipient": r["recipient"], "source": f"user:{src}:{today}", "licence": "user-provided",
            "guideline": GUIDELINE_VERSION, "group": f"user:{r['group']}" if r["group"] else f"user:{_sha(key)[:12]}"}


def _same(a_coll, a_labels, b_coll, b_labels) -> bool:
    return int(a_coll) == int(b_coll) and str(a_labels) == str(b_labels)


def user_holdout(groups: list[str], *, seed: int, share: float) -> np.ndarray:
    """Stable grouped hold-out of user rows: a group is held out when hash(seed, group) falls below `share`,
    so a row held out once stays held out as the user corpus grows. At least one group once there are ≥ 5."""
    h = np.array([int(_sha(f"{seed}:{g}")[:12], 16) / 16 ** 12 for g in groups]) if groups else np.zeros(0)
    mask = h < share
    if len(set(groups)) >= 5 and not mask.any():
        mask = h == h.min()
    return mask


def retrain_with(added_files: list[str | Path], *, base: str | Path | None = None, name: str = "default",
                 force: bool = False, config=None, baseline: str | Path | None = None, home=None,
                 argv: list[str] | None = None, log=lambda msg: None) -> RetrainOutcome:
    """Validate `added_files`, merge them into the user corpus, retrain, compare with the current model, guard.

    base: the base corpus (default: the shipped one, paths.base_corpus_path()).
    baseline: the model to compare against (default: the active user version, else the shipped model).
    config: default = the baseline's config (same seed ⇒ same fixed test split), else TrainConfig().
    The new version is always saved under `<home>/models/<name>/`; it becomes active (and the user corpus is
    updated) only when the guard passes or `force` is set. A refused version is kept with status "rejected".
    """
    from cuishou.fsutil import atomic_write_text, sha256_file
    from cuishou.model import TrainConfig, load_model, read_meta, save_model, train_model
    from cuishou.model.corpus import CORPUS_COLUMNS, held_out_split, label_matrix, read_corpus
    from cuishou.model.evaluate import evaluate
    from cuishou.model.registry import (active_model_dir, models_root, new_version_name, set_active,
                                        user_corpus_path)
    from cuishou.model.train import is_evaluable
    from cuishou.paths import base_corpus_path, shipped_model_dir

    if not added_files:
        raise InputError("没有给出要加入的标注文件")
    notes: list[str] = []
    # 1. the new rows, all validated before anything is written
    new_frames = []
    for f in added_files:
        df = read_labelled(f)
        df["file"] = Path(f).name
        new_frames.append(df)
    new = pd.concat(new_frames, ignore_index=True)
    new["key"] = [_norm_key(t) for t in new["text"]]
    duplicates = 0
    first: dict[str, int] = {}
    keep = []
    clash = []
    for i, r in enumerate(new.itertuples()):
        j = first.get(r.key)
        if j is None:
            first[r.key] = i
            keep.append(i)
        elif _same(new.at[j, "collection"], new.at[j, "labels"], r.collection, r.labels):
            duplicates += 1
        else:
            clash.append(f"{new.at[j, 'where']} 与 {r.where}：同一条短信标注不同"
                         f"（{new.at[j, 'collection']}/{new.at[j, 'labels'] or '无'} vs {r.collection}/{r.labels or '无'}）")
    if clash:
        raise DatasetError("加入的文件中有互相矛盾的标注，未做任何改动：\n" + "\n".join(clash[:20]))
    new = new.iloc[keep].reset_index(drop=True)

    # 2. baseline model and config (the fixed split needs the baseline's seed)
    base = Path(base) if base else base_corpus_path()
    if baseline is not None:
        baseline_dir: Path | None = Path(baseline)
    else:
        baseline_dir = active_model_dir(home)
        if baseline_dir is None:
            sd = shipped_model_dir()
            baseline_dir = sd if (sd / "meta.json").exists() else None
    baseline_meta = read_meta(baseline_dir) if baseline_dir is not None else None
    if config is None:
        config = TrainConfig.from_dict(baseline_meta["config"]) if baseline_meta and "config" in baseline_meta else TrainConfig()

    # 3. base corpus and its fixed test split (from the original texts and groups; labels do not move it)
    base_df = read_corpus(base)
    base_sha = sha256_file(base)
    base_keys = [_norm_key(t) for t in base_df["text"]]
    _clusters, base_test = held_out_split(base_df, config)
    base_label = {}
    for k, c, lab in zip(base_keys, base_df["collection"], base_df["labels"]):
        base_label.setdefault(k, (int(c), lab))

    # 4. merge with the existing user corpus (new rows replace older user rows with the same text)
    ucp = user_corpus_path(home)
    old_user = read_corpus(ucp) if ucp.exists() else pd.DataFrame(columns=list(CORPUS_COLUMNS))
    old_user = old_user[[c for c in CORPUS_COLUMNS if c in old_user.columns]]
    old_keys = {_norm_key(t): i for i, t in enumerate(old_user["text"])}
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    added_rows, replace, overrides_new = [], set(), 0
    for r in new.to_dict("records"):
        k = r["key"]
        if k in old_keys:
            o = old_user.iloc[old_keys[k]]
            if _same(o["collection"], o["labels"], r["collection"], r["labels"]):
                duplicates += 1
                continue
            replace.add(old_keys[k])
        elif k in base_label:
            if _same(*base_label[k], r["collection"], r["labels"]):
                duplicates += 1
                continue
            overrides_new += 1
        added_rows.append(_user_row(r, r["file"], today))
    updated_user = len(replace)
    user = pd.concat([old_user.drop(index=old_user.index[sorted(replace)]),
                      pd.DataFrame(added_rows, columns=list(CORPUS_COLUMNS))], ignore_index=True)
    user["collection"] = user["collection"].astype(int)
    user_csv = user[list(CORPUS_COLUMNS)].to_csv(index=False)
    user_sha = _sha(user_csv)
    if not added_rows:
        notes.append("没有新的标注（全部与已有语料相同）；仍按现有语料重新训练并对比")

    # 5. training table: base (user corrections applied in place) + user rows that are not base texts
    user_keys = [_norm_key(t) for t in user["text"]]
    corr = {k: (int(c), lab) for k, c, lab in zip(user_keys, user["collection"], user["labels"]) if k in base_label}
    eff = base_df.copy()
    overridden = np.array([k in corr and corr[k] != (int(c), lab)
                           for k, c, lab in zip(base_keys, eff["collection"], eff["labels"])], dtype=bool)
    for i in np.where(overridden)[0]:
        eff.iat[i, eff.columns.get_loc("collection")], eff.iat[i, eff.columns.get_loc("labels")] = corr[base_keys[i]]
    if overridden.any():
        in_test = int((overridden & base_test).sum())
        notes.append(f"用户标注更正了基础语料中的 {int(overridden.sum())} 条（以用户为准）"
                     + (f"，其中 {in_test} 条在固定测试集中：新旧模型都按更正后的标签评估" if in_test else ""))
    extra = user[[k not in base_label for k in user_keys]].reset_index(drop=True)
    holdout = user_holdout(extra["group"].astype(str).tolist(), seed=config.seed, share=config.test_size)
    df = pd.concat([eff[list(CORPUS_COLUMNS)], extra[list(CORPUS_COLUMNS)]], ignore_index=True)
    df["collection"] = df["collection"].astype(int)
    nb = len(eff)
    test_mask = np.concatenate([base_test, holdout])
    log(f"基础语料 {nb} 行（{base}），用户语料 {len(extra)} 行（其中 {int(holdout.sum())} 行留出作用户测试集）")

    # 6. train (the fixed split and the user hold-out are withheld) and measure old and new on the same rows
    result = train_model(df, config, test_mask=test_mask, log=log)
    texts = df["text"].astype(str).tolist()
    y = label_matrix(df)
    evaluable = is_evaluable(df)
    in_base = np.arange(len(df)) < nb
    sets = {"base_test": test_mask & in_base & evaluable, "user_holdout": test_mask & ~in_base & evaluable}
    withheld = int((~result.train_mask & ~test_mask & ~in_base).sum())
    if withheld:
        notes.append(f"另有 {withheld} 条用户短信与测试集短信近似重复，未参与训练（避免泄漏）")
    old_model = None
    if baseline_dir is not None:
        old_model, _ = load_model(baseline_dir)
        old_base = baseline_meta.get("base_corpus_sha256") or baseline_meta.get("data_sha256")
        same_cfg = all(baseline_meta.get("config", {}).get(k) == getattr(config, k)
                       for k in ("seed", "test_size", "near_dup_threshold"))
        if old_base != base_sha or not same_cfg:
            notes.append(f"注意：旧模型 {baseline_dir} 不是用同一份基础语料和划分训练的，可能见过固定测试集中的短信，"
                         "对比结果仅供参考")
    else:
        notes.append("没有可对比的旧模型（未安装随包模型，也没有已启用的版本）：新版本直接启用")
    comparison: dict = {}
    for key, mask in sets.items():
        idx = np.where(mask)[0]
        entry = {"n": int(len(idx)), "old": None, "new": None}
        if len(idx):
            tx = [texts[i] for i in idx]
            entry["new"] = evaluate(result.model, tx, y[idx])
            if old_model is not None:
                entry["old"] = evaluate(old_model, tx, y[idx])
        comparison[key] = entry

    # 7. the guard (on the fixed base split)
    refusals = guard(comparison["base_test"]["old"], comparison["base_test"]["new"])
    accepted = not refusals
    activate = accepted or force
    status = "accepted" if accepted else ("forced" if force else "rejected")

    # 8. save the version (always), then the user corpus and the active pointer (when activated)
    version = new_version_name(name, home)
    vdir = models_root(home) / name / version
    metrics = dict(result.metrics)
    metrics["test_with_user_holdout"] = metrics.pop("test", None)
    metrics["test"] = comparison["base_test"]["new"]
    metrics["user_holdout"] = comparison["user_holdout"]["new"]
    metrics["comparison"] = comparison
    baseline_key = str(baseline_dir) if baseline_dir is not None else None
    extra_meta = {
        "model_name": name, "version": version, "status": status,
        "guard": {"passed": accepted, "forced": bool(force and not accepted), "refusals": refusals,
                  "f1_tolerance": F1_TOLERANCE, "baseline": baseline_key},
        "base_corpus": str(base), "base_corpus_sha256": base_sha, "user_corpus_sha256": user_sha,
        "user_rows": int(len(user)), "user_holdout_rows": int(holdout.sum()),
        "added_files": [{"file": str(f), "sha256": sha256_file(f)} for f in added_files],
        "test_metrics": comparison["base_test"]["new"],
    }
    save_model(result.model, vdir, metrics=metrics, config=config, data_sha256=_sha(f"{base_sha}:{user_sha}"),
               n_rows=len(df), argv=argv, extra_meta=extra_meta)
    atomic_write_text(vdir / "user_corpus.csv", user_csv)
    if activate:
        if added_rows or updated_user:
            atomic_write_text(ucp, user_csv)
        set_active(f"{name}/{version}", home)
    else:
        notes.append("新标注未并入用户语料（模型被拒绝）；检查标注后可重新提交，或用 --force 强制接受")
    table = format_comparison(comparison, refusals=refusals, baseline=baseline_key)
    return RetrainOutcome(version=f"{name}/{version}", path=vdir, accepted=accepted, activated=activate,
                          forced=bool(force and not accepted), refusals=refusals, comparison=comparison, table=table,
                          added=len(added_rows), duplicates=duplicates, overrides_base=overrides_new,
                          updated_user=updated_user, user_rows=int(len(user)), holdout_rows=int(holdout.sum()),
                          withheld_rows=withheld, baseline=baseline_key, corpus_path=ucp, notes=notes)


def guard(old: dict | None, new: dict | None) -> list[str]:
    """Reasons to refuse the new model (empty ⇒ accept). No old model ⇒ nothing to regress from."""
    if old is None or new is None:
        return []
    out = []
    for name in VIOLATION_NAMES:
        o, n = old["labels"][name]["f1"], new["labels"][name]["f1"]
        if new["labels"][name].get("support", MIN_SUPPORT) < MIN_SUPPORT:
            continue  # reported in the table's footnote, not judged
        if n < o - F1_TOLERANCE - 1e-9:
            out.append(f"{ZH[name]}（{name}）F1 从 {o:.3f} 降到 {n:.3f}，降幅 {o - n:.3f} 超过 {F1_TOLERANCE}")
    lo, ln = old.get("lawful_flagged_rate"), new.get("lawful_flagged_rate")
    if lo is not None and ln is not None and ln > lo + 1e-9:
        out.append(f"合法提醒被误标的比例从 {lo:.1%} 升到 {ln:.1%}（n={new['lawful_n']}）")
    return out


# ------------------------------------------------------------------------------------------------ the table

def _w(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _w(s))


def _rows(m: dict | None) -> dict[str, float | None]:
    if m is None:
        return {}
    out = {f"{n} F1": m["labels"][n]["f1"] for n in ALL_NAMES}
    out["macro-F1"] = m["macro_f1_violations"]
    out["lawful flagged"] = m["lawful_flagged_rate"]
    out["ordinary flagged"] = m["other_flagged_rate"]
    return out


def format_comparison(comparison: dict, *, refusals: list[str] | None = None, baseline: str | None = None) -> str:
    """Side by side: per label F1 old/new/Δ, macro-F1 and the two false-flag rates, on both evaluation sets."""
    metrics = [f"{n} F1" for n in ALL_NAMES] + ["macro-F1", "lawful flagged", "ordinary flagged"]
    zh = {**{f"{n} F1": ZH[n] for n in ALL_NAMES}, "macro-F1": "违规宏平均", "lawful flagged": "合法提醒误标率↓",
          "ordinary flagged": "普通短信误标率↓"}
    sets = [("base_test", "固定测试集"), ("user_holdout", "用户留出集")]
    first_w = max(_w(f"{m} {zh[m]}") for m in metrics) + 2

    def cell(v):
        return "—" if v is None else f"{v:.3f}"

    def delta(o, n):
        return "—" if o is None or n is None else f"{n - o:+.3f}"

    head = _pad("", first_w)
    sub = _pad("metric 指标", first_w)
    for key, title in sets:
        e = comparison.get(key) or {}
        head += _pad(f"{title} (n={e.get('n', 0)})", 26)
        sub += _pad("old 旧", 8) + _pad("new 新", 8) + _pad("Δ", 10)
    lines = [head.rstrip(), sub.rstrip(), "-" * (first_w + 26 * len(sets))]
    bad = set()
    for r in refusals or []:
        for n in VIOLATION_NAMES:
            if f"（{n}）" in r:
                bad.add(f"{n} F1")
        if "合法提醒" in r:
            bad.add("lawful flagged")
    for m in metrics:
        line = _pad(f"{m} {zh[m]}", first_w)
        for key, _ in sets:
            e = comparison.get(key) or {}
            o, n = _rows(e.get("old")).get(m), _rows(e.get("new")).get(m)
            flag = " ✗" if key == "base_test" and m in bad else ""
            line += _pad(cell(o), 8) + _pad(cell(n), 8) + _pad(delta(o, n) + flag, 10)
        lines.append(line.rstrip())
    lines.append("")
    lines.append("固定测试集 = 基础语料按组留出的测试集（与随包模型相同的种子和划分；新模型从未在其上训练）。")
    lines.append("用户留出集 = 按组留出的一部分用户标注，同样不参与训练；条数少时波动大，仅供参考。")
    new_base = (comparison.get("base_test") or {}).get("new")
    if new_base:
        thin = [n for n in VIOLATION_NAMES if new_base["labels"][n]["support"] < MIN_SUPPORT]
        if thin:
            lines.append(f"固定测试集中正例少于 {MIN_SUPPORT} 条的标签不参与回归判定（F1 不可靠）：{', '.join(thin)}")
    if baseline:
        lines.append(f"旧模型：{baseline}")
    return "\n".join(lines)
