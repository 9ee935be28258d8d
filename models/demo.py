"""Demo data: a realistic fictional township (or a county-sized database for benchmarks).

``build_demo(path, "township")`` fills an empty database with one special action
(2026年根治欠薪冬季专项行动 of 青山县青山镇), its leading group and seven workstreams with
members, employers and projects, about 150 wage-arrears cases registered over the last ten
weeks, 3,000 workers named in them and their repayments. All dates are relative to ``today``
so the demo always looks current: older cases are mostly closed, recent ones are still being
verified, a few are overdue or stalled, and about 60 % of the money has been repaid. The
other modules' demo rows (the workstreams' ledgers, the Monday meetings) are added on top.

``build_demo(path, "county")`` writes the same shape at county size (100,000 cases,
1,000,000 workers) in bulk mode (``store.bulk``): rows go in with ``executemany`` and
precomputed values; per-row triggers and secondary indexes are set aside inside the one
transaction and put back, byte for byte, at the end; the case roll-ups come from a GROUP BY
over the workers and both full-text indexes are filled from the tables with INSERT … SELECT
(what FTS5's 'rebuild' does), batch by batch while a second thread generates the next rows;
a single audit row records the load.

Everything is drawn from ``random.Random(seed)``: a seed and a ``today`` give the same data
(apart from the UUIDs and timestamps of the few rows written through ``models.campaign``).
Nothing here imports Qt.
"""
from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import random
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

from models import audit
from models.campaign import create_campaign, default_phases, set_leading_group, set_members
from models.db import Store
from models.ledgers.cases import CHANNELS, REASONS, RESOLUTION_PATHS, SOURCES
from models.rules.credit_code import make_credit_code
from models.rules.idcard import make_valid_id
from models.rules.workdays import WorkCalendar, before_spring_festival, parse_schedule_text

Progress = Callable[[int, int, str], None]

__all__ = ["build_demo", "SCALES"]

DEMO_USER = "演示数据"
_BULK_CACHE = -262144   # KiB of page cache during a bulk build
TOWN = "青山镇"
COUNTY = "青山县"
GOV = "青山镇人民政府"


@dataclass(frozen=True)
class _Scale:
    cases: int
    workers: int
    bulk: bool                  # bulk mode: triggers off; roll-ups and FTS filled from the tables
    big_share: float            # share of listed cases with 30+ workers (重大)
    big_range: tuple[int, int]
    split_repayments: bool      # a worker may be paid in two instalments
    employers: int = 0          # 0: the township's hand-written list
    projects: int = 0
    chunk: int = 2000           # cases generated and written per step


SCALES: dict[str, _Scale] = {
    "township": _Scale(cases=150, workers=3000, bulk=False, big_share=0.13, big_range=(30, 150),
                       split_repayments=True, chunk=1000),
    "county": _Scale(cases=100_000, workers=1_000_000, bulk=True, big_share=0.05, big_range=(30, 90),
                     split_repayments=False, employers=1800, projects=700, chunk=2000),
}

# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------
# Weighted by repetition: common surnames (and those frequent in north-east Sichuan) first.
_SURNAMES = ("王王王王李李李李张张张刘刘刘陈陈陈杨杨杨黄黄赵赵吴吴周周徐孙马朱胡郭何何何林罗罗罗高郑梁谢宋唐唐"
             "许韩冯邓邓曹彭曾肖田董袁潘蒋蔡余余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹"
             "孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万严武戴向汤苟蒲岳伍冉鲜母文敬庞")
_GIVEN_M = "伟强军勇杰涛明超华平刚林波斌辉建国德福贵成海文志春荣忠全兵峰亮鹏龙云飞俊东洪永祥发财良义学顺安江山清中生金宝元富昌松柏"
_GIVEN_F = "芳秀英华丽敏静燕霞娟兰琴梅红艳玲萍桂凤琼蓉莉群翠珍春慧婷玉云芬菊琳素淑莲"

# Residence areas of the workers: mostly north-east Sichuan, a few from Chongqing and further.
_AREAS = (["511322"] * 6 + ["511902"] * 5 + ["511921"] * 5 + ["511923"] * 4 + ["511922"] * 3
          + ["510722"] * 3 + ["511321"] * 3 + ["511381"] * 2 + ["511303"] * 2 + ["511304"]
          + ["511623", "511602", "510623", "500235", "500236", "500101", "421126", "522121"])

_CONSTRUCTION_TRADES = (["钢筋工"] * 5 + ["木工"] * 5 + ["泥瓦工"] * 5 + ["架子工"] * 3 + ["电焊工"] * 2
                        + ["普工"] * 7 + ["水电工"] * 3 + ["油漆工"] * 2 + ["混凝土工"] * 2 + ["防水工"]
                        + ["抹灰工"] * 2 + ["机械操作工"] + ["杂工"] * 2)
_TRADE_RATE_YUAN = {"钢筋工": (300, 420), "木工": (300, 420), "泥瓦工": (280, 400), "架子工": (280, 380),
                    "电焊工": (320, 450), "普工": (180, 260), "水电工": (280, 400), "油漆工": (250, 350),
                    "混凝土工": (240, 330), "防水工": (250, 350), "抹灰工": (260, 360), "机械操作工": (320, 450),
                    "杂工": (160, 230)}
_OTHER_TRADES = {
    "制造业": ["缝纫工", "普工", "普工", "包装工", "质检员", "搬运工", "机修工"],
    "农业": ["养殖工", "采摘工", "普工", "饲养员", "农机手"],
    "交通运输业": ["分拣员", "司机", "装卸工", "快递员"],
    "住宿和餐饮业": ["厨师", "服务员", "洗碗工", "帮厨"],
    "居民服务业": ["保洁员", "家政服务员", "保安"],
    "批发和零售业": ["营业员", "理货员", "送货员"],
    "采矿业": ["石材切割工", "装载机司机", "普工"],
}
_BANKS = (("6228", "中国农业银行"), ("6228", "中国农业银行"), ("6217", "中国建设银行"),
          ("6217", "中国邮政储蓄银行"), ("6230", "四川农商银行"), ("6230", "四川农商银行"))
_MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 157 158 159 166 "
                    "173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199").split()

# (name, kind, industry, dept code of the credit code): kind "lab" 劳务/专业分包, "gc" 总承包, "own" 建设单位, "biz" other
_TOWN_EMPLOYERS = [
    ("巴中市华厦建工集团有限公司", "gc", "建筑业", "91"),
    ("四川蜀道路桥工程有限公司", "gc", "建筑业", "91"),
    ("四川川东建设工程有限公司", "gc", "建筑业", "91"),
    ("南充市嘉陵建筑工程有限公司", "gc", "建筑业", "91"),
    ("青山县恒通市政工程有限公司", "gc", "建筑业", "91"),
    ("青山县顺达水利水电工程有限公司", "gc", "建筑业", "91"),
    ("青山县宏达建筑劳务有限公司", "lab", "建筑业", "91"),
    ("青山县鑫源建筑劳务有限公司", "lab", "建筑业", "91"),
    ("青山县永固劳务有限公司", "lab", "建筑业", "91"),
    ("青山县美居装饰工程有限公司", "lab", "建筑业", "91"),
    ("四川锦程钢结构工程有限公司", "lab", "建筑业", "91"),
    ("巴中市通川园林绿化工程有限公司", "lab", "建筑业", "91"),
    ("四川华兴电力安装工程有限公司", "lab", "建筑业", "91"),
    ("四川锦绣置业有限公司", "own", "房地产业", "91"),
    ("青山县恒丰房地产开发有限公司", "own", "房地产业", "91"),
    ("青山县佳美服装加工厂", "biz", "制造业", "92"),
    ("青山县兴农生猪养殖专业合作社", "biz", "农业", "93"),
    ("青山县金穗农业开发有限公司", "biz", "农业", "91"),
    ("青山县宏图石材有限公司", "biz", "采矿业", "91"),
    ("四川顺丰达物流有限公司青山分部", "biz", "交通运输业", "91"),
    ("青山县福满楼餐饮有限公司", "biz", "住宿和餐饮业", "91"),
    ("青山县绿源茶业有限公司", "biz", "农业", "91"),
    ("青山县鑫隆页岩砖厂", "biz", "制造业", "92"),
    ("青山县安心家政服务有限公司", "biz", "居民服务业", "91"),
    ("青山镇好又多超市", "biz", "批发和零售业", "92"),
    ("青山县蜀香食品有限公司", "biz", "制造业", "91"),
]
# (project, 建设单位, 总承包, 分包, 政府投资, 合同额 万元, 地址)
_TOWN_PROJECTS = [
    ("青山镇安置房二期工程", "青山县城乡建设投资有限公司", "巴中市华厦建工集团有限公司", "青山县宏达建筑劳务有限公司", 1, 18600, "青山镇滨河路"),
    ("青山镇污水管网改造工程", "青山县住房和城乡建设局", "青山县恒通市政工程有限公司", "青山县鑫源建筑劳务有限公司", 1, 3260, "青山镇场镇"),
    ("友谊水库灌区渠系工程", "青山县水利局", "青山县顺达水利水电工程有限公司", "青山县永固劳务有限公司", 1, 4580, "青山镇友谊村、石桥村"),
    ("江口水乡游客中心工程", "青山县文化广播电视和旅游局", "四川川东建设工程有限公司", "青山县美居装饰工程有限公司", 1, 2150, "青山镇江口村"),
    ("青山镇中心小学教学楼改扩建工程", "青山县教育和科学技术局", "南充市嘉陵建筑工程有限公司", "青山县永固劳务有限公司", 1, 1280, "青山镇学府街"),
    ("G347线青山镇过境段改建工程", "青山县交通运输局", "四川蜀道路桥工程有限公司", "青山县鑫源建筑劳务有限公司", 1, 9600, "青山镇"),
    ("锦绣华府住宅小区二期", "四川锦绣置业有限公司", "巴中市华厦建工集团有限公司", "青山县宏达建筑劳务有限公司", 0, 12500, "青山镇新华街"),
    ("青山镇农贸市场改造工程", GOV, "青山县恒通市政工程有限公司", "青山县宏达建筑劳务有限公司", 1, 860, "青山镇正街"),
    ("青山镇高标准农田建设项目", "青山县农业农村局", "青山县顺达水利水电工程有限公司", "巴中市通川园林绿化工程有限公司", 1, 2400, "青山镇双河村、白果村"),
    ("青山镇卫生院住院综合楼工程", "青山县卫生健康局", "四川川东建设工程有限公司", "四川华兴电力安装工程有限公司", 1, 3100, "青山镇健康路"),
    ("青山工业园区标准化厂房（一期）", "青山县兴业投资有限公司", "南充市嘉陵建筑工程有限公司", "四川锦程钢结构工程有限公司", 1, 6800, "青山镇工业园区"),
    ("恒丰商贸城综合体项目", "青山县恒丰房地产开发有限公司", "四川川东建设工程有限公司", "青山县鑫源建筑劳务有限公司", 0, 8900, "青山镇迎宾大道"),
]
# Small works without a registered project (零星工程): often 三无 or 零散工.
_SMALL_WORKS = ["{v}村道路硬化工程", "{v}村便民桥工程", "{v}村文化广场建设", "{v}村人饮工程",
                "{v}村危房改造", "{v}村山坪塘整治", "{v}村产业路工程", "{v}村民房自建"]
