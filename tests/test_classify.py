import numpy as np
import pandas as pd

from cuishou import classify
from cuishou.classify import classify_messages, classify_texts, parse_evidence
from cuishou.schema import LABEL_COLUMNS, MESSAGE_COLUMNS


def test_columns_and_dedup(tiny_model):
    model, _ = tiny_model
    texts = ["再不还钱就去你家堵门", "您的验证码是1234", "再不还钱就去你家堵门"]
    out = classify_texts(model, texts)
    assert list(out.columns) == list(LABEL_COLUMNS)
    assert out.iloc[0].to_dict() == out.iloc[2].to_dict()


def test_parallel_equals_serial(tiny_model, monkeypatch):
    model, _ = tiny_model
    texts = [f"再不还钱就去你家堵门 单号{i}" if i % 2 else f"您的验证码是{i}" for i in range(60)]
    serial = classify_texts(model, texts, n_jobs=1)
    monkeypatch.setattr(classify, "PARALLEL_MIN", 10)
    parallel = classify_texts(model, texts, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_violation_implies_collection_and_evidence_names_flagged_labels(tiny_model):
    model, _ = tiny_model
    out = classify_texts(model, ["你不还钱就等着坐牢吧，已经准备立案抓你", "老赖，欠钱不还你还是人吗", "好的，收到"])
    for r in out.itertuples():
        if r.labels:
            assert r.collection == 1
            ev = parse_evidence(r.evidence)
            assert set(ev) <= set(r.labels.split(";")) and ev, r
            assert all(ev.values())


def test_long_message_is_clipped_not_fatal(tiny_model):
    model, _ = tiny_model
    out = classify_texts(model, ["还钱" * 3_000_000])  # a 6-million-character "message"
    assert len(out) == 1


def test_classify_messages_accounts_for_every_row(tiny_model):
    model, _ = tiny_model
    rows = []
    for i, (kind, body) in enumerate([("sms", "老赖还钱"), ("call", ""), ("sms", "  "), ("mms", "快递到了")]):
        rows.append({c: "" for c in MESSAGE_COLUMNS} | {"kind": kind, "body": body, "msg_id": str(i),
                                                          "blocked": False, "call_duration_s": np.nan})
    out = classify_messages(pd.DataFrame(rows), model)
    assert out["label_status"].tolist() == ["labelled", "通话记录", "空内容", "labelled"]
    assert out["collection"].isna().tolist() == [False, True, True, False]


def test_evidence_phrases_read_as_in_the_text(tiny_model):
    """No digit placeholders, edge punctuation, or joined-word spaces in evidence phrases."""
    model, _ = tiny_model
    out = classify_texts(model, ["再不还钱就去你家堵门，让你邻居都看看！身份证3201**1234", "老赖，欠钱不还你还是人吗？"])
    for ev in out["evidence"]:
        for phrases in parse_evidence(ev).values():
            for ph in phrases:
                assert ph and ph[0] not in "0*,.!?，。！？ " and ph[-1] not in "0*,.!?，。！？ " and " " not in ph, ph
