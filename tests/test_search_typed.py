"""A part of a name typed without quotes (issue 25): when the words of a Chinese run find nothing together, the
run is matched as the characters typed (:mod:`search.typed`), not relaxed to any of its words.

The planted articles are about six names jieba does not know, in varied sentences; on a slice of real news
(``../shared``, skipped without it) 17 of 18 parts of them, simplified and traditional, must put an article
holding the typed characters first without the relaxed flag.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from conftest import build_index, write_jsonl

from indexer.normalize import fold
from search import Searcher
from search.query import format_query, parse
from search.typed import quote_runs, typed_runs

XWLB = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "xwlb" / "articles.jsonl.gz"
#: Real news articles under the planted ones (the first of the corpus file).
XWLB_SLICE = 3000

#: The planted articles: a block per name, the name on its first line, then one article a line (title｜body),
#: the name in varied places and company (从岚湾港区, 在鹭栖湖湿地, 到翠峦镇 ...).
PLANTED = """
岚湾港区
岚湾港区集装箱吞吐量创新高｜记者从岚湾港区管委会获悉，今年前三季度集装箱吞吐量同比增长百分之十二，创历史同期新高。港区负责人表示，新建的两个泊位将于年底投入使用。
新航线开通 货轮直达东南亚｜本周一，一艘满载机电产品的货轮从岚湾港区驶出，标志着这条直达东南亚的新航线正式开通。当地企业说，运输时间缩短了三天。
海关推出通关便利措施｜为提升通关效率，海关在岚湾港区试行提前申报、抵港直装模式，进出口企业平均通关时间压缩到两小时以内。
沿海城市加快建设智慧港口｜在岚湾港区，无人驾驶集卡穿梭于堆场之间，远程操控的岸桥有序作业。工作人员介绍，自动化改造后作业效率提高了三成。
台风过境 各地做好防御｜受台风影响，岚湾港区暂停了全部装卸作业，港内船舶已转移到避风锚地。气象部门提醒沿海居民减少外出。
海铁联运班列首发｜一列满载进口粮食的班列昨天从岚湾港区铁路专用线发车，开往西部内陆城市。海铁联运让货物可以在港区直接换装上车。

鹭栖湖湿地
候鸟飞抵鹭栖湖湿地越冬｜入冬以来，上万只候鸟陆续飞抵鹭栖湖湿地，其中包括国家一级保护动物东方白鹳。保护区工作人员每天巡护观测，记录鸟类数量。
湿地保护条例正式施行｜条例明确，在鹭栖湖湿地等重要湿地范围内禁止开垦、填埋和排放污水。专家认为，这为湿地生态修复提供了法律保障。
市民周末赏荷游客增多｜七月荷花盛开，不少市民带着孩子来到鹭栖湖湿地，沿着栈道观赏荷景。景区增开了两条接驳公交线路。
退渔还湖 生态逐步恢复｜经过五年退渔还湖，鹭栖湖湿地的水质由劣五类提升到三类，水草重新长了出来，消失多年的白鹭又回来了。
科研团队发布湿地监测报告｜报告显示，鹭栖湖湿地共记录到鸟类二百一十六种，比十年前增加了四十多种。研究人员建议继续控制周边农业面源污染。
湿地公园举办自然教育活动｜从鹭栖湖湿地公园传来消息，小学生们跟着讲解员辨认水生植物，用望远镜观察水鸟。组织者说，希望孩子从小懂得保护自然。

翠峦镇
翠峦镇茶叶喜获丰收｜清明前后，翠峦镇的茶农忙着采摘春茶。今年全镇茶园面积达到一万二千亩，茶叶收入成为农民增收的主要来源。
山区小镇发展乡村旅游｜依托青山绿水，翠峦镇建起了民宿和农家乐，去年接待游客四十万人次。不少外出务工的年轻人回到家乡创业。
暴雨致山体滑坡 群众安全转移｜连日暴雨导致翠峦镇两个村发生山体滑坡，当地提前转移群众三百多人，未造成人员伤亡。
农村公路通到家门口｜随着最后一段硬化路面完工，从县城到翠峦镇各个行政村都通了公路，村民卖山货不再犯愁。
镇卫生院开通远程会诊｜翠峦镇卫生院与省城医院开通了远程会诊系统，村民在家门口就能请到大医院的专家看病。
非遗竹编走出大山｜从翠峦镇走出来的竹编产品通过网络销往全国各地，老艺人还把传统技艺传授给了年轻人。

