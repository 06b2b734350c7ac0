"""Query-side word handling of the relaxed fallback: question words, and words the index does not know.

Both apply only to the relaxed (any-word) query, :meth:`search.relaxed.RelaxedQueries._relaxed`, which runs when no
article holds every word: a keyword query whose words all match gets the same results as without them.

* **Question words** are what a question asks with, not what it asks about: ``北京冬奥会是哪一年举办的？`` is
  about 北京冬奥会 and 举办, and an article that happens to hold 哪一年 is no better for it. They are left out
  when the question has anything else. The list holds jieba's base words as the analyzer segments questions
  (什么时候, 哪一年, 哪些地方 are one word); a short word starting with 哪 or 什么 is one too (哪部, 什么样 ...).
* **Unknown words**: jieba's HMM glues an unknown name to a neighbouring character, and differently in a
  question than in the article (梦野久作出生 -> 梦野久/作出/生; 工业上乙二醛 -> 上乙二醛). A Chinese query word no
  article holds is matched as an exact phrase of its characters and by its longest known pieces.

Measured on the CMRC 2018 questions: ``bench/results/relevance.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from indexer.analysis import HAN_CLASS

QUESTION_WORDS: frozenset[str] = frozenset(
    """什么 谁 谁的 多少 多久 多长 多大 多高 多远 多重 多深 多宽 几 几个 几年 几次 几种 几位 几岁 几天 几名
    为什么 为何 如何 怎么 怎样 怎么样 怎么办 何时 何地 何处 何人 何种 何为 何年 何方 是否 是不是 有没有 吗 呢 嘛
    哪 什么""".split()
)
#: A word of at most :data:`PREFIX_MAX_LEN` characters starting with one of these is a question word.
QUESTION_PREFIXES: tuple[str, ...] = ("哪", "什么")
PREFIX_MAX_LEN = 4


def is_question_word(word: str) -> bool:
    """True for a question word (folded text, as the analyzer gives it)."""
    return word in QUESTION_WORDS or (len(word) <= PREFIX_MAX_LEN and word.startswith(QUESTION_PREFIXES))


def without_question_words(words: Sequence[str]) -> list[str]:
    """``words`` without the question words, unless nothing else is left (then all of them)."""
    kept = [w for w in words if not is_question_word(w)]
    return kept or list(words)


_HAN_RE = re.compile(f"[{HAN_CLASS}]+")
#: Unknown words longer than this are left as they are (a split costs a lookup per substring).
SPLIT_MAX_LEN = 8
#: An unknown word is also matched as an exact phrase of its characters.
EXACT_UNKNOWN = True


def known_parts(word: str, doc_frequency: Callable[[str], int]) -> list[str]:
    """The longest pieces (2+ characters) of a Chinese word that the index knows, none inside another.

    jieba's HMM glues unknown names to a neighbouring character, and differently in a question than in the
    article: 工业上乙二醛 gives 上乙二醛 where the article has 乙二醛, 白岳峰现效力 gives 白岳峰现 for 白岳峰. Such a
    query word matches nothing; its known pieces do.
    """
    n = len(word)
    if n < 3 or n > SPLIT_MAX_LEN or not _HAN_RE.fullmatch(word):
        return []
    chosen: list[tuple[int, int]] = []
    for length in range(n - 1, 1, -1):
        for i in range(n - length + 1):
            j = i + length
            if any(a <= i and j <= b for a, b in chosen):
                continue
            if doc_frequency(word[i:j]) > 0:
                chosen.append((i, j))
    return [word[i:j] for i, j in sorted(chosen)]


def relaxed_words(
    words: Sequence[str], doc_frequency: Callable[[str], int] | None = None
) -> list[tuple[str, bool]]:
    """The words a relaxed query uses for ``words`` (folded base words), each with ``exact``: True for a word
    to match as an exact phrase of its characters.

    Question words are left out unless nothing else is left; with ``doc_frequency`` (articles holding a word in
    the body), a Chinese word no article holds is kept as exact and followed by its known pieces
    (:func:`known_parts`).
    """
    kept = without_question_words(words)
    if doc_frequency is None or SPLIT_MAX_LEN == 0:
        return [(w, False) for w in kept]
    out: list[tuple[str, bool]] = []
    for w in kept:
        if doc_frequency(w) == 0 and _HAN_RE.fullmatch(w) and len(w) >= 2:
            out.append((w, EXACT_UNKNOWN))
            out.extend((p, False) for p in known_parts(w, doc_frequency))
        else:
            out.append((w, False))
    return out
