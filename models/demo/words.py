"""Word lists of the demo township: names, trades, places, employers, projects, and the
weights that make its ledgers look like a real township's (a fictional county in north-east
Sichuan). Data only; ``models.demo`` uses it."""
from __future__ import annotations

from models.ledgers.cases import CHANNELS, REASONS, RESOLUTION_PATHS, SOURCES

TOWN = "青山镇"
COUNTY = "青山县"
GOV = "青山镇人民政府"

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
# Which township: the word lists above are written for 青山县青山镇; another township (or the
# same one drawn again with another seed) gets them with its own place names and firm names.
# ---------------------------------------------------------------------------------------------
DEFAULT_COUNTY_CODE = "511234"
# 30 townships of the fictional county (a county has 20–40): stem, suffix
COUNTY_TOWNSHIPS = [(s, "镇") for s in _TOWNSHIPS] + [
    ("桃园", "乡"), ("马鞍", "镇"), ("天池", "乡"), ("白马", "镇"), ("水口", "镇"), ("观音", "镇"),
    ("万寿", "乡"), ("高桥", "镇"), ("文昌", "镇"), ("三合", "乡")]
# the firm-name cores of _TOWN_EMPLOYERS / _TOWN_PROJECTS, which another township's firms replace
_TOWN_CORES = ("华厦 蜀道 川东 嘉陵 恒通 顺达 宏达 鑫源 永固 美居 锦程 通川 华兴 锦绣 恒丰 佳美 兴农 金穗 宏图 "
               "顺丰达 福满楼 绿源 鑫隆 安心 好又多 蜀香").split()
_MORE_CORES = ("德胜 兴盛 宏业 鸿运 金泰 富源 康达 恒信 瑞祥 新力 华盛 大成 利民 众鑫 建业 永兴 昌盛 顺通 "
               "嘉信 豪达 宏昌 天源 川北 金山 泰和 远大 信达 聚源 海川 明达").split()


class Place:
    """A township of the demo: its name and code, its county's, and the firms of its ledger.

    ``local(text)`` turns a text of the 青山镇 word lists into this township's: 青山县 becomes
    the county, 青山镇 the township, any other 青山 (青山派出所, 原青山乡) the township's stem,
    and (``firms``) the cores of the firms' names the township's own. The default place changes
    nothing, so the default demo is the one it always was."""

    def __init__(self, town: str = TOWN, code: str = "", county: str = COUNTY,
                 county_code: str = DEFAULT_COUNTY_CODE, firms: dict[str, str] | None = None) -> None:
        self.town, self.code, self.county, self.county_code = town, code, county, county_code
        self.stem = town[:-2] if town.endswith("街道") else (town[:-1] if town[-1:] in "镇乡" else town)
        self.kind = "乡" if town.endswith("乡") else "镇"
        self.firms = firms or {}
        self._firm_re = None
        self.default = town == TOWN and county == COUNTY and not self.firms
        self.gov = f"{town}人民政府"

    @classmethod
    def of_store(cls, store) -> "Place":
        """The township a database names (``models.exchange.identity``), else 青山镇."""
        try:
            name = store.get_setting("exchange.unit_name") or ""
            county = store.get_setting("exchange.county_name") or ""
            level = store.get_setting("exchange.level") or "township"
        except Exception:  # noqa: BLE001 - a database without settings: the default township
            return cls()
        if not name or level != "township":
            return cls()
        return cls(name, store.get_setting("exchange.unit_code") or "", county or COUNTY,
                   store.get_setting("exchange.county_code") or "")

    def local(self, text: str) -> str:
        if self.default or not text:
            return text
        t = text.replace("青山县", "\0").replace("青山镇", self.town).replace("青山", self.stem)
        return t.replace("\0", self.county)

    def firm(self, text: str) -> str:
        """A firm's or project's name: cores replaced, then the places."""
        if self.firms:
            if self._firm_re is None:
                import re
                self._firm_re = re.compile("|".join(sorted(map(re.escape, self.firms), key=len, reverse=True)))
            text = self._firm_re.sub(lambda m: self.firms[m.group(0)], text)    # one pass: no chains
        return self.local(text)

    def title(self, text: str) -> str:
        """A township post (镇党委委员、副镇长) as a 乡 names it."""
        return text.replace("镇", self.kind) if self.kind != "镇" else text


def firm_cores(seed: int) -> dict[str, str]:
    """Another township's firms: each core of the 青山镇 lists replaced by a different one,
    drawn (from its own random stream) by the seed."""
    import random
    rng = random.Random(f"firms-{seed}")
    pool = list(dict.fromkeys(c for c in (*_CORES, *_MORE_CORES) if c not in _TOWN_CORES or rng.random() < 0.3))
    rng.shuffle(pool)
    return dict(zip(_TOWN_CORES, pool[:len(_TOWN_CORES)]))


def township_code(name: str, county_code: str = DEFAULT_COUNTY_CODE) -> str:
    """A township's 9-digit code: the county's six digits and three of its own (101… in the
    order of ``COUNTY_TOWNSHIPS``; another name gets a number from its characters)."""
    import zlib
    names = [s + k for s, k in COUNTY_TOWNSHIPS]
    if name in names:
        return f"{county_code[:6]}{101 + names.index(name):03d}"
    return f"{county_code[:6]}{200 + zlib.crc32(name.encode('utf-8')) % 700:03d}"