沅汀大桥
沅汀大桥主桥合龙｜今天上午，沅汀大桥主桥顺利合龙，标志着这座跨江大桥建设进入冲刺阶段。大桥建成后，两岸通行时间将由一小时缩短到十分钟。
跨江大桥通车 两岸往来更便捷｜沅汀大桥正式通车，过去靠渡船往来的两岸群众如今驾车几分钟就能过江。通车首日，车流量超过两万辆次。
桥梁工程师坚守一线｜为了保证施工质量，工程师们在沅汀大桥工地一住就是三年。他们克服了江面风大、水流急等困难。
夜间施工保障工期｜入夜，沅汀大桥施工现场灯火通明，数百名工人分班作业，确保工程按计划推进。
大桥实施交通管制｜因开展年度检测，沅汀大桥将于本周六凌晨实施临时交通管制，请过往车辆提前绕行。
桥下江滩变身市民公园｜位于沅汀大桥下的江滩经过整治，建成了步道、球场和儿童乐园，成为附近居民休闲的好去处。

栖霞岭隧道
栖霞岭隧道全线贯通｜随着最后一次爆破完成，栖霞岭隧道全线贯通。这条隧道全长四点八公里，是高速公路全线的控制性工程。
隧道施工遇到复杂地质｜施工人员在栖霞岭隧道掘进中遇到断层破碎带，项目部采取超前支护等措施，确保安全通过。
春节假期车流明显增多｜春节假期，经过栖霞岭隧道的车辆明显增多，交警在隧道两端加强疏导，提醒司机保持车距。
隧道内安装智能照明｜栖霞岭隧道内新安装的智能照明系统，能根据车流和天气自动调节亮度，每年节电约三十万千瓦时。
应急演练检验救援能力｜消防、交警和医疗部门在栖霞岭隧道联合开展火灾应急演练，模拟隧道内车辆起火后的疏散和救援。
新线路缩短山区出行时间｜穿过栖霞岭隧道，从山区县城到市区只需四十分钟，比原来翻山的老路节省了一个多小时。

