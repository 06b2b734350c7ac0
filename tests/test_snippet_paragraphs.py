"""Snippets join paragraphs as Chinese is read: no ASCII space after 。 or at a line break after a Chinese
character; a space where Latin text needs one (search/snippets.py, issue 26)."""

from __future__ import annotations

import pytest

from search.highlights import HighlightTerm
from search.snippets import Highlighter, opening

BODY = "警方通报了案件进展。\n\n截至目前，已抓获嫌疑人12名。\n下一步将继续追查\n涉案资金去向。"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (BODY, "警方通报了案件进展。截至目前，已抓获嫌疑人12名。下一步将继续追查涉案资金去向。"),
        ("第一段结束。\r\n\r\n　第二段开头。", "第一段结束。第二段开头。"),
        ("他说：「走吧。」\n\n大家都笑了。", "他说：「走吧。」大家都笑了。"),
        ("发布会上，  发言人介绍了情况。", "发布会上，发言人介绍了情况。"),
        ("报道称 iPhone 16 销量\n上升。", "报道称 iPhone 16 销量上升。"),
        ("The report\nsays so. 第二句。", "The report says so. 第二句。"),
        ("版本 2.0\n发布。", "版本 2.0 发布。"),
    ],
)
def test_opening_joins_chinese_lines_without_a_space(body: str, expected: str) -> None:
    assert opening(body) == expected


def test_marked_snippet_across_paragraphs() -> None:
    marker = Highlighter([])  # no words: the opening
    assert marker.snippet(BODY) == opening(BODY)
    found = Highlighter([HighlightTerm("进展", 0)]).snippet(BODY)
    assert (
        found == "警方通报了案件<mark>进展</mark>。截至目前，已抓获嫌疑人12名。下一步将继续追查涉案资金去向。"
    )
