"""The query language: parsing into a syntax tree (table-driven), dates, and never raising."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import (
    MAX_DEPTH,
    And,
    DateSpan,
    Match,
    Not,
    Or,
    Phrase,
    Text,
    format_query,
    parse,
    parse_date_value,
    tokenize,
)

# (query as typed, canonical form of the parsed tree)
PARSE_CASES = [
    # words and runs
    ("电信网络诈骗", "电信网络诈骗"),
    ("电信 诈骗", "电信 诈骗"),
    ("  电信\u3000诈骗  ", "电信 诈骗"),  # ideographic space separates
    ("电信-诈骗", "电信-诈骗"),  # "-" inside a word is not an operator
    ("", ""),
    ("   ", ""),
    # phrases, all quote styles
    ('"诈骗窝点"', '"诈骗窝点"'),
    ("“诈骗窝点”", '"诈骗窝点"'),
    ("「诈骗窝点」", '"诈骗窝点"'),
    ("『诈骗窝点』", '"诈骗窝点"'),
    ("＂诈骗窝点＂", '"诈骗窝点"'),  # full-width quote
    ('"电信 诈骗" 缅北', '"电信 诈骗" 缅北'),
    ('电信"诈骗窝点"', '电信 "诈骗窝点"'),  # a word glued to a phrase stays a separate term
    ("“诈骗窝点“", '"诈骗窝点"'),  # IMEs mix curly quotes
    ('""', ""),  # empty phrase: nothing
    ('"  "', ""),
    # exclusion
    ("-缅北", "-缅北"),
    ("诈骗 -缅北", "诈骗 -缅北"),
    ('诈骗 -"诈骗窝点"', '诈骗 -"诈骗窝点"'),
    ("诈骗 -(缅北 OR 柬埔寨)", "诈骗 -(缅北 OR 柬埔寨)"),
    ("诈骗 NOT 缅北", "诈骗 -缅北"),
    ("诈骗 －缅北", "诈骗 -缅北"),  # full-width minus
    ("诈骗 +缅北", "诈骗 缅北"),  # "+" means nothing
    ("--缅北", "--缅北"),  # a doubled minus is text (the analyzer drops it)
    # OR and grouping
    ("电信 OR 诈骗", "电信 OR 诈骗"),
    ("电信 | 诈骗", "电信 OR 诈骗"),
    ("电信|诈骗", "电信 OR 诈骗"),
    ("电信｜诈骗", "电信 OR 诈骗"),
    ("a b OR c", "(a b) OR c"),
    ("a (b OR c)", "a (b OR c)"),
    ("（电信 OR 诈骗） 缅北", "(电信 OR 诈骗) 缅北"),
    ("电信 or 诈骗", "电信 or 诈骗"),  # lower-case "or" is a word (a stop word, dropped later)
    ("电信 AND 诈骗", "电信 诈骗"),
    ("((a b)) c", "a b c"),
    # fields
    ("title:诈骗", "title:诈骗"),
    ("Title:诈骗", "title:诈骗"),
    ("title：诈骗", "title:诈骗"),  # full-width colon
    ('title:"诈骗窝点"', 'title:"诈骗窝点"'),
    ("title:(电信 OR 诈骗)", "title:电信 OR title:诈骗"),
    ("-title:缅北 诈骗", "-title:缅北 诈骗"),
    ("source:新华社", "source:新华社"),
    ('source:"CCTV 新闻联播"', 'source:"CCTV 新闻联播"'),
    ("source:(新华社 OR 人民日报)", "source:新华社 OR source:人民日报"),
    ("category:国内 诈骗", "category:国内 诈骗"),
    ("date:2024", "date:2024-01-01..2024-12-31"),
    ("date:2024-02", "date:2024-02-01..2024-02-29"),
    ("date:2024-03-05", "date:2024-03-05..2024-03-05"),
    ("date:2024-01..2024-06", "date:2024-01-01..2024-06-30"),
    ("date:2024-06..2024-01", "date:2024-01-01..2024-06-30"),  # reversed: swapped
    ("date:2024..", "date:2024-01-01.."),
    ("date:..2024-06", "date:..2024-06-30"),
    ("date:2024/3/5", "date:2024-03-05..2024-03-05"),
    ("date:2024年3月", "date:2024-03-01..2024-03-31"),
    ("-date:2024 诈骗", "-date:2024-01-01..2024-12-31 诈骗"),
    # malformed input, read literally
    ('"诈骗窝点', "诈骗窝点"),  # unbalanced quote dropped
    ('诈骗 "窝点 缅北', "诈骗 窝点 缅北"),
    ("「诈骗窝点", "诈骗窝点"),
    ("(电信 诈骗", "电信 诈骗"),  # unclosed parenthesis
    ("电信 诈骗)", "电信 诈骗"),  # unmatched parenthesis
    (")))(((", ""),
    ("()", ""),
    ("电信 OR", "电信"),  # dangling OR
    ("OR 电信", "电信"),
    ("电信 OR OR 诈骗", "电信 OR 诈骗"),
    ("OR", ""),
    ("|", ""),
    ("-", "-"),  # lone operators are text (nothing survives the analyzer)
    ("+", "+"),
    ("- 电信", "- 电信"),
    ("NOT", "NOT"),
    ("电信 NOT", "电信 NOT"),
    ("title:", "title:"),  # nothing after the field: the plain word
    ("title: 诈骗", "title: 诈骗"),
    ("source:", "source:"),
    ("foo:bar", "foo:bar"),  # unknown field: text
    ("http://example.com/a", "http://example.com/a"),
    ("date:2024-13", "date:2024-13"),  # not a date: text
    ("date:昨天", "date:昨天"),
    ("date:2024..2025..2026", "date:2024..2025..2026"),
    ("！！！？？？", "!!!???"),
    ("😀😀😀", "😀😀😀"),
]


@pytest.mark.parametrize(("query", "expected"), PARSE_CASES)
def test_parse(query: str, expected: str) -> None:
    assert format_query(parse(query)) == expected


def test_parse_tree_shapes() -> None:
    assert parse("电信 诈骗") == And((Text("电信"), Text("诈骗")))
    assert parse('title:"诈骗窝点"') == Phrase("诈骗窝点", "title")
    assert parse("-缅北") == Not(Text("缅北"))
    assert parse("a OR b") == Or((Text("a"), Text("b")))
    assert parse("source:新华社") == Match("source", "新华社")
    assert parse("date:2024-03") == DateSpan(date(2024, 3, 1), date(2024, 3, 31))
    assert parse("title:(a b)") == And((Text("a", "title"), Text("b", "title")))
    assert parse("") is None


def test_deep_nesting_is_flattened_not_recursed() -> None:
    query = "(" * 200 + "电信" + ")" * 50
    assert format_query(parse(query)) == "电信"
    assert format_query(parse("(" * (MAX_DEPTH + 3) + "a OR b")) == "a OR b"
    assert format_query(parse("NOT " * 60 + "电信")).endswith("电信")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2024-2", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2023-02", (date(2023, 2, 1), date(2023, 2, 28))),
        ("2024-02-29", (date(2024, 2, 29), date(2024, 2, 29))),
        ("2024年12月31日", (date(2024, 12, 31), date(2024, 12, 31))),
        ("2024..2025", (date(2024, 1, 1), date(2025, 12, 31))),
        ("..2024", (None, date(2024, 12, 31))),
        ("2023-02-29", None),
        ("2024-00", None),
        ("24", None),
        ("0999", None),
        ("2024-", None),
        ("..", None),
        ("abc..2024", None),
    ],
)
def test_date_values(value: str, expected: tuple[date | None, date | None] | None) -> None:
    span = parse_date_value(value)
    assert (None if span is None else (span.start, span.end)) == expected


def test_tokenize_operators_need_a_term_start() -> None:
    kinds = [t.kind for t in tokenize('a -b "c" (d) | e OR f')]
    assert kinds == ["WORD", "NEG", "WORD", "PHRASE", "LPAREN", "WORD", "RPAREN", "OR", "WORD", "OR", "WORD"]
    assert [t.value for t in tokenize("x-y a:b")] == ["x-y", "a:b"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('电信诈骗ab -"“”「」()（）|:：ORNTtitle源date2024.. 😀')), max_size=80
    )
)
def test_parse_never_raises(query: str) -> None:
    node = parse(query)
    assert node is None or isinstance(format_query(node), str)
