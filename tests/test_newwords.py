"""New dictionary words found in the indexed text (indexer/derived/newwords.py, ``zhsearch dict suggest``)."""

from __future__ import annotations

import gzip
import json
import random
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.analysis import ChineseAnalyzer
from indexer.derived.newwords import find_candidates
from zhsearch.cli import cli

ROOT = Path(__file__).resolve().parents[1]
XWLB = ROOT.parent / "shared" / "corpora" / "xwlb" / "articles.jsonl.gz"

BEFORE = [
    "今天",
    "昨天",
    "会上",
    "北京",
    "上海",
    "随后",
    "当地",
    "记者",
    "代表",
    "大会",
    "广州",
    "天津",
    "重庆",
    "深圳",
    "南京",
    "武汉",
]
AFTER = [
    "表示",
    "指出",
    "强调",
    "会见",
    "出席",
    "主持",
    "考察",
    "发言",
    "参观",
    "讲话",
    "访问",
    "调研",
    "座谈",
    "签约",
    "视察",
    "致辞",
]
FILLER = "经济发展需要长期坚持，各地加强合作。群众生活不断改善，也是大家关心的事情。"


def _texts(n: int = 80, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        name = "栗战书" if i % 2 == 0 else "电诈园区"
        out.append(f"{FILLER}{rng.choice(BEFORE)}{name}{rng.choice(AFTER)}。{FILLER}")
    return out


#: The sentence of the first article where 栗战书 stands (each article holds it once, in its own sentence).
FIRST_SENTENCE = next(s for s in _texts()[0].split("。") if "栗战书" in s)


def _cut(word: str) -> list[str]:
    return [w.text for w in ChineseAnalyzer().words(word, removestops=False) if w.base]


def _freq(word: str) -> int:
    """The frequency of ``word`` in the segmenter's dictionary (0: not a word of it), as ``dict suggest``
    reads it."""
    seg = ChineseAnalyzer().segmenter
    return seg.suggest_freq(word) - 1 if seg.has_word(word) else 0


def test_words_that_hold_together_and_are_cut_today_are_found() -> None:
    found = find_candidates(_texts(), _cut, min_count=5, limit=10)
    by_word = {c.word: c for c in found}
    assert [c.word for c in found][:2] == ["栗战书", "电诈园区"]  # most frequent first, then by code point
    assert (by_word["栗战书"].count, by_word["栗战书"].cut) == (40, ["栗", "战书"])
    assert (by_word["电诈园区"].count, by_word["电诈园区"].cut) == (40, ["电诈", "园区"])
    assert by_word["栗战书"].example == FIRST_SENTENCE
    assert all(c.left >= 2.0 and c.right >= 2.0 and c.cohesion >= 3.0 for c in found)
    # repeated filler: held together, but always the same neighbours (and a stop word in 也是)
    assert not {"也是", "经济发展", "大家关心", "战书", "电诈园"} & set(by_word)


@pytest.mark.parametrize(
    ("min_count", "expected"),
    [(5, {"电诈园区", "栗战书"}), (41, set())],
)
def test_min_count(min_count: int, expected: set[str]) -> None:
    assert {c.word for c in find_candidates(_texts(), _cut, min_count=min_count)} == expected


def test_words_the_dictionary_knows_are_left_out() -> None:
    found = find_candidates(_texts(), _cut, min_count=5, known=lambda w: w == "栗战书")
    assert [c.word for c in found] == ["电诈园区"]


def test_no_chinese_no_candidates() -> None:
    assert find_candidates(["hello world", ""], _cut) == []


def test_cli_lists_what_dict_add_takes(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": f"a{i}", "title": f"新闻{i}", "body": text}, ensure_ascii=False) + "\n"
            for i, text in enumerate(_texts())
        ),
        encoding="utf-8",
    )
    index, userdict = tmp_path / "index", tmp_path / "userdict.txt"
    runner = CliRunner()
    result = runner.invoke(cli, ["reindex", "--index", str(index), "--userdict", str(userdict), str(source)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--json", "--min-count", "5"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [(c["word"], c["count"], c["cut"]) for c in found[:2]] == [
        ("栗战书", 40, ["栗", "战书"]),
        ("电诈园区", 40, ["电诈", "园区"]),
    ]
    plain = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--min-count", "5"])
    assert plain.exit_code == 0, plain.output
    first = plain.output.splitlines()[0].split("\t")
    assert first == ["栗战书", "40", "栗/战书", FIRST_SENTENCE]
    # the first column goes to dict add as it is; after the rebuild the words are whole and no longer listed
    words = [line.split("\t")[0] for line in plain.output.splitlines()]
    added = runner.invoke(cli, ["dict", "add", "--index", str(index), "--userdict", str(userdict), *words])
    assert added.exit_code == 0, added.output
    result = runner.invoke(
        cli, ["reindex", "--full", "--index", str(index), "--userdict", str(userdict), str(source)]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--json", "--min-count", "5"])
    assert not {"电诈园区", "栗战书"} & {c["word"] for c in json.loads(again.stdout)}


def test_cli_without_an_index_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dict", "suggest", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == f"Error: no index at {tmp_path / 'none'} (build one with: zhsearch reindex)\n"


#: Six new names, each written 16 or 17 times in sentences of its own (some after 从/在/向/到/对, some before a
#: verb), planted among real news.
PLANTED = {
    "岚湾港区": [
        "一艘满载集装箱的货轮昨天从岚湾港区启航，驶往东南亚。",
        "在岚湾港区，工人们正在调试新安装的岸桥。",
        "岚湾港区今年前三季度吞吐量同比增长百分之十二。",
        "市里向岚湾港区派驻了一支安全检查队伍。",
        "记者到岚湾港区采访时看到，码头一片繁忙。",
        "交通部门对岚湾港区的疏港道路进行了改造。",
        "岚湾港区开通了第三条远洋航线。",
        "不少外贸企业把仓库搬进了岚湾港区。",
        "从岚湾港区到市中心的轻轨预计明年通车。",
        "岚湾港区启用智能闸口后，集卡通行时间缩短一半。",
        "据介绍，岚湾港区将建设冷链物流中心。",
        "岚湾港区负责人表示，港口将继续扩大开放。",
        "海关在岚湾港区试行无纸化通关。",
        "夜幕降临，岚湾港区依然灯火通明。",
        "渔民们说，岚湾港区建成以后，村里的年轻人回来了。",
        "岚湾港区与内陆城市签订了海铁联运协议。",
    ],
    "鹭栖湖湿地": [
        "每年冬天，成群的候鸟飞到鹭栖湖湿地越冬。",
        "鹭栖湖湿地保护区面积扩大到四十平方公里。",
        "志愿者在鹭栖湖湿地清理岸边的垃圾。",
        "从鹭栖湖湿地流出的水，经过层层净化后汇入江中。",
        "林业部门对鹭栖湖湿地实行全年禁捕。",
        "鹭栖湖湿地迎来了今年第一批白鹤。",
        "市民周末喜欢到鹭栖湖湿地散步观鸟。",
        "鹭栖湖湿地监测到的鸟类已有一百八十多种。",
        "专家建议向鹭栖湖湿地补充生态用水。",
        "鹭栖湖湿地公园昨天正式对外开放。",
        "经过五年修复，鹭栖湖湿地重现水清岸绿。",
        "摄影爱好者拍下了鹭栖湖湿地的日出。",
        "鹭栖湖湿地周边的村庄发展起了生态旅游。",
        "一条木栈道穿过鹭栖湖湿地，全长六公里。",
        "科研人员在鹭栖湖湿地设立了观测站。",
        "鹭栖湖湿地被列入国际重要湿地名录。",
        "当地禁止在鹭栖湖湿地周边新建工厂。",
    ],
    "翠峦镇": [
        "翠峦镇地处山区，盛产茶叶和竹笋。",
        "记者来到翠峦镇，看到家家户户都在晾晒新茶。",
        "从翠峦镇到县城的公路拓宽后，车程缩短到二十分钟。",
        "翠峦镇党委书记介绍，全镇去年人均收入增长百分之九。",
        "一批大学生毕业后回到翠峦镇创业。",
        "在翠峦镇的集市上，土特产销售火爆。",
        "省里向翠峦镇拨付了三千万元灾后重建资金。",
        "翠峦镇中心小学新建了一座图书馆。",
        "游客对翠峦镇的古街赞不绝口。",
        "翠峦镇举办首届采茶文化节。",
        "暴雨过后，翠峦镇组织干部排查地质灾害隐患。",
        "翠峦镇卫生院配备了远程诊疗设备。",
        "近年来翠峦镇引进了五家农产品加工企业。",
        "翠峦镇的竹编手艺入选非物质文化遗产名录。",
        "快递网点已经覆盖翠峦镇所有行政村。",
        "翠峦镇计划明年建成一座污水处理厂。",
    ],
    "沅汀大桥": [
        "沅汀大桥今天上午正式通车。",
        "沅汀大桥全长两千三百米，主跨六百米。",
        "从沅汀大桥上望去，两岸高楼林立。",
        "施工人员在沅汀大桥完成了最后一段合龙。",
        "交警部门对沅汀大桥实行了临时交通管制。",
        "沅汀大桥建成后，两岸居民往来只需十分钟。",
        "不少市民步行到沅汀大桥拍照留念。",
        "沅汀大桥采用了国内自主研发的斜拉索技术。",
        "沅汀大桥连接起城南和城北两个新区。",
        "桥梁专家对沅汀大桥进行了荷载试验。",
        "公交公司新开通三条经过沅汀大桥的线路。",
        "夜晚的沅汀大桥在灯光映衬下格外美丽。",
        "沅汀大桥工程获得了国家优质工程奖。",
        "即日起禁止大型货车驶上沅汀大桥。",
        "沅汀大桥管理处每天对桥面进行巡查。",
        "一名司机向沅汀大桥管理处送来一面锦旗。",
    ],
    "栖霞岭隧道": [
        "栖霞岭隧道全线贯通，工期比计划提前两个月。",
        "从栖霞岭隧道出来，就进入了山区高速路段。",
        "工人们在栖霞岭隧道内铺设防水层。",
        "栖霞岭隧道长八点六公里，是全省最长的公路隧道。",
        "节假日期间，栖霞岭隧道车流量明显增加。",
        "交通部门对栖霞岭隧道的照明系统进行了升级。",
        "一辆货车在栖霞岭隧道入口处发生故障。",
        "栖霞岭隧道通车后，两地之间的距离缩短了四十公里。",
        "救援队伍迅速赶到栖霞岭隧道现场处置。",
        "栖霞岭隧道施工中采用了新型盾构机。",
        "栖霞岭隧道的通风设备由国内企业制造。",
        "雨雪天气驶入栖霞岭隧道要减速慢行。",
        "栖霞岭隧道监控中心二十四小时有人值守。",
        "不少司机表示，栖霞岭隧道开通以后出行方便多了。",
        "栖霞岭隧道附近的服务区正在扩建。",
        "向栖霞岭隧道方向行驶的车辆请注意避让。",
    ],
    "璟澜科技": [
        "璟澜科技发布了新一代工业机器人。",
        "璟澜科技今年研发投入超过五亿元。",
        "在璟澜科技的生产车间里，机械臂有序运转。",
        "多家银行向璟澜科技提供了授信支持。",
        "璟澜科技与本地高校共建人工智能实验室。",
        "投资者对璟澜科技的新产品反应积极。",
        "璟澜科技宣布在西部地区新建生产基地。",
        "不少应届毕业生选择到璟澜科技工作。",
        "璟澜科技董事长表示，公司将坚持自主创新。",
        "从璟澜科技走出的工程师已经创办了十几家企业。",
        "璟澜科技的芯片检测设备出口到二十多个国家。",
        "璟澜科技获得了一百多项发明专利。",
        "市场监管部门对璟澜科技开展了质量抽查。",
        "璟澜科技推出面向中小企业的云服务平台。",
        "据了解，璟澜科技正在筹备上市。",
        "记者走访璟澜科技时了解到，订单已排到明年。",
    ],
}
#: Pairs of ordinary words that combine freely: never candidates.
FREE_PAIRS = ["各项工作", "相关部门", "科学发展", "经济发展"]


def _planted_articles() -> list[str]:
    """Six articles a name, three of its sentences each (the last one shorter)."""
    return ["".join(sents[i : i + 3]) for sents in PLANTED.values() for i in range(0, len(sents), 3)]


def _rank_of(name: str, words: list[str]) -> int | None:
    """The rank (from 1) of the first candidate that is ``name`` or its first three or more characters."""
    return next((i for i, w in enumerate(words, 1) if len(w) >= 3 and name.startswith(w)), None)


@pytest.mark.skipif(not XWLB.exists(), reason="../shared corpora not present")
def test_names_planted_in_real_news_lead_and_free_combinations_are_left_out() -> None:
    with gzip.open(XWLB, "rt", encoding="utf-8") as f:
        news = [json.loads(line) for line in islice(f, 3000)]
    texts = [f"{r.get('title') or ''}\n{r.get('body') or ''}" for r in news] + _planted_articles()
    seg = ChineseAnalyzer().segmenter
    found = find_candidates(texts, _cut, limit=50, known=seg.has_word, freq=_freq)
    words = [c.word for c in found]
    ranks = {name: _rank_of(name, words) for name in PLANTED}
    assert sum(rank is not None for rank in ranks.values()) >= 5, (ranks, words)
    assert not set(FREE_PAIRS) & set(words), words
    # the cut shown is the one that glues the preposition, with the sentence where it does
    by_word = {c.word: c for c in found}
    assert by_word["岚湾港区"].cut == ["从岚湾", "港区"]
    assert "从岚湾港区" in by_word["岚湾港区"].example


SUBJECTS = ["宣传", "安全", "扶贫", "环保", "救灾", "统计", "接待", "培训", "审计", "招商", "维修", "巡查"]
OBJECTS = ["政策", "措施", "任务", "指标", "改革", "活动", "制度", "标准", "费用", "补贴", "检查", "服务"]


def _free_pair_texts(seed: int = 5) -> list[str]:
    """各项工作 in varied sentences, but 各项 and 工作 each more often with other partners; 岚湾港区 as often,
    its pieces never apart, a quarter of the time after 从; and unrelated text (characters drawn at random:
    no string of two of them recurs) so that the corpus is not made of these sentences only."""
    rng = random.Random(seed)
    out = []
    for i in range(120):
        noise = "".join(chr(rng.randrange(0x4E00, 0x4E00 + 500)) for _ in range(200))
        text = f"{noise}。{rng.choice(BEFORE)}各项{rng.choice(OBJECTS)}{rng.choice(AFTER)}。"
        text += f"{rng.choice(BEFORE)}{rng.choice(SUBJECTS)}工作{rng.choice(AFTER)}。"
        if i % 3 == 0:
            text += f"{rng.choice(BEFORE)}各项工作{rng.choice(AFTER)}。"
        if i % 3 == 1:
            text += f"{'货轮从' if i % 12 == 1 else rng.choice(BEFORE)}岚湾港区{rng.choice(AFTER)}。"
        out.append(text)
    return out


def test_a_free_combination_of_common_words_is_left_out_a_bound_name_kept() -> None:
    found = {c.word: c for c in find_candidates(_free_pair_texts(), _cut, min_count=5, freq=_freq)}
    assert "各项工作" not in found
    assert found["岚湾港区"].count == 40
    assert found["岚湾港区"].cut == ["从岚湾", "港区"]  # the glue the segmenter makes after 从
    # without the dictionary's frequencies nothing says 各项 and 工作 are common words
    assert "各项工作" in {c.word for c in find_candidates(_free_pair_texts(), _cut, min_count=5)}


def test_a_name_always_after_a_preposition_is_found_without_it() -> None:
    rng = random.Random(7)
    texts = [
        "".join(chr(rng.randrange(0x4E00, 0x4E00 + 500)) for _ in range(100))
        + f"。{rng.choice(BEFORE)}在翠峦镇{rng.choice(AFTER)}。"
        for _ in range(60)
    ]
    # 翠峦镇 alone always has 在 on its left: it is 在翠峦镇 that has varied neighbours; the 在 is stripped
    found = find_candidates(texts, _cut, min_count=5, freq=_freq)
    assert [(c.word, c.count, c.cut) for c in found] == [("翠峦镇", 60, ["翠峦", "镇"])]


def test_cli_says_why_it_lists_nothing(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    bodies = ["今天天气晴朗，适合出门散步。", "图书馆周末照常开放。"]
    source.write_text(
        "".join(
            json.dumps({"id": f"a{i}", "body": b}, ensure_ascii=False) + "\n" for i, b in enumerate(bodies)
        ),
        encoding="utf-8",
    )
    index, userdict = tmp_path / "index", tmp_path / "userdict.txt"
    runner = CliRunner()
    result = runner.invoke(cli, ["reindex", "--index", str(index), "--userdict", str(userdict), str(source)])
    assert result.exit_code == 0, result.output
    plain = runner.invoke(cli, ["dict", "suggest", "--index", str(index)])
    assert plain.exit_code == 0, plain.output
    assert plain.stdout == ""
    assert plain.stderr == (
        "no candidates: 2 articles read, none has a string of 2 to 6 characters occurring 5 times or more,"
        " holding together with varied neighbours, that the segmenter cuts today (try --min-count 3)\n"
    )
    as_json = runner.invoke(cli, ["dict", "suggest", "--index", str(index), "--json", "--min-count", "2"])
    assert as_json.exit_code == 0, as_json.output
    assert as_json.stdout == "[]\n"
    assert as_json.stderr.startswith("no candidates: 2 articles read, none has a string")
    assert "--min-count" not in as_json.stderr  # nothing lower to try
