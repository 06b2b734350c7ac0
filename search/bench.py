"""Query latency: ``python -m search.bench INDEX [QUERIES_FILE]`` prints p50/p95/max per query.

Each query runs once to warm up and then ``--repeat`` times; the figure is the wall time of
``Searcher.search`` (top 10 with snippets and facets), as a web request would pay it. Without a queries file
a built-in mix of typical news queries is used (keywords, phrases, exclusions, OR, fields, dates, and
natural-language questions that go through the relaxed fallback).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from search.searcher import Searcher

TYPICAL = """习近平
经济
一带一路
疫情防控
乡村振兴
中国 美国
脱贫攻坚
高质量发展
"新冠肺炎"
雄安新区
人工智能
碳达峰 碳中和
粤港澳大湾区
长江经济带
科技创新 -美国
疫情 date:2020
奥运会 OR 冬奥会
title:国务院
台湾
香港 国安法
两会
外交部 回应
5G
北斗
嫦娥五号
空间站
扶贫 date:2018..2019
"人类命运共同体"
反腐败
军队 改革
农业 粮食 丰收
国务院常务会议
新闻联播
防汛 抗旱
垃圾分类
(上海 OR 北京) 进博会
生态环境 保护
"一国两制"
改革开放四十周年
中美 贸易
党史学习教育
抗美援朝
全面建成小康社会
共同富裕
数字经济
高铁
春运
国际联播快讯
联合国 大会
俄罗斯 乌克兰
朝鲜半岛
中非合作
金砖国家
上海合作组织
"中国式现代化"
冬奥会 date:2022-02
title:(习近平 OR 李克强) 会见
source:央视 经济
创新驱动发展战略
新型城镇化
""".splitlines()

QUESTIONS = """国务院总理在政府工作报告中提出的经济增长预期目标是多少？
嫦娥五号从月球带回了多少克月壤？
北京冬奥会是哪一年举办的？
粤港澳大湾区包括哪些城市？
中国空间站的核心舱叫什么名字？
哪个国家最先承认中华人民共和国？
长江经济带发展座谈会在哪里召开？
雄安新区是什么时候设立的？
一带一路倡议是在哪一年提出的？
全国脱贫攻坚总结表彰大会是什么时候举行的？
港珠澳大桥全长多少公里？
第二届进博会有多少个国家参展？
中国第一艘国产航母叫什么？
北斗三号全球卫星导航系统何时正式开通？
新冠肺炎疫情最早在哪里报告？
中国共产党第二十次全国代表大会在什么时间召开？
国家主席习近平出席了哪些国际会议？
今年夏粮总产量是多少？
三峡工程的主要作用是什么？
天问一号探测器着陆在火星的什么地方？
""".splitlines()


def run(index: Path, queries: list[str], repeat: int) -> dict[str, float]:
    searcher = Searcher(index)
    times: list[float] = []
    for q in queries:
        searcher.search(q)
        for _ in range(repeat):
            t0 = time.perf_counter()
            searcher.search(q)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "queries": len(queries),
        "runs": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "mean_ms": round(statistics.fmean(times), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="Index directory.")
    parser.add_argument(
        "queries", type=Path, nargs="?", help="Queries, one a line (default: a built-in mix)."
    )
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs per query.")
    args = parser.parse_args()
    if args.queries:
        queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
        print(json.dumps(run(args.index, queries, args.repeat)))
        return
    keywords = [q for q in TYPICAL if q.strip()]
    questions = [q for q in QUESTIONS if q.strip()]
    print("keywords ", json.dumps(run(args.index, keywords, args.repeat)))
    print("questions", json.dumps(run(args.index, questions, args.repeat)))
    print("all      ", json.dumps(run(args.index, keywords + questions, args.repeat)))


if __name__ == "__main__":
    main()