_VILLAGES = ["友谊", "石桥", "江口", "双河", "白果", "红岩", "柏林", "龙泉", "青龙", "新华", "金星", "团结",
             "凉水", "桂花", "玉泉", "大垭"]

# County-size name parts.
_PLACES = ["青山县", "青山县", "青山县", "巴中市", "南充市", "达州市", "广安市", "四川", "四川省", "重庆"]
_CORES = ("宏达 恒通 华厦 蜀道 川东 嘉陵 顺达 鑫源 永固 美居 锦程 通川 华兴 锦绣 恒丰 佳美 兴农 金穗 宏图 顺丰达 "
          "福满楼 绿源 鑫隆 安心 好又多 蜀香 德丰 宏远 建兴 兴旺 天府 巴山 秦巴 米仓 嘉禾 金鼎 瑞丰 盛世 鼎盛 "
          "富民 安泰 长兴 荣昌 广源 华宇 金桥 新城 恒基 汇通 中诚 隆鑫 润达 银河 天成 立信 宏盛 同心 和顺").split()
_CONSTRUCTION_KINDS = ["建筑劳务", "建筑工程", "市政工程", "路桥工程", "建设工程", "装饰工程", "水利水电工程",
                       "钢结构工程", "园林绿化工程", "电力安装工程", "土石方工程"]
_OTHER_KINDS = [("服装", "制造业"), ("食品", "制造业"), ("建材", "制造业"), ("石材", "采矿业"),
                ("农业开发", "农业"), ("生态农业", "农业"), ("茶业", "农业"), ("物流", "交通运输业"),
                ("餐饮", "住宿和餐饮业"), ("酒店管理", "住宿和餐饮业"), ("家政服务", "居民服务业"),
                ("商贸", "批发和零售业")]
_PROJECT_KINDS = ["安置房工程", "污水管网改造工程", "道路改建工程", "教学楼改扩建工程", "农贸市场改造工程",
                  "高标准农田建设项目", "卫生院综合楼工程", "标准化厂房工程", "住宅小区工程", "商业综合体项目",
                  "灌区渠系工程", "游客中心工程", "人饮工程", "滨河公园工程", "老旧小区改造工程"]
_TOWNSHIPS = ["青山", "白鹤", "龙凤", "石桥", "江口", "双河", "清江", "金城", "凤鸣", "柏林", "云台", "长乐",
              "永安", "鹤鸣", "大河", "玉山", "仁和", "新场", "黄金", "福星"]

# Sources: the national platform most, then 12345, petitions, field checks...
_SOURCE_WEIGHTS = {"全国根治欠薪线索反映平台": 34, "12345": 22, "信访来访": 12, "排查发现": 10, "12333": 6,
                   "信访来信": 4, "来电": 4, "上级交办": 5, "网络舆情": 2, "其他": 1}
_REASON_BUILD = {"拖欠工程款": 36, "结算纠纷": 19, "非法转包": 13, "使用零散工": 10,
                 "无故拖欠": 15, "其他": 6}
_REASON_OTHER = {"无故拖欠": 45, "结算纠纷": 15, "使用零散工": 15, "其他": 25}
_WS_NAMES = ["欠薪化解专班", "拖欠工程款化解专班", "信访维稳工作专班", "国有资产处置专班", "宅基地处置专班",
             "产业发展专班", "项目资金及经费争取专班"]
_WS_BUILD = [38, 44, 10, 3, 1, 0, 4]
_WS_OTHER = [62, 0, 25, 3, 1, 9, 0]
_WS_PETITION = [30, 20, 50, 0, 0, 0, 0]

_CH_GOV = {"总包先行清偿": 35, "建设单位垫付": 20, "企业自行支付": 20, "应急周转金": 10, "工资保证金": 8,
           "资产处置资金": 7}
_CH_PRIVATE = {"企业自行支付": 35, "总包先行清偿": 35, "工资保证金": 12, "应急周转金": 8, "法院执行": 5, "其他": 5}
_CH_OTHER = {"企业自行支付": 65, "应急周转金": 15, "法院执行": 8, "资产处置资金": 4, "其他": 8}
_PATH_OF_CHANNEL = {"企业自行支付": "企业自行支付", "总包先行清偿": "总包先行清偿", "建设单位垫付": "建设单位垫付",
                    "应急周转金": "应急周转金垫付", "资产处置资金": "资产处置化解", "工资保证金": "其他",
                    "法院执行": "司法途径", "其他": "其他"}

V_PAID = "经核实存在欠薪，已支付完毕"
V_AGREED = "已支付欠款或达成还款协议"
V_COURT = "尚未支付，准备或已申请法院强制执行"
V_POLICE = "尚未支付，涉嫌犯罪，已移送公安机关"
V_NONE = "经核实不存在欠薪情况"

_OPEN_NOTES = ["已约谈企业负责人，承诺近期分批支付", "已召开协调会，正在核对工程量", "总包单位已同意先行垫付，正在走程序",
               "企业负责人失联，正在协调公安协查", "建设单位工程款拨付中", "正在核对工资表与考勤记录",
               "已下达劳动保障监察限期整改指令书", "已启动应急周转金申请程序", ""]
_CLOSED_NOTES = ["工资已通过银行代发到卡，农民工签字确认", "已现场兑付并签字领取", "反映人已确认收到全部工资", ""]

for _v in (_SOURCE_WEIGHTS, _REASON_BUILD, _REASON_OTHER):
    assert set(_v) <= set(SOURCES) | set(REASONS)
assert set(_CH_GOV) | set(_CH_PRIVATE) | set(_CH_OTHER) <= set(CHANNELS)
assert set(_PATH_OF_CHANNEL.values()) <= set(RESOLUTION_PATHS)

# ---------------------------------------------------------------------------------------------
# Small fast helpers
# ---------------------------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _digit_sum(text: str, offset: int) -> int:
    return sum(int(c) * _ID_WEIGHTS[offset + i] for i, c in enumerate(text))


class _IdMaker:
    """Valid GB 11643 numbers quickly: the weighted sum is precomputed per part.

    ``make(area, i, seq)`` equals ``make_valid_id(area, births[i], seq)`` (the tests check it);
    the township build calls ``make_valid_id`` itself, the county build this."""

    def __init__(self, first_birth: date, last_birth: date, exact: bool) -> None:
        self.area_sum = {a: _digit_sum(a, 0) for a in dict.fromkeys(_AREAS)}
        self.dates: list[date] = []
        self.births: list[tuple[str, int]] = []
        d = first_birth
        while d <= last_birth:
            s = f"{d:%Y%m%d}"
            self.dates.append(d)
            self.births.append((s, _digit_sum(s, 6)))
            d += timedelta(days=1)
        self.seqs = [(f"{i:03d}", _digit_sum(f"{i:03d}", 14)) for i in range(1000)]
        self.exact = exact

    def make(self, area: str, birth_index: int, seq: int) -> str:
        if self.exact:
            return make_valid_id(area, self.dates[birth_index], seq)
        b, bs = self.births[birth_index]
        s, ss = self.seqs[seq]
        return area + b + s + _ID_CHECK[(self.area_sum[area] + bs + ss) % 11]


