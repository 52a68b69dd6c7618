"""findings: per-sender / per-platform patterns, with numbers and law tags, on hand-built labelled tables."""
from __future__ import annotations

import pandas as pd
from report_checks import labelled_table

from cuishou.findings import (compute_findings, digits_of, local_times, platform_signature, prepare,
                              recipient_cue)

A, B, C = "13800000201", "+8613800000102", "13800000103"


def _by(findings, kind, subject=None):
    return [f for f in findings if f.kind == kind and (subject is None or f.subject == subject)]


def test_local_time_uses_each_rows_zone():
    t = labelled_table([
        {"address": A, "time_utc": "2025-12-10T15:30:00.000Z", "body": "x"},
        {"address": A, "time_utc": "2025-12-10T15:30:00.000Z", "body": "x", "tz": "Europe/London"},
    ])
    lt = local_times(t)
    assert [str(x) for x in lt] == ["2025-12-10 23:30:00", "2025-12-10 15:30:00"]


def test_night_counts_22_to_08_local_and_states_numbers():
    t = labelled_table([
        {"address": A, "time_utc": "2025-12-10T14:00:00Z", "body": "还钱", "labels": "threat"},   # 22:00 local
        {"address": A, "time_utc": "2025-12-10T23:59:00Z", "body": "还钱", "collection": 1},      # 07:59 local
        {"address": A, "time_utc": "2025-12-11T00:00:00Z", "body": "还钱", "collection": 1},      # 08:00: day
        {"address": A, "time_utc": "2025-12-11T13:59:00Z", "body": "还钱", "collection": 1},      # 21:59: day
        {"address": A, "time_utc": "2025-12-11T14:30:00Z", "body": "你好", "collection": 0},      # not collection
    ])
    night = _by(compute_findings(t), "night", A)
    assert len(night) == 1
    f = night[0]
    assert f.tag == "night" and f.numbers["night_messages"] == 2 and f.numbers["messages"] == 4
    assert f.numbers["nights"] == 1                      # 22:00 and 07:59 next morning are one night
    assert "4 条催收短信中有 2 条" in f.detail and "2025-12-10" in f.detail


def test_frequency_and_burst_give_count_and_span_not_adjectives():
    rows = [{"address": A, "time_utc": f"2025-12-12T02:0{m}:00Z", "body": "接电话", "collection": 1} for m in (0, 3, 6)]
    rows.append({"address": A, "time_utc": "2025-12-14T02:00:00Z", "body": "还钱", "labels": "threat"})
    fs = compute_findings(labelled_table(rows))
    per_day = _by(fs, "per_day", A)[0]
    assert per_day.tag == "frequency"
    assert per_day.numbers["messages"] == 4 and per_day.numbers["max_per_day"] == 3 and per_day.numbers["flagged"] == 1
    assert "2025-12-12 至 2025-12-14" in per_day.detail and "多次" not in per_day.detail
    burst = _by(fs, "burst", A)[0]
    assert burst.numbers["bursts"] == 1 and burst.numbers["largest"] == 3 and burst.numbers["largest_minutes"] == 6
    assert len(burst.msg_ids) == 3


def test_no_frequency_finding_for_two_messages_on_two_days():
    rows = [{"address": A, "time_utc": f"2025-12-1{d}T02:00:00Z", "body": "还钱", "collection": 1} for d in (1, 3)]
    assert not _by(compute_findings(labelled_table(rows)), "per_day")


def test_several_numbers_for_one_platform():
    t = labelled_table([
        {"address": A, "time_utc": "2025-12-10T02:00:00Z", "body": "【速借宝】您已逾期", "collection": 1},
        {"address": B, "time_utc": "2025-12-11T02:00:00Z", "body": "您已逾期，速还。【速借宝】", "collection": 1},
        {"address": B, "time_utc": "2025-12-12T02:00:00Z", "body": "【速借宝】再不还就上门", "labels": "threat"},
        {"address": C, "time_utc": "2025-12-12T03:00:00Z", "body": "【另一家】您已逾期", "collection": 1},
    ])
    mn = _by(compute_findings(t), "multi_number")
    assert len(mn) == 1
    f = mn[0]
    assert f.subject == "【速借宝】" and f.tag == "multi_number"
    assert f.numbers["per_number"] == {A: 1, B: 2}
    assert B in f.detail  # numbers verbatim, +86 kept


def test_third_party_recipient_from_text_cues_and_own_name():
    t = labelled_table([
        {"address": C, "time_utc": "2025-12-21T02:30:00Z", "body": "您好，您是王磊的紧急联系人，请转告他尽快还款。",
         "labels": "third_party"},
        {"address": C, "time_utc": "2025-12-22T02:30:00Z", "body": "张伟，你的借款已逾期。", "collection": 1},
    ])
    fs = compute_findings(t, own_name="张伟")
    f = _by(fs, "third_party_recipient", C)[0]
    assert f.numbers["messages"] == 1 and f.tag == "third_party_recipient"
    assert recipient_cue("张伟，你的借款已逾期。", "张伟") == ("borrower", "张伟")
    assert recipient_cue("你朋友李四在我司借款逾期", None)[0] == "third_party"
    assert recipient_cue("你欠款不还我们就告诉你的同事", None)[0] == "unknown"


def test_own_numbers_and_sent_messages_are_not_collectors():
    t = labelled_table([
        {"address": "+86 138 0000 0001", "time_utc": "2025-12-10T15:00:00Z", "body": "还钱", "labels": "threat"},
        {"address": A, "time_utc": "2025-12-10T15:00:00Z", "body": "我会还的", "collection": 1, "direction": "out"},
    ])
    assert compute_findings(t, own_numbers=["13800000001"]) == []
    assert digits_of("+86 138-0000-0001") == "13800000001"


def test_calls_count_connected_and_unanswered_and_use_call_status_when_given():
    calls = [{"address": A, "time_utc": f"2025-12-17T13:{m:02d}:00Z", "body": "", "kind": "call",
              "call_duration_s": d} for m, d in ((30, 0.0), (34, 0.0), (38, 0.0), (42, 0.0), (46, 45.0))]
    rows = [{"address": A, "time_utc": "2025-12-17T14:50:00Z", "body": "接电话", "collection": 1}, *calls]
    f = _by(compute_findings(labelled_table(rows)), "calls", A)[0]
    assert f.tag == "calls"
    assert (f.numbers["calls"], f.numbers["connected"], f.numbers["unanswered"]) == (5, 1, 4)
    assert "未说明是未接还是拒接" in f.detail
    typed = [dict(c, call_status=t) for c, t in zip(calls, ("missed", "rejected", "blocked", "missed", "answered"))]
    rows2 = [rows[0], *typed]
    f2 = _by(compute_findings(labelled_table(rows2)), "calls", A)[0]
    assert (f2.numbers["missed"], f2.numbers["rejected"], f2.numbers["unanswered"]) == (2, 2, 0)


def test_calls_from_numbers_that_never_sent_collection_sms_are_ignored():
    t = labelled_table([{"address": "13800000502", "time_utc": "2025-12-17T13:00:00Z", "body": "", "kind": "call",
                         "call_duration_s": 300.0}])
    assert compute_findings(t) == []


def test_platform_signature_and_prepare_flags():
    assert platform_signature("【速借宝】您好") == "【速借宝】"
    assert platform_signature("您好[易借花]") == "【易借花】"
    assert platform_signature("没有署名") == ""
    t = prepare(labelled_table([{"address": A, "time_utc": "", "body": "还钱", "labels": "insult"}]))
    assert bool(t["flagged"].iat[0]) and pd.isna(t["local_dt"].iat[0])
