"""The array pass over a chunk gives exactly the tokens of the analyzers, text by text."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from indexer.analysis import ChineseTokenizer, get_segmenter, unit_positions
from indexer.normalize import fold
from indexer.segments.chunkarrays import FieldPostings, unit_postings, value_postings, word_postings

SAMPLE = Path(__file__).parent.parent / "index_data" / "articles" / "cmrc2018-wikipedia.jsonl"

TRICKY = [
    "",
    "，，a",
    "。",
    "a",
    "打、、！追",
    "欺诈，騙窝点",
    "iPhone 16, COVID-19疫情😀",
    "㎏級ＡＢＣ",
    "中文゠国",
    "ｉＰｈｏｎｅ１６",
    "a_b a-b a.b a'b a/b 李·白",
    "\U00020000\U0002a6d6𠀀 Ω≈ç √ 😀😀 x²",
    "e\u0301 cafe\u0301 ﬁ ﬀ",
    "  \n\t 中 \n\n 文 ",
    "「引号」『书名』（括号）【方括号】——破折号……省略号",
    "123,456.78 3.14% 2025-03-06 10:30",
    "한국어 テスト カタカナ ｶﾀｶﾅ",
]


def _sample_texts(n: int = 120) -> list[str]:
    texts = []
    with SAMPLE.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            texts.extend([rec.get("title") or "", rec.get("body") or rec.get("context") or ""])
            if len(texts) >= n:
                break
    return texts + TRICKY


def _per_document(fp: FieldPostings, n: int) -> list[dict]:
    out: list[dict] = [{} for _ in range(n)]
    for t, term in enumerate(fp.terms):
        for k in range(int(fp.starts[t]), int(fp.starts[t + 1])):
            d = int(fp.docs[k])
            if fp.positions is not None and fp.pos_starts is not None:
                poses = fp.positions[fp.pos_starts[k] : fp.pos_starts[k + 1]].tolist()
                assert len(poses) == fp.freqs[k]
                out[d][term] = poses
            else:
                out[d][term] = int(fp.freqs[k])
    return out


def test_unit_postings_are_unit_positions_of_each_text() -> None:
    texts = _sample_texts()
    fp = unit_postings([fold(t) for t in texts])
    assert fp.terms == sorted(fp.terms) and len(set(fp.terms)) == len(fp.terms)
    got = _per_document(fp, len(texts))
    for d, text in enumerate(texts):
        n, poses = unit_positions(text)
        assert (got[d], int(fp.lengths[d])) == (dict(poses), n), text[:40]


def test_word_postings_are_the_analyzer_words_of_each_text() -> None:
    texts = _sample_texts()
    fp = word_postings([fold(t) for t in texts], get_segmenter().cut_for_search)
    assert fp.terms == sorted(fp.terms)
    tokenizer = ChineseTokenizer(())
    got = _per_document(fp, len(texts))
    for d, text in enumerate(texts):
        words = tokenizer.word_texts(text)
        assert (got[d], int(fp.lengths[d])) == (dict(Counter(words)), len(words)), text[:40]


@pytest.mark.parametrize("texts", [[], [""], ["", ""], ["，。"], ["中", "", "中"]])
def test_degenerate_chunks(texts: list[str]) -> None:
    for fp in (unit_postings(texts), word_postings(texts, get_segmenter().cut_for_search)):
        assert len(fp.lengths) == len(texts)
        assert int(fp.starts[-1]) == len(fp.docs)
        assert fp.lengths.sum() == fp.freqs.sum()
    if texts == ["中", "", "中"]:
        fp = unit_postings(texts)
        assert fp.terms == ["中"] and fp.docs.tolist() == [0, 2] and fp.positions.tolist() == [0, 0]


def test_value_postings_group_terms_and_sum_frequencies() -> None:
    items = [(0, b"b", 1), (0, b"a", 2), (1, b"b", 1), (3, b"a", 1), (3, b"a", 4)]
    fp = value_postings(items, 4)
    assert fp.terms == [b"a", b"b"]
    assert fp.starts.tolist() == [0, 2, 4]
    assert fp.docs.tolist() == [0, 3, 0, 1]
    assert fp.freqs.tolist() == [2, 5, 1, 1]
    assert fp.lengths.tolist() == [3, 1, 0, 5]
    assert np.issubdtype(fp.docs.dtype, np.integer)
