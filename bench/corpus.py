"""The benchmark corpus: a JSONL slice of the xwlb news corpus, or a small generated one for tests.

The xwlb corpus lives in ``../shared/corpora/xwlb/articles.jsonl.gz`` (read-only, never shipped). Every engine
indexes the same slice: the first ``limit`` records, written uncompressed to the work directory so that no
engine pays for gzip, and with ``scale`` K > 1 repeated K times, each copy with a new id and url (``-r2``,
``-r3``, ...), so that every engine indexes K times as many articles while the queries still come from the
original records.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "xwlb" / "articles.jsonl.gz"


@dataclass(frozen=True)
class Slice:
    """The records every engine indexes (``path``: the original ``records`` ``scale`` times), and their size."""

    path: Path
    #: The original records (the queries are derived from these), without the copies of a scale > 1.
    records: list[dict[str, Any]]
    #: UTF-8 bytes of title + body over everything in ``path``: the "raw text" that index sizes and MB/s refer to.
    text_bytes: int
    scale: int = 1

    @property
    def count(self) -> int:
        """The articles in ``path``: the original records times the scale."""
        return len(self.records) * self.scale

    @property
    def text_mb(self) -> float:
        return self.text_bytes / 1e6


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a ``.jsonl`` or ``.jsonl.gz`` file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def text_of(record: dict[str, Any]) -> str:
    return f"{record.get('title') or ''}\n{record.get('body') or ''}"


def make_slice(source: Path, workdir: Path, limit: int | None, scale: int = 1) -> Slice:
    """The first ``limit`` records of ``source`` (all when None), ``scale`` times, as ``workdir/articles.jsonl``."""
    records: list[dict[str, Any]] = []
    for record in iter_records(source):
        if limit is not None and len(records) >= limit:
            break
        records.append(record)
    return write_slice(records, workdir, scale)


def write_slice(records: list[dict[str, Any]], workdir: Path, scale: int = 1) -> Slice:
    """``records`` and their ``scale - 1`` copies (:func:`copy_of`) as ``workdir/articles.jsonl``."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "articles.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        for k in range(2, scale + 1):
            for i, record in enumerate(records):
                fh.write(json.dumps(copy_of(record, i, k), ensure_ascii=False) + "\n")
    size = sum(len(text_of(r).encode("utf-8")) for r in records)
    return Slice(out, records, size * scale, scale)


def copy_of(record: dict[str, Any], index: int, k: int) -> dict[str, Any]:
    """Copy ``k`` (2, 3, ...) of the ``index``-th record: the same text under the id ``<id>-r<k>`` (a record
    without an id: ``bench-<index>-r<k>``; the loaders derive a missing id from the url) and, when it has one,
    the url with ``#r<k>``, so that no engine takes it for the original."""
    copy = dict(record)
    raw = record.get("id")
    base = (str(raw).strip() if raw is not None else "") or f"bench-{index}"
    copy["id"] = f"{base}-r{k}"
    if isinstance(record.get("url"), str) and record["url"].strip():
        copy["url"] = f"{record['url'].strip()}#r{k}"
    return copy


# -- a small generated corpus (tests, and machines without ../shared) ---------------------------------------

_WORDS = (
    "经济 发展 改革 开放 创新 科技 人工智能 数字 农业 粮食 丰收 乡村 振兴 城市 交通 高铁 铁路 机场 港口 "
    "生态 环境 保护 污染 治理 长江 黄河 森林 草原 海洋 气候 能源 电力 光伏 风电 教育 学校 医疗 卫生 "
    "疫情 防控 疫苗 医院 文化 旅游 体育 奥运会 冬奥会 足球 会议 国务院 外交部 发言人 合作 贸易 投资 "
    "市场 企业 工业 制造业 出口 进口 就业 收入 消费 金融 银行 政策 法律 安全 国防 军队 航天 空间站 "
    "卫星 北斗 火箭 月球 探测 网络 通信 互联网 数据 平台 香港 澳门 台湾 北京 上海 广东 浙江 四川 "
    "新疆 西藏 联合国 美国 俄罗斯 欧洲 非洲 东盟 会见 访问 讲话 强调 指出 推进 加强 落实 举行 召开"
).split()
_ASCII = ("5G", "APEC", "G20", "GDP", "WTO", "CPI")
_SOURCES = ("新闻联播", "新华社")


def generate(path: Path, n: int = 200, seed: int = 7) -> Path:
    """Write ``n`` made-up Chinese news records (fields as in xwlb) to ``path``; deterministic."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            title_words = rng.sample(_WORDS, rng.randint(3, 6))
            if i % 10 == 0:
                title_words.insert(1, rng.choice(_ASCII))
            sentences = []
            for _ in range(rng.randint(3, 8)):
                words = rng.sample(_WORDS, rng.randint(5, 12))
                if rng.random() < 0.3:
                    words = title_words[:2] + words
                sentences.append("".join(words) + rng.choice("，。；"))
            record = {
                "id": f"gen-{i:05d}",
                "title": "".join(title_words),
                "body": "".join(sentences).rstrip("，；") + "。",
                "date": f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 19:00:00",
                "source": rng.choice(_SOURCES),
                "url": f"https://example.com/news/{i}",
                "keywords": ",".join(title_words[:3]),
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