璟澜科技
璟澜科技发布新一代芯片｜璟澜科技今天发布了新一代人工智能芯片，算力比上一代提升一倍，功耗下降三成。公司表示，产品将率先用于智能驾驶。
科技企业加大研发投入｜去年，璟澜科技研发投入占营业收入的比重超过百分之十五，全年新申请发明专利三百余件。
高校与企业共建联合实验室｜这所大学与璟澜科技共建的联合实验室揭牌，双方将在集成电路设计和人才培养方面开展合作。
年轻工程师扎根创新一线｜毕业后，小李加入了璟澜科技的研发团队，三年时间里参与了两款芯片的设计。他说，做出自己的芯片是最大的心愿。
园区企业扩产招工｜订单增长带动用工需求，璟澜科技等园区企业今年计划新招技术工人两千名，并为新员工提供免费培训。
数字经济峰会开幕｜在数字经济峰会上，璟澜科技负责人介绍了公司在工业互联网领域的实践，吸引了众多参会企业关注。
"""

#: Parts of the six names as a reader types them, simplified and traditional.
PARTS = "湾港 灣港 湾港区 岚湾 栖湖 棲湖 鹭栖 峦镇 巒鎮 翠峦 汀大 汀大橋 沅汀 霞岭 霞岭隧道 霞嶺隧道 澜科 瀾科".split()


def planted_records() -> list[dict[str, str]]:
    """The planted articles as records (ids ``name-1`` ... ``name-6``, dated, one source)."""
    out = []
    for block in PLANTED.strip().split("\n\n"):
        name, *articles = block.splitlines()
        for k, line in enumerate(articles, 1):
            title, body = line.split("｜")
            day = f"2026-0{k}-1{k}"
            out.append({"id": f"{name}-{k}", "title": title, "body": body, "date": day, "source": "地方台"})
    return out


def holds(hit_title: str, hit_body: str, typed: str) -> bool:
    """True when the article holds the typed characters (folded, whitespace ignored)."""
    return fold(typed) in re.sub(r"\s+", "", fold(hit_title + "\n" + hit_body))


# -- a few hand-written articles (always run) ----------------------------------------------------------------

SMALL = [
    {
        "id": "port",
        "title": "岚湾港区集装箱吞吐量创新高",
        "body": "记者从岚湾港区管委会获悉，今年前三季度集装箱吞吐量同比增长百分之十二。新建的两个泊位将于年底投入使用。",
        "date": "2026-03-01",
    },
    {
        "id": "ship",
        "title": "新航线开通",
        "body": "本周一，一艘货轮从岚湾港区驶出，标志着直达东南亚的新航线正式开通。",
        "date": "2026-03-02",
    },
    {"id": "tw", "title": "嵐灣港區的夜景", "body": "從嵐灣港區望去，燈火通明。", "date": "2026-03-03"},
    {
        "id": "new",
        "title": "新港区建设加快",
        "body": "台湾海峡西岸的新港区今年投入使用，香港企业参与建设。",
        "date": "2026-03-04",
    },
    {"id": "storm", "title": "台风过境", "body": "受台风影响，沿海港口暂停装卸作业。", "date": "2026-03-05"},
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("typed-small")
    return Searcher(build_index([write_jsonl(root / "src" / "a.jsonl", SMALL)], root / "index"), cache_size=0)


@pytest.mark.parametrize("q", ["湾港", "灣港"])
def test_a_part_of_a_name_is_found_as_typed_and_marked_whole(small: Searcher, q: str) -> None:
    # jieba cuts 湾港 into 湾/港, words no article holds: the characters as typed are the answer
    result = small.search(q)
    assert not result.relaxed
    assert [h.id for h in result.hits] == ["tw", "port", "ship"]  # a short title holding it first
    tw, port, ship = result.hits
    assert port.title_html == "岚<mark>湾港</mark>区集装箱吞吐量创新高"
    assert port.snippet_html == (
        "记者从岚<mark>湾港</mark>区管委会获悉，今年前三季度集装箱吞吐量同比增长百分之十二。"
        "新建的两个泊位将于年底投入使用。"
    )
    assert tw.title_html == "嵐<mark>灣港</mark>區的夜景"  # folded: marked in the article's own characters
    assert tw.snippet_html == "從嵐<mark>灣港</mark>區望去，燈火通明。"
    assert ship.title_html == "新航线开通"
    assert (
        ship.snippet_html == "本周一，一艘货轮从岚<mark>湾港</mark>区驶出，标志着直达东南亚的新航线正式开通。"
    )


@pytest.mark.parametrize(
    ("q", "ids", "relaxed"),
    [
        ("湾港区", ["tw", "port", "ship"], False),  # not 新港区: the characters typed, not the word 港区
        ("湾港 集装箱", ["port"], False),  # with another word, which must match too
        ("湾港 -航线", ["tw", "port"], False),  # exclusions apply
        ("title:湾港", ["tw", "port"], False),
        ("湾港 date:2026-03-02", ["ship"], False),
        ("湾港 OR 台风", ["tw", "storm", "port", "ship"], False),  # an alternative of an OR as well
        ("湾港 台风", ["storm"], True),  # not found as typed either: the relaxed fallback as before
        ("港区", ["tw", "port", "ship"], False),  # words found together: as before
    ],
)
def test_as_typed_with_the_rest_of_the_query(small: Searcher, q: str, ids: list[str], relaxed: bool) -> None:
    result = small.search(q)
    assert ([h.id for h in result.hits], result.relaxed) == (ids, relaxed)


@pytest.mark.parametrize(
    ("q", "quoted"),
    [
        ("湾港", '"湾港"'),
        ("灣港 集装箱", '"灣港" "集装箱"'),
        ("G20湾港区", 'G20 "湾港区"'),
        ("湾港 -台风", '"湾港" -台风'),
        ("title:湾港 OR 台风", 'title:"湾港" OR "台风"'),
        ('"湾港" 5G', '"湾港" 5G'),  # a phrase and a term without Chinese: nothing to quote
    ],
)
def test_quote_runs(q: str, quoted: str) -> None:
    tree = parse(q)
    assert tree is not None
    assert format_query(quote_runs(tree, frozenset(typed_runs(tree)))) == quoted


def test_a_sound_alike_slip_is_still_corrected(make_index) -> None:  # type: ignore[no-untyped-def]
    # 炸骗 stands as typed in one article (爆炸骗局), 诈骗 in sixty: the slip is corrected as before, and searching
    # the characters as typed (spellcheck off: the page's link) finds that one article, not relaxed
    cases = [
        {"id": f"case{i:02d}", "title": f"第{i}起电信诈骗案件告破", "body": f"警方破获第{i}起电信诈骗案件。"}
        for i in range(60)
    ]
    boom = {"id": "boom", "title": "揭穿爆炸骗局", "body": "有人谎称发生爆炸骗取钱财。"}
    searcher = Searcher(make_index([*cases, boom]), cache_size=0)
    result = searcher.search("炸骗")
    assert (result.corrected, result.suggestion and result.suggestion.query) == (True, "诈骗")
    assert result.total == 60 and not result.relaxed
    typed = searcher.search("炸骗", spellcheck=False)
    assert ([h.id for h in typed.hits], typed.relaxed) == (["boom"], False)
    assert typed.hits[0].title_html == "揭穿爆<mark>炸骗</mark>局"


# -- parts of new names among real news (../shared) ----------------------------------------------------------


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> tuple[Searcher, dict[str, dict[str, str]]]:
    if not XWLB.exists():
        pytest.skip(f"the xwlb corpus is not at {XWLB} (../shared is absent)")
    records = []
    with gzip.open(XWLB, "rt", encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if len(records) >= XWLB_SLICE:
                break
    records += planted_records()
    root = tmp_path_factory.mktemp("typed-news")
    index = build_index([write_jsonl(root / "src" / "a.jsonl", records)], root / "index")
    return Searcher(index, cache_size=0), {r["id"]: r for r in records}


def test_parts_of_new_names_among_real_news(news: tuple[Searcher, dict[str, dict[str, str]]]) -> None:
    searcher, records = news
    missed = []
    for q in PARTS:
        result = searcher.search(q)
        first = records[result.hits[0].id] if result.hits else None
        if first is None or result.relaxed or not holds(first["title"], first["body"], q):
            missed.append(f"{q}: relaxed={result.relaxed} first={first and first['title']}")
    assert len(missed) <= 1, missed


def test_a_phrase_over_every_article_is_matched_once_per_query(
    small: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phrase matched over every article (the typed characters' phrase, for the answer and again for the
    spelling check's count) is matched once per query: the second time, and within any articles, it comes
    from the query's context, equal to a match computed there."""
    from search.nodes import Phrase

    calls: list[bool] = []
    original = Phrase._evaluate

    def counting(self: Phrase, ctx: object, within: object) -> object:
        calls.append(within is None)
        return original(self, ctx, within)  # type: ignore[arg-type]

    monkeypatch.setattr(Phrase, "_evaluate", counting)
    phrase = Phrase("body_ng", ("湾", "港"))
    snap = small._current()
    with snap.context() as ctx:
        alone = phrase.evaluate(ctx, ctx.live_docs()[::2])  # not matched everywhere yet: computed
        first, again = phrase.evaluate(ctx, None), Phrase("body_ng", ("湾", "港")).evaluate(ctx, None)
        among = phrase.evaluate(ctx, ctx.live_docs()[::2])
    assert again is first and calls == [False, True]  # the equal node's answer kept, the narrower one picked
    assert len(first.docs) == 3 and len(among.docs) >= 1
    assert among.docs.tolist() == alone.docs.tolist() and among.scores.tolist() == alone.scores.tolist()
    with snap.context() as ctx:  # a new query matches it anew
        assert phrase.evaluate(ctx, None).docs.tolist() == first.docs.tolist() and calls == [
            False,
            True,
            True,
        ]


@pytest.mark.parametrize(
    ("enough", "share", "counted"),
    [
        (0, 2, "all"),  # nothing asked: the whole count
        (1, 1, "part"),  # the newest share is every article: found there
        (1, 2, "part_or_all"),
        (4, 2, "all"),  # more than the phrase's 3 articles: the whole count, exact
    ],
)
def test_a_count_against_a_threshold_stops_once_it_is_reached(
    small: Searcher, enough: int, share: int, counted: str
) -> None:
    """The spelling check only asks whether a run of characters stands together in ``enough`` articles:
    ``count_reaching`` counts the newest share of the articles first and the whole only when that is short."""
    from search.nodes import Phrase, count_reaching

    phrase = Phrase("body_ng", ("湾", "港"))
    with small._current().context() as ctx:
        live = ctx.live_docs()
        whole = len(phrase._evaluate(ctx, None))
        newest = len(phrase._evaluate(ctx, live[len(live) - len(live) // share :]))
        got = count_reaching(phrase, ctx, enough, share=share, least=1)
    assert whole == 3
    expected = {"all": whole, "part": newest, "part_or_all": newest if newest >= enough else whole}[counted]
    assert got == expected and (got >= enough) == (whole >= enough)
