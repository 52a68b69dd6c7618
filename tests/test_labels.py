import pytest

from cuishou.errors import DatasetError
from cuishou.labels import ALL_NAMES, VIOLATION_NAMES, ZH, category_zh, join_labels, parse_labels


def test_registry_order_and_names():
    assert ALL_NAMES[0] == "collection"
    assert VIOLATION_NAMES == ("threat", "third_party", "insult", "privacy", "impersonation")
    assert all(ZH[n] for n in ALL_NAMES)


def test_parse_canonical_order_and_separators():
    assert parse_labels("insult;threat") == ("threat", "insult")
    assert parse_labels("privacy；third_party") == ("third_party", "privacy")
    assert parse_labels("") == () and parse_labels(float("nan")) == ()


def test_unknown_label_names_row():
    with pytest.raises(DatasetError, match="第 7 行.*violence"):
        parse_labels("violence", row=7)


def test_join_and_category():
    assert join_labels({"impersonation", "threat"}) == "threat;impersonation"
    assert category_zh(1, ()) == "合法催收提醒"
    assert category_zh(0, ()) == "普通短信"
    assert "威胁" in category_zh(1, ("threat",))