class _Pick:
    """A weighted choice from one uniform number (faster than random.choices in a loop)."""
    __slots__ = ("items", "cum", "total")

    def __init__(self, table: dict | list) -> None:
        pairs = list(table.items()) if isinstance(table, dict) else list(table)
        self.items = [k for k, w in pairs if w > 0]
        acc, self.cum = 0.0, []
        for _, w in pairs:
            if w > 0:
                acc += w
                self.cum.append(acc)
        self.total = acc

    def __call__(self, u: float):
        return self.items[min(len(self.items) - 1, bisect.bisect_right(self.cum, u * self.total))]


def _uuid_sql(id_param: str, rand_param: str, base_ms: int) -> str:
    """SQL for a version-7 layout UUID: time = base_ms + id (increasing, so the UNIQUE index only
    appends), the rest from a 62-bit random number drawn in Python; formatted by SQLite."""
    t = f"({base_ms} + {id_param})"
    r = rand_param
    return (f"printf('%08x-%04x-7%03x-%04x-%09x%03x', {t} >> 16, {t} & 65535, ({r} >> 50) & 4095, "
            f"32768 | (({r} >> 36) & 16383), {r} & 68719476735, {id_param} & 4095)")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


# ---------------------------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------------------------
@dataclass
class _Ctx:
    store: Store
    rng: random.Random
    today: date
    scale: _Scale
    start: date
    uuid_base: int                                         # ms; each table gets its own range
    cal: WorkCalendar = field(default_factory=WorkCalendar)
    ws: list[dict] = field(default_factory=list)          # id, name, owners [(name, weight)], liaison
    employers: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    _workday: dict[int, bool] = field(default_factory=dict)
    _deadline: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # ISO text of every day the demo can mention, indexed by ordinal - o0
        self.o0 = (self.today - timedelta(days=800)).toordinal()
        self.DS = [date.fromordinal(o).isoformat() for o in range(self.o0, self.today.toordinal() + 120)]

    def ds(self, o: int) -> str:
        return self.DS[o - self.o0]

    def is_workday(self, o: int) -> bool:
        w = self._workday.get(o)
        if w is None:
            w = self._workday[o] = self.cal.is_workday(date.fromordinal(o))
        return w

    def deadline(self, o: int) -> int:
        d = self._deadline.get(o)
        if d is None:
            d = self._deadline[o] = self.cal.add_workdays(date.fromordinal(o), 15).toordinal()
        return d

    def next_workday(self, o: int) -> int:
        while not self.is_workday(o):
            o += 1
        return o

    def previous_workday(self, o: int) -> int:
        while not self.is_workday(o):
            o -= 1
        return o

    def uuid_sql(self, table_no: int, id_param: str = "?1", rand_param: str = "?2") -> str:
        return _uuid_sql(id_param, rand_param, self.uuid_base + table_no * 100_000_000)


# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------
def build_demo(path: str | Path, scale: str = "township", *, seed: int = 20261126,
               today: date | None = None, progress: Progress | None = None,
               _cases: int | None = None, _workers: int | None = None, _extras: bool = True) -> dict:
    """Fill the database at ``path`` with demo data and return a summary.

    ``scale`` is "township" (150 cases, 3,000 workers, written through the normal triggers) or
    "county" (100,000 cases, 1,000,000 workers, bulk mode). ``_cases`` / ``_workers`` change the
    size (the tests use a small bulk build); ``_extras=False`` leaves out the other modules' demo
    ledgers and meetings (see ``_add_other_ledgers``). Refuses (ValueError) a database that already holds
    cases. The build is one transaction: an error, or ``Cancelled`` raised from ``progress``,
    leaves the file as it was.

    Returns {scale, path, today, cases, workers, repayments, owed_fen, paid_fen, cleared_pct,
    seconds, file_bytes}.
    """
    if scale not in SCALES:
        raise ValueError(f"未知的演示数据规模“{scale}”（可选：township 乡镇、county 县级）")
    sc = SCALES[scale]
    if _cases is not None or _workers is not None:
        nc = _cases or sc.cases
        sc = replace(sc, cases=nc, workers=_workers or sc.workers,
                     employers=min(sc.employers, max(40, nc // 50)) if sc.employers else 0,
                     projects=min(sc.projects, max(15, nc // 140)) if sc.projects else 0)
    if sc.cases < 1 or sc.workers < 0:
        raise ValueError("演示数据的问题数应大于0")
    today = today or date.today()
    t0 = time.perf_counter()
    report = progress or (lambda done, total, text: None)

    store = Store(path, user=DEMO_USER)
    try:
        if store.scalar("SELECT COUNT(*) FROM case_record", default=0):
            raise ValueError(f"数据库“{Path(path).name}”中已有欠薪问题记录，为免与真实数据混在一起，"
                             "不能再生成演示数据。请另选一个新的数据库文件。")
        rng = random.Random(seed)
        start = _monday(today - timedelta(weeks=10))
        base = int(_dt.datetime.combine(start - timedelta(days=30), _dt.time(8, 0)).timestamp() * 1000)
        ctx = _Ctx(store, rng, today, sc, start, base)
        # deadlines on the office's own holiday calendar where it has entered one (as the program does)
        ctx.cal = WorkCalendar({r["year"]: parse_schedule_text(r["year"], r["schedule_text"])
                                for r in store.query("SELECT year, schedule_text FROM calendar_year")})
        old_cache = store.scalar("PRAGMA cache_size")
        if sc.bulk:
            store.execute(f"PRAGMA cache_size = {_BULK_CACHE}")   # while loading
        try:
            with store.tx(reason="生成演示数据"):
                report(0, 100, "正在建立专项行动、领导小组和工作专班…")
                _setup_campaign(ctx)
                report(1, 100, "正在生成用人单位和工程项目…")
                _setup_employers_projects(ctx)
                counts = _build_cases(ctx, report)
                store.bulk = False
                extras = _add_other_ledgers(ctx, report) if _extras else {}
        finally:
            store.bulk = False
            store.execute(f"PRAGMA cache_size = {int(old_cache)}")
        report(99, 100, "正在整理数据库文件…")
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = store.one("SELECT COUNT(*), COALESCE(SUM(total_owed_fen), 0), COALESCE(SUM(total_paid_fen), 0) "
                        "FROM case_record WHERE deleted_at IS NULL")
        summary = {
            "scale": scale,
            "path": str(Path(path)),
            "today": today.isoformat(),
            "cases": row[0],
            "workers": counts["workers"],
            "repayments": store.scalar("SELECT COUNT(*) FROM repayment WHERE deleted_at IS NULL", default=0),
            "owed_fen": row[1],
            "paid_fen": row[2],
            "cleared_pct": round(100.0 * row[2] / row[1], 1) if row[1] else 0.0,
            "seconds": 0.0,
            **extras,
        }
    finally:
        store.close()
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    summary["file_bytes"] = Path(path).stat().st_size
    report(100, 100, "演示数据已生成")
    return summary


def _add_other_ledgers(ctx: _Ctx, report: Progress) -> dict:
    """The rest of a working township, drawn from the cases just written (inside the same
    transaction, triggers on): the workstreams' ledgers (funds, assets, contract arrears,
    petitions…) and the Monday dispatch meetings with their action items. Each lives in its own
    module; one that is not installed is skipped. Township only: at county size these modules'
    row-by-row queries would take longer than the whole bulk load."""
    import importlib
    extras: dict = {}
    if ctx.scale.bulk:
        return extras
    hooks = [("models.demo_ledgers", "add_demo_ledgers", "正在生成各专班台账…"),
             ("models.demo_meetings", "add_demo_meetings", "正在生成周调度会和交办事项…")]
    for i, (module, func, text) in enumerate(hooks):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        report(97 + i, 100, text)
        out = getattr(mod, func)(ctx.store, ctx.rng, ctx.today)
        if isinstance(out, dict):
            extras.update(out)
    return extras


# ---------------------------------------------------------------------------------------------
# Campaign, people
# ---------------------------------------------------------------------------------------------
def _person_name(rng: random.Random, used: set[str], female: bool | None = None) -> str:
    while True:
        fem = rng.random() < 0.3 if female is None else female
        chars = _GIVEN_F if fem else _GIVEN_M
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
        name = rng.choice(_SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def _campaign_dates(today: date) -> tuple[date, date, int]:
    """Start: the Monday ten weeks before today; end: the eve of the next Spring Festival
    (the winter action's 春节前 deadline); and the year the action is named after."""
    start = _monday(today - timedelta(weeks=10))
    year = start.year + (1 if start.month >= 6 else 0)
    end = before_spring_festival(year)
    while end <= today:
        year += 1
        end = before_spring_festival(year)
    return start, end, year - 1


def _setup_campaign(ctx: _Ctx) -> None:
    rng, store = ctx.rng, ctx.store
    start, end, name_year = _campaign_dates(ctx.today)
    county = ctx.scale.employers > 0
    unit = f"{COUNTY}人民政府" if county else f"{COUNTY}{GOV}"
    cid = create_campaign(store, f"{name_year}年根治欠薪冬季专项行动", unit, start, end,
                          phases=default_phases(start, end),
                          office_location="县人力资源和社会保障局三楼" if county else "镇便民服务中心二楼社会事务办公室")
    used: set[str] = set()

    def nm(female: bool | None = None) -> str:
        return _person_name(rng, used, female)

    town = GOV
    leaders = {
        "mayor": dict(name=nm(False), unit=town, title="镇党委副书记、镇长"),
        "exec": dict(name=nm(), unit=town, title="镇党委委员、常务副镇长"),
        "vice_build": dict(name=nm(False), unit=town, title="镇党委委员、副镇长"),
        "politics": dict(name=nm(False), unit=town, title="镇党委委员、政法委员"),
        "office": dict(name=nm(), unit=town, title="镇社会事务办公室主任"),
        "finance": dict(name=nm(), unit="青山镇财政所", title="所长"),
        "justice": dict(name=nm(), unit="青山镇司法所", title="所长"),
        "police": dict(name=nm(False), unit="青山派出所", title="所长"),
        "stability": dict(name=nm(), unit=town, title="镇综治中心主任"),
    }
    lg = [("组长", "mayor"), ("常务副组长", "exec"), ("副组长", "vice_build"), ("副组长", "politics"),
          ("办公室主任", "office"), ("成员", "finance"), ("成员", "justice"), ("成员", "police"),
          ("成员", "stability")]
    set_leading_group(store, cid, [dict(role=r, **leaders[k]) for r, k in lg])
    extra = {
        "labour": dict(name=nm(), unit="青山镇劳动保障所", title="所长"),
        "planning": dict(name=nm(False), unit=town, title="镇规划建设办公室主任"),
        "org": dict(name=nm(), unit=town, title="镇党委委员、组织委员"),
        "pr": dict(name=nm(), unit=town, title="镇党委委员、宣传委员"),
        "armed": dict(name=nm(False), unit=town, title="镇党委委员、武装部部长"),
        "npc": dict(name=nm(False), unit=town, title="镇人大主席"),
        "agri": dict(name=nm(), unit=town, title="镇农业农村服务中心主任"),
        "land": dict(name=nm(), unit="青山自然资源所", title="所长"),
        "econ": dict(name=nm(), unit=town, title="镇经济发展办公室主任"),
    }
    people = {**leaders, **extra}
    # (组长, 副组长) of each workstream, in _WS_NAMES order
    heads = [("exec", "labour"), ("vice_build", "planning"), ("politics", "stability"), ("org", "finance"),
             ("npc", "land"), ("pr", "agri"), ("armed", "econ")]
    member_units = {0: ["青山镇劳动保障所", town, "青山镇劳动保障所"], 1: [town, town, "青山镇劳动保障所"],
                    2: ["青山派出所", town, town], 3: ["青山镇财政所", town, town],
                    4: ["青山自然资源所", town, town], 5: [town, town, town], 6: [town, "青山镇财政所", town]}
    staff_titles = ["科员", "一级科员", "四级主任科员", "工作人员", "事业干部"]
    rows = store.query("SELECT id, name FROM workstream WHERE campaign_id = ? ORDER BY sort, id", (cid,))
    by_name = {r["name"]: r["id"] for r in rows}
    for i, ws_name in enumerate(_WS_NAMES):
        lead, dep = heads[i]
        members = [dict(role="组长", phone=_mobile(rng), **people[lead]),
                   dict(role="副组长", phone=_mobile(rng), **people[dep])]
        n_staff = 2 + (rng.random() < 0.5)
        if i == 2:  # 信访维稳: the justice office head sits in it
            members.append(dict(role="成员", phone=_mobile(rng), **people["justice"]))
            n_staff -= 1
        for u in member_units[i][:n_staff]:
            members.append(dict(role="成员", name=nm(), unit=u, title=rng.choice(staff_titles), phone=_mobile(rng)))
        members.append(dict(role="联络员", name=nm(), unit=town, title="联络员", phone=_mobile(rng)))
        ws_id = by_name.get(ws_name) or rows[i]["id"]
        set_members(store, ws_id, members)
        owners = [(m["name"], {"组长": 1, "副组长": 2, "成员": 3}[m["role"]]) for m in members if m["role"] != "联络员"]
        ctx.ws.append({"id": ws_id, "name": ws_name, "owners": _Pick(owners), "liaison": members[-1]["name"]})


# ---------------------------------------------------------------------------------------------
# Employers and projects
# ---------------------------------------------------------------------------------------------
def _address(rng: random.Random, name: str) -> str:
    street = rng.choice(["正街", "新华街", "滨河路", "迎宾大道", "工业园区", "学府街", "人民路", "建设路"])
    for place, district in (("青山县", "青山县青山镇"), ("巴中市", "巴中市巴州区"), ("南充市", "南充市顺庆区"),
                            ("达州市", "达州市通川区"), ("广安市", "广安市广安区"), ("重庆", "重庆市渝北区")):
        if name.startswith(place):
            return f"{district}{street}{rng.randint(1, 260)}号"
    return f"四川省成都市{rng.choice(['武侯区', '成华区', '金牛区', '高新区'])}{street}{rng.randint(1, 260)}号"


def _setup_employers_projects(ctx: _Ctx) -> None:
    rng, store, sc = ctx.rng, ctx.store, ctx.scale
    used: set[str] = set()
    if sc.employers:
        emps = _county_employers(rng, sc.employers)
        projs = _county_projects(rng, sc.projects, emps)
    else:
        emps = [dict(name=n, kind=k, industry=ind, dept=dept) for n, k, ind, dept in _TOWN_EMPLOYERS]
        projs = [dict(name=p, owner=o, gc=g, sub=s, gov=gv, contract_wan=c, address=a)
                 for p, o, g, s, gv, c, a in _TOWN_PROJECTS]
    areas = ["511322"] * 6 + ["511902", "511300", "511900", "510000"]
    if sc.bulk:
        store.bulk = True   # county: no per-row audit from here on; one bulk row at the end
    rows = []
    for e in emps:
        area = "511322" if e["name"].startswith(COUNTY) else rng.choice(areas)
        rows.append((rng.getrandbits(62), e["name"], make_credit_code(rng.getrandbits(40), area, e["dept"]),
                     _person_name(rng, used), _mobile(rng), _address(rng, e["name"])))
    # a database with employers already in it keeps them (names are unique)
    base = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM employer", default=0))
    store.executemany(
        "INSERT OR IGNORE INTO employer(id, uuid, name, credit_code, legal_person, phone, address) "
        f"VALUES (?1, {ctx.uuid_sql(1)}, ?3, ?4, ?5, ?6, ?7)",
        [(base + i + 1, *r) for i, r in enumerate(rows)])
    ids = {r["name"]: r["id"] for r in store.query("SELECT id, name FROM employer")}
    for e in emps:
        e["id"] = ids[e["name"]]
    base = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM project", default=0))
    prow = []
    for i, p in enumerate(projs):
        contract = p["contract_wan"] * 1_000_000   # 万元 → 分
        prow.append((base + i + 1, rng.getrandbits(62), p["name"], p["owner"], p["gc"], p["sub"], p["gov"], contract,
                     contract * 2 // 100 if rng.random() < 0.85 else 0, p["address"],
                     "农民工工资专用账户已开设" if rng.random() < 0.7 else ""))
    store.executemany(
        "INSERT OR IGNORE INTO project(id, uuid, name, owner_unit, general_contractor, subcontractor, gov_invested, "
        f"contract_fen, deposit_fen, address, notes) "
        f"VALUES (?1, {ctx.uuid_sql(2)}, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        prow)
    ids = {r["name"]: r["id"] for r in store.query("SELECT id, name FROM project")}
    for p in projs:
        p["id"] = ids[p["name"]]
    ctx.employers = emps
    ctx.projects = projs


def _county_employers(rng: random.Random, n: int) -> list[dict]:
    out, seen = [], set()
    n_build = n * 45 // 100
    while len(out) < n:
        place = rng.choice(_PLACES)
        core = rng.choice(_CORES) + (rng.choice(_CORES) if rng.random() < 0.35 else "")
        if len(out) < n_build:
            kind_word = rng.choice(_CONSTRUCTION_KINDS)
            kind = "lab" if kind_word in ("建筑劳务", "装饰工程", "钢结构工程", "园林绿化工程", "电力安装工程",
                                         "土石方工程") else "gc"
            industry = "建筑业"
        else:
            kind_word, industry = rng.choice(_OTHER_KINDS)
            kind = "biz"
        name = f"{place}{core}{kind_word}有限公司"
        if name in seen:
            continue
        seen.add(name)
        out.append(dict(name=name, kind=kind, industry=industry, dept="91"))
    return out


def _county_projects(rng: random.Random, n: int, emps: list[dict]) -> list[dict]:
    gcs = [e["name"] for e in emps if e["kind"] == "gc"]
    labs = [e["name"] for e in emps if e["kind"] == "lab"]
    owners_gov = ["青山县城乡建设投资有限公司", "青山县住房和城乡建设局", "青山县水利局", "青山县交通运输局",
                  "青山县教育和科学技术局", "青山县农业农村局", "青山县卫生健康局", "青山县兴业投资有限公司"]
    out, seen = [], set()
    while len(out) < n:
        town = rng.choice(_TOWNSHIPS)
        kind = rng.choice(_PROJECT_KINDS)
        name = f"{town}镇{kind}" + (f"（{rng.choice(['一', '二', '三'])}期）" if rng.random() < 0.4 else "")
        if name in seen:
            name = f"{town}镇{rng.choice(_VILLAGES)}村{kind}"
            if name in seen:
                continue
        seen.add(name)
        gov = 1 if rng.random() < 0.65 else 0
        owner = rng.choice(owners_gov + [f"{town}镇人民政府"]) if gov else \
            f"{COUNTY}{rng.choice(_CORES)}房地产开发有限公司"
        out.append(dict(name=name, owner=owner, gc=rng.choice(gcs), sub=rng.choice(labs), gov=gov,
                        contract_wan=rng.choice([rng.randint(300, 3000), rng.randint(1000, 20000)]),
                        address=f"{COUNTY}{town}镇"))
    return out


# ---------------------------------------------------------------------------------------------
# Planning the cases: when they come in, how big they are, how far they have got
# ---------------------------------------------------------------------------------------------
# Relative number of new cases per week (11 weeks: ten full weeks and the current one):
# a rise in weeks 3–6 as the campaign gets going, then a decline.
_WEEK_SHAPE = [0.45, 0.6, 0.85, 1.3, 1.65, 1.75, 1.5, 1.05, 0.85, 0.7, 0.75]
_DOW_WEIGHT = [1.3, 1.15, 1.1, 1.05, 1.0, 0.22, 0.12]


def _registration_days(ctx: _Ctx, n: int) -> list[int]:
    rng, start, today = ctx.rng, ctx.start.toordinal(), ctx.today.toordinal()
    n_weeks = (today - start) // 7 + 1
    shape = (_WEEK_SHAPE + [_WEEK_SHAPE[-1]] * n_weeks)[:n_weeks]
    days_left = today - (start + 7 * (n_weeks - 1)) + 1
    shape[-1] *= sum(_DOW_WEIGHT[:days_left]) / sum(_DOW_WEIGHT)
    # whole numbers per week by largest remainder, so the story survives small samples
    quota = [n * w / sum(shape) for w in shape]
    per = [int(q) for q in quota]
    for i in sorted(range(n_weeks), key=lambda i: quota[i] - per[i], reverse=True)[:n - sum(per)]:
        per[i] += 1
    out = []
    for w in range(n_weeks):
        weights = []
        for k in range(7):
            o = start + 7 * w + k
            wt = _DOW_WEIGHT[k] if o <= today else 0.0
            if k < 5 and not ctx.is_workday(o):
                wt *= 0.2   # statutory holiday
            elif k >= 5 and ctx.is_workday(o):
                wt = 0.9 if o <= today else 0.0   # 调休 make-up working day
            weights.append((k, wt))
        pick = _Pick(weights)
        r = rng.random
        out.extend(start + 7 * w + pick(r()) for _ in range(per[w]))
    out.sort()
    return out


def _worker_counts(ctx: _Ctx, listed: int) -> list[int]:
    """Workers per listed case: many small groups, a share of 30+ (major) ones, summing to the target."""
    rng, sc = ctx.rng, ctx.scale
    if listed == 0:
        return []
    big = [rng.random() < sc.big_share for _ in range(listed)]
    counts = [0] * listed
    lo, hi = sc.big_range
    for i in range(listed):
        if big[i]:
            counts[i] = min(hi, lo + int(rng.expovariate(1 / ((hi - lo) / 3))))
    rest = sc.workers - sum(counts)
    small = [i for i in range(listed) if not big[i]]
    if not small or rest < len(small):   # a tiny custom scale: plain proportional shares
        raw = [rng.lognormvariate(0, 0.8) for _ in range(listed)]
        f = sc.workers / sum(raw)
        return [max(1, round(r * f)) for r in raw]
    raw = [rng.lognormvariate(0, 0.7) for _ in small]
    f = rest / sum(raw)
    for i, r in zip(small, raw):
        counts[i] = min(29, max(1, round(r * f)))
    diff = sc.workers - sum(counts)
    guard = 0
    while diff and guard < 100 * listed:
        guard += 1
        i = small[rng.randrange(len(small))]
        if diff > 0 and counts[i] < 29:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


_PICK_SOURCE = _Pick(_SOURCE_WEIGHTS)


def _plan(ctx: _Ctx) -> list[dict]:
    rng = ctx.rng
    plans = []
    for o in _registration_days(ctx, ctx.scale.cases):
        p = {"reg": o, "build": rng.random() < 0.70, "source": _PICK_SOURCE(rng.random())}
        r = rng.random()
        p["outcome"] = "已化解" if r < 0.84 else ("不存在欠薪" if r < 0.92 else "已移送")
        # unlisted: small non-construction cases and claims found groundless carry totals only
        p["listed"] = not (p["outcome"] == "不存在欠薪" or (not p["build"] and rng.random() < 0.35))
        p["n"] = 0
        plans.append(p)
    listed_idx = [i for i, p in enumerate(plans) if p["listed"]]
    counts = _worker_counts(ctx, len(listed_idx))
    # big group claims tend to surface once the campaign is under way (year-end settlements)
    counts.sort(key=lambda c: rng.uniform(0.45, 1.0) if c >= 30 else rng.random())
    for i, c in zip(listed_idx, counts):
        plans[i]["n"] = c
    for p in plans:
        if p["n"] >= 30 and p["outcome"] == "已化解" and rng.random() < 0.08:
            p["outcome"] = "已移送"   # big group claims: the boss more often refuses or disappears
        p["unlisted_n"] = 0 if p["listed"] else (rng.randint(2, 12) if p["build"] else rng.randint(1, 6))
        _plan_timeline(ctx, p)
    _calibrate(ctx, plans)
    return plans


def _plan_timeline(ctx: _Ctx, p: dict) -> None:
    """When the case is verified and closed, hence its status today, and how much is paid if open."""
    rng, today = ctx.rng, ctx.today.toordinal()
    reg = p["reg"]
    verify = ctx.next_workday(reg + rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)))
    x = rng.random()
    lag = rng.randint(5, 18) if x < 0.84 else (rng.randint(18, 32) if x < 0.97 else rng.randint(32, 70))
    if p["n"] >= 30:
        lag += rng.randint(2, 10)     # the big ones take longer
    if p["outcome"] == "不存在欠薪":
        close = verify + rng.randint(2, 10)
    else:
        close = max(verify + 2, reg + lag)
    close = ctx.next_workday(close)
    if verify > today:
        status = "待核实"
    elif close > today:
        status = "化解中" if p["outcome"] != "不存在欠薪" else "待核实"
    else:
        status = p["outcome"]
    p.update(verify=verify, close=close, status=status,
             paid_share=rng.uniform(0.1, 0.6) if status == "化解中" and rng.random() < 0.65 else 0.0)


# Rough money weight of one worker in a listed / unlisted case, for the calibration below.
_W_LISTED, _W_UNLISTED = 1.0, 1.3


def _expected_share(p: dict) -> float:
    if p["status"] == "已化解":
        return 1.0
    if p["status"] == "化解中" and p["paid_share"]:
        ps = p["paid_share"]
        return ps + (1 - ps) * 0.1 if p["listed"] else ps
    return 0.0


def _calibrate(ctx: _Ctx, plans: list[dict]) -> None:
    """Nudge the timelines so that about 60 % of the money is repaid today.

    With 150 cases a few big ones decide the ratio, so rather than trust the dice the biggest
    recently closed cases are kept open a little longer (or old open ones closed) until the
    expected share is near the target. Cases still within their deadline are taken first, so the
    overdue list stays short."""
    rng, today = ctx.rng, ctx.today.toordinal()
    target = rng.uniform(0.58, 0.62)
    weight = [p["n"] * _W_LISTED + p["unlisted_n"] * _W_UNLISTED for p in plans]
    total = sum(weight) or 1.0
    paid = sum(w * _expected_share(p) for w, p in zip(weight, plans))
    if paid / total > target + 0.02:
        cands = [i for i, p in enumerate(plans) if p["status"] == "已化解" and p["verify"] < today]
        cands.sort(key=lambda i: (ctx.deadline(plans[i]["reg"]) < today, -weight[i]))
        for i in cands:
            if paid / total <= target:
                break
            p = plans[i]
            before = _expected_share(p)
            p["status"] = "化解中"
            p["close"] = today + rng.randint(3, 30)   # will close later
            p["paid_share"] = rng.uniform(0.1, 0.45) if rng.random() < 0.7 else 0.0
            paid += weight[i] * (_expected_share(p) - before)
    elif paid / total < target - 0.02:
        cands = [i for i, p in enumerate(plans) if p["status"] == "化解中" and p["outcome"] == "已化解"
                 and p["verify"] + 3 <= today]
        cands.sort(key=lambda i: plans[i]["reg"])
        for i in cands:
            if paid / total >= target:
                break
            p = plans[i]
            before = _expected_share(p)
            p["status"] = "已化解"
            p["close"] = min(ctx.next_workday(rng.randint(p["verify"] + 2, today - 1)),
                             ctx.previous_workday(today))
            paid += weight[i] * (_expected_share(p) - before)


# ---------------------------------------------------------------------------------------------
# Writing the cases, workers, repayments
# ---------------------------------------------------------------------------------------------
_CASE_COLS = ("id, uuid, case_no, source, registered_on, industry_type, industry, employer_name, employer_id, "
              "project_name, project_id, owner_unit, general_contractor, subcontractor, gov_invested, "
              "workers_count, amount_fen, paid_fen, period_from, period_to, reason, summary, workstream_id, "
              "owner_person, deadline_days, deadline, status, verdict, resolved_count, resolved_fen, "
              "resolution_path, is_major, is_sensitive, flags_manual, closed_on, notes, status_changed_at, "
              "created_at, updated_at")
_WORKER_COLS = ("id, uuid, case_id, name, id_number, phone, bank_card, bank_name, trade, entered_on, left_on, "
                "owed_fen, paid_fen, signed, notes, created_at, updated_at")
_REPAY_COLS = ("id, uuid, case_id, worker_id, paid_on, amount_fen, payer, channel, voucher_no, notes, "
               "created_at, updated_at")
_LOG_SQL = ("INSERT INTO case_status_log(case_id, from_status, to_status, changed_on, user, note) "
            "VALUES (?, ?, ?, ?, ?, ?)")


def _insert_sql(ctx: _Ctx, table: str, cols: str, table_no: int) -> str:
    n = cols.count(",") + 1
    marks = ["?1", ctx.uuid_sql(table_no)] + [f"?{i}" for i in range(3, n + 1)]
    return f"INSERT INTO {table}({cols}) VALUES ({', '.join(marks)})"


@contextlib.contextmanager
def _bulk_load(store: Store, tables: tuple[str, ...], report: Progress) -> Iterator[None]:
    """Inside the open transaction: set aside the triggers and secondary indexes of ``tables``
    while rows are poured in, then create them again from their stored SQL. Bulk mode makes the
    triggers no-ops anyway; this only saves evaluating them (and updating indexes row by row).
    The schema is exactly as before once this returns; on an error the transaction rolls back."""
    marks = ",".join("?" * len(tables))
    saved = store.query(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, rowid", tables)
    for r in saved:
        store.execute(f'DROP {r["type"].upper()} "{r["name"]}"')
    yield
    indexes = [r for r in saved if r["type"] == "index"]
    for i, r in enumerate(indexes):
        report(86 + 6 * i // max(1, len(indexes)), 100, f"正在建立索引 {r['name']}…")
        store.execute(r["sql"])
    for r in saved:
        if r["type"] == "trigger":
            store.execute(r["sql"])
    after = store.query(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL", tables)
    if sorted(map(tuple, after)) != sorted(map(tuple, saved)):   # never expected
        raise RuntimeError("批量写入后数据库结构未能复原，已撤销本次生成")


def _fts_tune(store: Store, table: str, fast: bool) -> None:
    """While loading, let an FTS5 index gather terms in large in-memory batches and not merge
    segments as it goes (about twice as fast); afterwards put FTS5's defaults back."""
    if fast:
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 0)")
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {64 * 1024 * 1024})")
    else:
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 4)")
        store.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {1024 * 1024})")


def _build_cases(ctx: _Ctx, report: Progress) -> dict:
    store, sc = ctx.store, ctx.scale
    n = sc.cases
    verdict_texts = {r[0] for r in store.query("SELECT text FROM verdict_option")}
    for v in (V_PAID, V_AGREED, V_COURT, V_POLICE, V_NONE):
        if v not in verdict_texts:   # an edited list: put the platform wording back for the demo
            store.insert("verdict_option", {"text": v, "closes": 0 if v == V_COURT else 1, "sort": 90})
    report(2, 100, "正在安排欠薪问题的时间线…")
    plans = _plan(ctx)
    g = _Gen(ctx)
    g.next_case = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM case_record", default=0)) + 1
    g.next_worker = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM worker", default=0)) + 1
    g.next_repay = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM repayment", default=0)) + 1
    first_case, first_worker = g.next_case, g.next_worker
    case_sql = _insert_sql(ctx, "case_record", _CASE_COLS, 3)
    worker_sql = _insert_sql(ctx, "worker", _WORKER_COLS, 4)
    repay_sql = _insert_sql(ctx, "repayment", _REPAY_COLS, 5)

    steps = (n + sc.chunk - 1) // sc.chunk
    counts = {"workers": 0, "repayments": 0}

    def make(step: int) -> tuple[list, list, list, list]:
        cases, workers, repays, logs = [], [], [], []
        for p in plans[step * sc.chunk:(step + 1) * sc.chunk]:
            g.case(p, cases, workers, repays, logs)
        return cases, workers, repays, logs

    def done(step: int, workers: list, repays: list) -> None:
        counts["workers"] += len(workers)
        counts["repayments"] += len(repays)
        report(3 + (step + 1) * (83 if sc.bulk else 87) // steps, 100,
               f"正在生成欠薪问题、农民工和兑付记录…（{min((step + 1) * sc.chunk, n)}/{n} 件，"
               f"农民工 {counts['workers']} 人）")

    if not sc.bulk:
        all_repays: list[tuple] = []
        for step in range(steps):
            cases, workers, repays, logs = make(step)
            store.executemany(case_sql, cases)
            store.executemany(_LOG_SQL, logs)
            store.executemany(worker_sql, workers)
            all_repays.extend(repays)
            done(step, workers, repays)
        # through the triggers: each repayment raises its worker's (or case's) paid amount
        report(91, 100, "正在登记工资兑付…")
        all_repays.sort(key=lambda r: (r[4], r[0]))
        store.executemany(repay_sql, all_repays)
        # the roll-up triggers stamped updated_at with the clock; put back the case's own history
        store.executemany("UPDATE case_record SET updated_at = ?, status_changed_at = ? WHERE id = ?", g.touch)
        return counts

    # Bulk: while SQLite (which releases the GIL) indexes one batch of chunks for full-text
    # search and rolls its workers up into the cases, a second thread generates the next batch.
    store.bulk = True
    fts = ("case_fts", "worker_fts")
    for t in fts:
        _fts_tune(store, t, fast=True)
    batch_size = 4
    step = 0
    with _bulk_load(store, ("case_record", "case_status_log", "worker", "repayment"), report), \
            _Producer(make, steps) as producer:
        producer.request(batch_size)
        while True:
            # the whole batch first: the generator thread is idle while rows are bound
            batch = []
            while len(batch) < batch_size and (chunk := producer.next()) is not None:
                batch.append(chunk)
            ranges = []
            while batch:
                cases, workers, repays, logs = batch.pop(0)
                store.executemany(case_sql, cases)
                store.executemany(_LOG_SQL, logs)
                store.executemany(worker_sql, workers)
                store.executemany(repay_sql, repays)
                ranges.append((cases[0][0], cases[-1][0], workers[0][0] if workers else None,
                               workers[-1][0] if workers else None))
                done(step, workers, repays)
                step += 1
                del cases, workers, repays, logs
            if not ranges:
                break
            producer.request(batch_size)     # generated while the statements below run
            c0, c1 = ranges[0][0], ranges[-1][1]
            store.execute("INSERT INTO case_fts(rowid, case_no, employer_name, project_name, summary, owner_person) "
                          "SELECT id, case_no, employer_name, project_name, summary, owner_person FROM case_record "
                          "WHERE id BETWEEN ? AND ?", (c0, c1))
            ws = [r for r in ranges if r[2] is not None]
            if ws:
                w0, w1 = ws[0][2], ws[-1][3]
                store.execute("INSERT INTO worker_fts(rowid, name, id_number, phone, trade) "
                              "SELECT id, name, id_number, phone, trade FROM worker WHERE id BETWEEN ? AND ?",
                              (w0, w1))
                # the case roll-ups: one GROUP BY over the batch's workers (a case's workers are
                # all in one chunk)
                store.execute(
                    "UPDATE case_record SET w_count = s.c, w_owed_fen = s.o, w_paid_fen = s.p "
                    "FROM (SELECT case_id, COUNT(*) AS c, SUM(owed_fen) AS o, SUM(paid_fen) AS p FROM worker "
                    "WHERE id BETWEEN ? AND ? AND deleted_at IS NULL GROUP BY case_id) AS s "
                    "WHERE s.case_id = case_record.id", (w0, w1))
    for t in fts:
        _fts_tune(store, t, fast=False)
    report(96, 100, "正在写入数据库文件…")
    audit.record_bulk(store.conn, "case_record", {
        "reason": "生成演示数据（县级规模）", "employers": len(ctx.employers), "projects": len(ctx.projects),
        "cases": n, "workers": counts["workers"],
        "repayments": counts["repayments"], "first_case_id": first_case, "first_worker_id": first_worker},
        store.user)
    return counts


class _Producer:
    """Runs ``make(step)`` for step 0, 1, 2… on a worker thread, as many at a time as requested.

    SQLite releases the GIL while it works, so a batch of chunks is generated (Python) while
    the consumer's long statements index the previous batch (C). Between requests the thread
    is idle: two threads fighting over the GIL during ``executemany`` would slow both.
    Leaving the ``with`` block early (an error, a cancel) stops the thread; an error raised by
    ``make`` is re-raised in the consumer."""

    def __init__(self, make: Callable[[int], tuple], steps: int) -> None:
        import queue
        import threading
        self.make, self.steps = make, steps
        self.q: queue.Queue = queue.Queue()
        self.turns = threading.Semaphore(0)
        self.stop = False
        self.thread = threading.Thread(target=self._run, name="demo-generator", daemon=True)

    def _run(self) -> None:
        try:
            for step in range(self.steps):
                self.turns.acquire()
                if self.stop:
                    return
                self.q.put(("chunk", self.make(step)))
            self.q.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self.q.put(("error", exc))

    def request(self, k: int) -> None:
        for _ in range(k):
            self.turns.release()

    def next(self) -> tuple | None:
        """The next chunk in order, or None after the last."""
        kind, item = self.q.get()
        if kind == "error":
            raise item
        if kind == "end":
            self.q.put(("end", None))   # later calls see the end too
            return None
        return item

    def __enter__(self) -> "_Producer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.turns.release()
        self.thread.join()


_PAYER = {"企业自行支付": "emp", "总包先行清偿": "gc", "建设单位垫付": "owner", "应急周转金": GOV,
          "资产处置资金": GOV, "工资保证金": "青山县人力资源和社会保障局", "法院执行": "青山县人民法院", "其他": "emp"}
_TAILS = {"拖欠工程款": "，施工方称建设单位未按进度拨付工程款", "结算纠纷": "，双方对工程量结算存在争议",
          "非法转包": "，工程被层层转包给无资质个人", "三无工程": "，项目手续不全",
          "使用零散工": "，系零散用工未签书面劳动合同", "无故拖欠": "，企业以资金紧张为由拖欠", "其他": ""}


class _Gen:
    """Generates one case at a time, with its workers, repayments and status history."""

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx, self.rng = ctx, ctx.rng
        self.today = ctx.today.toordinal()
        self.build_emps = [e for e in ctx.employers if e["kind"] in ("gc", "lab")]
        self.other_emps = [e for e in ctx.employers if e["kind"] == "biz"]
        self.emp_by_name = {e["name"]: e for e in ctx.employers}
        self.idm = _IdMaker(date(ctx.today.year - 63, 1, 1), date(ctx.today.year - 20, 12, 31),
                            exact=not ctx.scale.bulk)
        self.next_case = self.next_worker = self.next_repay = 1
        self.voucher = 0
        self.day_seq: dict[int, int] = {}
        self.touch: list[tuple] = []
        self.bulk = ctx.scale.bulk
        self.split = ctx.scale.split_repayments
        self.small_works = [w.format(v=v) for w in _SMALL_WORKS for v in _VILLAGES]
        self.projects = ctx.projects
        self.pick_project = _Pick([(i, max(1.0, p["contract_wan"] ** 0.5)) for i, p in enumerate(ctx.projects)])
        self.pick_ws = {k: _Pick(list(enumerate(w))) for k, w in
                        (("build", _WS_BUILD), ("other", _WS_OTHER), ("petition", _WS_PETITION))}
        self.pick_reason_build = _Pick(_REASON_BUILD)
        self.pick_reason_other = _Pick(_REASON_OTHER)
        self.pick_ch = {"gov": _Pick(_CH_GOV), "private": _Pick(_CH_PRIVATE), "other": _Pick(_CH_OTHER)}
        # office-hours clock times; a timestamp is a day's text plus one of these
        trng = random.Random(self.rng.getrandbits(32))
        self.times = sorted(f"T{trng.randint(8, 17):02d}:{trng.randint(0, 59):02d}:{trng.randint(0, 59):02d}"
                            for _ in range(512))
        now = _dt.datetime.now()
        self.now_time = now.strftime("T%H:%M:%S") if now.date() == ctx.today else "T23:59:59"
        # worker names come from pools (as in life, many people share a name)
        nrng = random.Random(self.rng.getrandbits(32))

        def names(chars: str, k: int) -> list[str]:
            return [nrng.choice(_SURNAMES) + nrng.choice(chars) + (nrng.choice(chars) if nrng.random() < 0.7 else "")
                    for _ in range(k)]
        self.names_m, self.names_f = names(_GIVEN_M, 40_000), names(_GIVEN_F, 15_000)
        self.trades_build = [(t, *_TRADE_RATE_YUAN[t]) for t in _CONSTRUCTION_TRADES]
        self.trades_other = {k: [(t, 130, 260) for t in v] for k, v in _OTHER_TRADES.items()}

    def ts(self, o: int) -> str:
        t = self.times[int(self.rng.random() * 512)]
        if o >= self.today and t > self.now_time:   # nothing later than the clock says
            t = self.now_time
        return self.ctx.DS[o - self.ctx.o0] + t

    def office_day(self, o: int) -> int:
        """o, or the next working day (few things happen on rest days), never after today."""
        return min(self.ctx.next_workday(o) if self.rng.random() < 0.9 else o, self.today)

    # -- one case ----------------------------------------------------------------------------
    def case(self, p: dict, cases: list, workers: list, repays: list, logs: list) -> None:
        ctx, rng, today = self.ctx, self.rng, self.today
        r = rng.random
        cid = self.next_case
        self.next_case += 1
        reg = p["reg"]
        seq = self.day_seq[reg] = self.day_seq.get(reg, 0) + 1
        build = p["build"]
        n = p["n"]
        source = p["source"]

        # who and what
        proj = None
        if build:
            if r() < 0.88 and self.projects:
                proj = self.projects[self.pick_project(r())]
                emp_name = proj["sub"] if r() < 0.6 else proj["gc"]
                project_name, project_id = proj["name"], proj["id"]
                owner_unit, gc, sub, gov = proj["owner"], proj["gc"], proj["sub"], proj["gov"]
                reason = self.pick_reason_build(r())
            else:
                emp_name = self.build_emps[int(r() * len(self.build_emps))]["name"]
                project_name, project_id = self.small_works[int(r() * len(self.small_works))], None
                owner_unit, gc, sub, gov = "", emp_name, "", 0
                reason = ("三无工程", "使用零散工", "无故拖欠")[int(r() * 3)]
            emp = self.emp_by_name.get(emp_name)
            industry = "建筑业"
            ws_pick = self.pick_ws["build"]
            ch_pick = self.pick_ch["gov" if gov else "private"]
        else:
            emp = self.other_emps[int(r() * len(self.other_emps))]
            emp_name, industry = emp["name"], emp["industry"]
            project_name, project_id, owner_unit, gc, sub, gov = "", None, "", "", "", 0
            reason = self.pick_reason_other(r())
            ws_pick = self.pick_ws["other"]
            ch_pick = self.pick_ch["other"]
        if source in ("信访来访", "信访来信") and r() < 0.6:
            ws_pick = self.pick_ws["petition"]
        ws = ctx.ws[ws_pick(r())]
        owner = ws["owners"](r())
        liaison = ws["liaison"]
        payers = {"emp": emp_name, "gc": gc or emp_name, "owner": owner_unit or emp_name}

        # when: the arrears period, then the case's own timeline (planned in _plan_timeline)
        span = 30 + int(r() * 211)
        period_to = reg - 3 - int(r() * 43)
        period_from = period_to - span
        deadline = ctx.deadline(reg)
        verify, close, status, outcome = p["verify"], p["close"], p["status"], p["outcome"]
        closed = status in ("已化解", "已移送", "不存在欠薪")

        # payments: batches (date, channel, payer)
        main_ch = ch_pick(r())
        batches: list[tuple[int, str, str]] = []
        paid_share = 0.0
        if status == "已化解":
            k = 1 if (n < 10 or r() < 0.45) else (2 if r() < 0.7 else 3)
            days = sorted(verify + int(r() * (close - verify + 1)) for _ in range(k - 1)) + [close]
            for j, d in enumerate(days):
                ch = main_ch if j == k - 1 or r() < 0.6 else ch_pick(r())
                batches.append((self.office_day(d), ch, payers.get(_PAYER[ch], _PAYER[ch])))
        elif status == "化解中" and p["paid_share"] > 0:
            k = 1 if r() < 0.6 else 2
            for d in sorted(verify + int(r() * (today - verify + 1)) for _ in range(k)):
                ch = main_ch if r() < 0.7 else ch_pick(r())
                batches.append((self.office_day(d), ch, payers.get(_PAYER[ch], _PAYER[ch])))
            paid_share = p["paid_share"]

        # workers (or, for unlisted cases, the totals as reported)
        paid_total = paid_count = last_pay = 0
        if p["listed"]:
            amount, paid_total, paid_count, last_pay = self.workers(
                cid, n, build, industry, period_from, period_to, reg, verify, status, batches, paid_share,
                workers, repays)
            w_count = n
        else:
            w_count = p["unlisted_n"]
            amount = sum(3000 + int(r() * 27001) for _ in range(w_count)) * 100
            if batches:
                target = amount if status == "已化解" else int(amount * paid_share) // 100 * 100
                left = target
                for j, (d, ch, payer) in enumerate(batches):
                    a = left if j == len(batches) - 1 else left * rng.randint(30, 70) // 100
                    if a > 0:
                        left -= a
                        self.repay(cid, None, d, a, ch, payer, repays)
                        last_pay = max(last_pay, d)
                paid_total = target
                paid_count = w_count if status == "已化解" else 0
        case_paid = paid_total if (not p["listed"] and self.bulk) else 0

        # status history
        lg = [[cid, None, "待核实", self.ts(reg), liaison, f"登记受理，交{ws['name']}办理，包案责任人{owner}"]]
        changed = reg
        if status != "待核实" and outcome != "不存在欠薪":
            lg.append([cid, "待核实", "化解中", self.ts(verify), liaison, f"经核实存在欠薪{w_count}人，进入化解程序"])
            changed = verify
        verdict = resolution = notes = ""
        closed_on = None
        if closed:
            closed_on = ctx.ds(close)
            if status == "已化解":
                verdict = V_PAID if r() < 0.82 else V_AGREED
                resolution = _PATH_OF_CHANNEL[main_ch]
                if resolution == "资产处置化解":
                    resolution = ("资产处置化解", "宅基地处置化解", "产业收益化解", "项目资金化解")[int(r() * 4)]
                note = "工资已全部兑付，办结销号"
                notes = _CLOSED_NOTES[int(r() * len(_CLOSED_NOTES))]
            elif status == "已移送":
                verdict, resolution, note = V_POLICE, "司法途径", "涉嫌拒不支付劳动报酬罪，已移送公安机关"
                notes = "企业负责人拒不支付，已固定证据"
            else:
                verdict, note = V_NONE, "经核实不存在欠薪，已告知反映人"
                notes = "经调取考勤及工资发放记录，工资已按时足额发放"
            lg.append([cid, lg[-1][2], status, self.ts(close), liaison, note])
            changed = close
        elif status == "化解中":
            if r() < 0.12:
                verdict = V_COURT
            notes = _OPEN_NOTES[int(r() * len(_OPEN_NOTES))]
        for j in range(1, len(lg)):   # same-day steps: the clock never runs backwards
            if lg[j][3] < lg[j - 1][3]:
                lg[j][3] = lg[j - 1][3]
        status_at = lg[-1][3]
        logs.extend(map(tuple, lg))
        # last activity: a status change, a repayment, or (some open cases) a recent edit
        upd = max(changed, last_pay)
        if not closed and r() < 0.45:
            upd = max(upd, today - int(r() * 7))
        upd_ts = status_at if upd == changed else max(status_at, self.ts(upd))

        is_major = 1 if w_count >= 30 else 0
        sens = 1 if (source == "网络舆情" or (source == "上级交办" and r() < 0.3)
                     or (source == "信访来访" and w_count >= 20 and r() < 0.2)
                     or r() < 0.006) else 0
        case_no = ("QS%s%04d" if self.bulk else "QS%s%03d") % (ctx.ds(reg).replace("-", ""), seq)
        cases.append((cid, rng.getrandbits(62), case_no, source, ctx.ds(reg), "工程建设" if build else "非工程建设",
                      industry, emp_name, emp["id"] if emp else None, project_name, project_id, owner_unit, gc, sub,
                      gov, w_count, amount, case_paid, ctx.ds(period_from), ctx.ds(period_to), reason,
                      self.summary(w_count, amount, emp_name, project_name, max(1, round(span / 30)), reason, source),
                      ws["id"], owner, 15, ctx.ds(deadline), status, verdict,
                      paid_count if status in ("已化解", "化解中") else 0,
                      paid_total if status in ("已化解", "化解中") else 0,
                      resolution, is_major, sens, 0, closed_on, notes, status_at, lg[0][3], upd_ts))
        if not self.bulk:
            self.touch.append((upd_ts, status_at, cid))

    def summary(self, n, amount, emp, project, months, reason, source) -> str:
        yuan = f"{amount / 100:.2f}元" if amount < 1_000_000 else f"{amount / 1_000_000:.2f}万元"
        who = f"{n}名农民工" if n > 1 else "农民工1人"
        if source == "排查发现":
            where = f"在{project}" if project else ""
            return f"专项行动排查发现{emp}{where}拖欠{who}{months}个月工资共计{yuan}（{reason}）"
        where = f"在{project}务工期间" if project else f"在{emp}务工期间"
        verb = "来访反映" if source == "信访来访" else "反映"
        return f"{who}{verb}{where}被{emp}拖欠{months}个月工资共计{yuan}{_TAILS[reason]}"

    def repay(self, cid, wid, day, amount, channel, payer, out) -> str:
        self.voucher += 1
        t = self.ts(day)
        out.append((self.next_repay, self.rng.getrandbits(62), cid, wid, self.ctx.ds(day), amount, payer, channel,
                    "QCPZ%s%07d" % (self.ctx.ds(day)[:4], self.voucher), "", t, t))
        self.next_repay += 1
        return t

    def workers(self, cid, n, build, industry, period_from, period_to, reg, verify, status, batches,
                paid_share, out, repays) -> tuple[int, int, int, int]:
        """n workers of one case; returns (owed, paid, workers paid in full, last payment day)."""
        ctx, rng, idm = self.ctx, self.rng, self.idm
        r = rng.random
        bits = rng.getrandbits
        DS, o0 = ctx.DS, ctx.o0
        trades = self.trades_build if build else self.trades_other.get(industry, [("普工", 130, 260)])
        n_trades = len(trades)
        female_p = 0.12 if build else 0.45
        n_births = len(idm.births)
        make_id = idm.make
        # workers come from a few home areas (a 包工头 brings people from his own villages)
        home = [_AREAS[int(r() * len(_AREAS))] for _ in range(1 + min(3, n // 8))]
        n_home = len(home)
        ids_seen: set[str] = set()
        created_ts = self.ts(min(verify, self.today))   # the roster is entered when the case is verified
        all_paid = status == "已化解"
        nb = len(batches)
        split = self.split and nb >= 2
        owed_sum = paid_sum = paid_count = last_pay = 0
        names_m, names_f = self.names_m, self.names_f
        nm, nf = len(names_m), len(names_f)
        prefixes, npref = _MOBILE_PREFIXES, len(_MOBILE_PREFIXES)
        banks = _BANKS
        areas, n_areas = _AREAS, len(_AREAS)
        append = out.append
        repay = self.repay
        bulk = self.bulk
        for _ in range(n):
            wid = self.next_worker
            self.next_worker += 1
            if r() < female_p:
                name, parity = names_f[int(r() * nf)], 0
            else:
                name, parity = names_m[int(r() * nm)], 1
            area = home[int(r() * n_home)] if r() < 0.85 else areas[int(r() * n_areas)]
            idn = make_id(area, int(r() * n_births), int(r() * 500) * 2 + parity)
            while idn in ids_seen:   # no person twice in one case
                idn = make_id(area, int(r() * n_births), int(r() * 500) * 2 + parity)
            ids_seen.add(idn)
            phone = prefixes[int(r() * npref)] + "%08d" % int(r() * 100_000_000)
            bank = banks[int(r() * 6)]
            card = bank[0] + "%015d" % int(r() * 1e15)
            trade, lo, hi = trades[int(r() * n_trades)]
            entered = period_from - int(r() * 60)
            left = period_to + int(r() * 21) - 10
            if left > reg:
                left = reg
            if left <= entered:
                left = entered + 20
            unpaid_days = 8 + int(r() * r() * 150)
            if unpaid_days > left - entered:
                unpaid_days = left - entered
            owed_yuan = (lo + int(r() * (hi - lo) / 10) * 10) * unpaid_days
            if owed_yuan < 3000:
                owed_yuan = 3000 + int(r() * 40) * 50
            elif owed_yuan > 60000:
                owed_yuan = 60000 - int(r() * 200) * 50
            owed = owed_yuan * 100
            paid = 0
            upd = created_ts
            if nb and (all_paid or r() < paid_share):
                # paid in full: in one batch, or (township) in two instalments
                if split and r() < 0.3:
                    j = int(r() * (nb - 1))
                    first = owed * (30 + int(r() * 41)) // 100
                    d, ch, payer = batches[j]
                    repay(cid, wid, d, first, ch, payer, repays)
                    d, ch, payer = batches[-1]
                    upd = repay(cid, wid, d, owed - first, ch, payer, repays)
                else:
                    d, ch, payer = batches[nb - 1 if all_paid and r() < 0.5 else int(r() * nb)]
                    upd = repay(cid, wid, d, owed, ch, payer, repays)
                if d > last_pay:
                    last_pay = d
                paid = owed
                paid_count += 1
            elif nb and not all_paid and r() < 0.25:
                # part paid so far
                paid = owed * (20 + int(r() * 40)) // 100
                d, ch, payer = batches[int(r() * nb)]
                upd = repay(cid, wid, d, paid, ch, payer, repays)
                if d > last_pay:
                    last_pay = d
            owed_sum += owed
            paid_sum += paid
            append((wid, bits(62), cid, name, idn, phone, card, bank[1], trade, DS[entered - o0],
                    DS[left - o0] if all_paid or r() > 0.06 else None, owed,
                    paid if bulk else 0, 1 if paid == owed else 0, "", created_ts, max(upd, created_ts)))
        return owed_sum, paid_sum, paid_count, last_pay
