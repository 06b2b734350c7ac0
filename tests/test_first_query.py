"""A query pays for nothing once per process that it could skip: ``np.unique`` without indices imports
``numpy.ma`` on its first call (``np.ma.is_masked``, 15-20 ms), which the bench saw as one query's spike hundreds
of queries in. The query path dedups its ascending arrays itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import build_index, write_jsonl

ROOT = Path(__file__).resolve().parent.parent


def test_searching_does_not_import_numpy_ma(tmp_path: Path) -> None:
    docs = [
        {"id": f"d{i}", "title": f"美中关系{i}", "body": f"美中双方……气温 {i}℃，会谈在北京举行。" * (i + 1)}
        for i in range(12)
    ]
    index = build_index([write_jsonl(tmp_path / "a.jsonl", docs)], tmp_path / "index")
    script = (
        "import sys\n"
        "from search import Searcher\n"
        f"s = Searcher({str(index)!r}, cache_size=0)\n"
        "for q in ['美中', '美中 会谈', '\"美中双方\"', '北京 -气温', 'meizhong']:\n"
        "    assert s.search(q).total >= 0\n"
        "print('numpy.ma' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
