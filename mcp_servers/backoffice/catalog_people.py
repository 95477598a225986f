"""Name, address and store tables for the demo CRM (Taiwan, Traditional Chinese).

Plain data only: the generator draws from these with its own seeded `random.Random`, so the
tables are tuples (ordered) and never sets, which keeps generation reproducible.
"""

from __future__ import annotations

from typing import NamedTuple


class Surname(NamedTuple):
    char: str
    roman: str  # Taiwanese passport spelling, used for e-mail addresses
    weight: int  # roughly per mille of the population


# The most common surnames in Taiwan, weighted after the Ministry of the Interior statistics.
SURNAMES: tuple[Surname, ...] = (
    Surname("陳", "chen", 112), Surname("林", "lin", 83), Surname("黃", "huang", 60),
    Surname("張", "chang", 53), Surname("李", "lee", 51), Surname("王", "wang", 41),
    Surname("吳", "wu", 40), Surname("劉", "liu", 32), Surname("蔡", "tsai", 29),
    Surname("楊", "yang", 26), Surname("許", "hsu", 23), Surname("鄭", "cheng", 19),
    Surname("謝", "hsieh", 19), Surname("郭", "kuo", 17), Surname("洪", "hung", 15),
    Surname("邱", "chiu", 15), Surname("曾", "tseng", 14), Surname("廖", "liao", 13),
    Surname("賴", "lai", 13), Surname("徐", "hsu", 12), Surname("周", "chou", 12),
    Surname("葉", "yeh", 11), Surname("蘇", "su", 11), Surname("莊", "chuang", 9),
    Surname("呂", "lu", 8), Surname("江", "chiang", 8), Surname("何", "ho", 8),
    Surname("蕭", "hsiao", 7), Surname("羅", "lo", 7), Surname("高", "kao", 6),
    Surname("潘", "pan", 6), Surname("簡", "chien", 5), Surname("朱", "chu", 5),
    Surname("鍾", "chung", 5), Surname("彭", "peng", 5), Surname("游", "yu", 5),
    Surname("詹", "chan", 4), Surname("胡", "hu", 4), Surname("施", "shih", 4),
    Surname("沈", "shen", 4), Surname("余", "yu", 4), Surname("盧", "lu", 4),
    Surname("梁", "liang", 4), Surname("趙", "chao", 4), Surname("顏", "yen", 3),
    Surname("柯", "ko", 3), Surname("翁", "weng", 3), Surname("魏", "wei", 3),
    Surname("孫", "sun", 3), Surname("戴", "tai", 3), Surname("歐陽", "ouyang", 1),
    Surname("張簡", "changchien", 1),
)  # fmt: skip

# Given names by generation: names in Taiwan follow clear fashions by birth decade.
GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("male", "old"): (
        "文雄", "金龍", "清松", "正雄", "明德", "榮華", "國強", "永福", "振興", "萬得",
        "建國", "添丁", "春生", "進財", "俊雄",
    ),
    ("female", "old"): (
        "秀英", "淑貞", "麗華", "美惠", "玉蘭", "秀蘭", "月娥", "碧霞", "素珍", "阿滿",
        "寶珠", "美珠", "麗珠", "金葉", "秀琴",
    ),
    ("male", "mid"): (
        "志明", "建宏", "俊傑", "家豪", "志偉", "文傑", "冠宇", "宗翰", "明輝", "志豪",
        "信宏", "俊宏", "國華", "哲瑋", "智凱", "正宏", "偉倫", "建志",
    ),
    ("female", "mid"): (
        "淑芬", "美玲", "雅婷", "怡君", "佳穎", "淑娟", "惠雯", "靜宜", "雅雯", "佩君",
        "慧君", "怡如", "欣怡", "郁婷", "佳慧", "瑋婷", "淑惠", "思穎",
    ),
    ("male", "young"): (
        "承恩", "宇翔", "冠廷", "柏翰", "品睿", "彥廷", "子睿", "宥辰", "柏宇", "定宇",
        "家睿", "宸睿", "恩碩", "睿澤", "育誠", "昱廷", "羿豪", "晨皓",
    ),
    ("female", "young"): (
        "詩涵", "宜庭", "欣妤", "品妍", "子涵", "語彤", "芷晴", "可欣", "宥蓁", "以晴",
        "筱涵", "沛妤", "羽彤", "亭妤", "芯語", "詠晴", "采潔", "宜蓁",
    ),
}  # fmt: skip

# English first names many people in Taiwan use in e-mail handles.
ENGLISH_NAMES: tuple[str, ...] = (
    "kevin", "jason", "eric", "david", "alex", "allen", "vincent", "tony", "jerry", "peter",
    "amy", "vivian", "grace", "emily", "cindy", "tina", "joyce", "irene", "sandy", "wendy",
)  # fmt: skip

EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.com", 55), ("yahoo.com.tw", 18), ("hotmail.com", 8), ("outlook.com", 8),
    ("msa.hinet.net", 7), ("icloud.com", 4),
)  # fmt: skip


class City(NamedTuple):
    name: str
    id_letter: str  # national ID area letter of people born/registered there
    weight: int  # share of our customers
    districts: tuple[str, ...]
    streets: tuple[str, ...]


CITIES: tuple[City, ...] = (
    City("台北市", "A", 22, ("信義區", "大安區", "中山區", "松山區", "內湖區", "士林區", "萬華區"),
         ("忠孝東路四段", "松仁路", "敦化南路一段", "復興北路", "民生東路三段", "南京東路五段",
          "內湖路一段", "中山北路六段", "西寧南路", "基隆路一段")),
    City("新北市", "F", 22, ("板橋區", "三重區", "中和區", "新莊區", "新店區", "永和區", "淡水區"),
         ("文化路一段", "中山路二段", "重新路三段", "中正路", "北新路二段", "永和路二段",
          "中華路一段", "景平路", "思源路", "中山路")),
    City("桃園市", "H", 10, ("桃園區", "中壢區", "平鎮區", "八德區", "龜山區"),
         ("中正路", "中山東路", "環中東路", "介壽路", "文化一路", "復興路")),
    City("新竹縣", "J", 4, ("竹北市", "竹東鎮", "湖口鄉"),
         ("光明六路", "自強南路", "中華路", "文興路", "嘉豐五路")),
    City("台中市", "B", 16, ("西屯區", "北屯區", "南屯區", "西區", "北區", "豐原區", "大里區"),
         ("台灣大道三段", "公益路二段", "文心路四段", "崇德路二段", "五權西路一段",
          "中清路二段", "中山路")),
    City("台南市", "D", 9, ("東區", "中西區", "永康區", "北區", "安平區", "仁德區"),
         ("中華東路一段", "民生路二段", "中正路", "健康路二段", "永華路二段", "北門路一段")),
    City("高雄市", "E", 14, ("左營區", "鼓山區", "三民區", "苓雅區", "前鎮區", "鳳山區", "楠梓區"),
         ("博愛二路", "明誠二路", "自由一路", "中華四路", "民族一路", "建國二路", "青年一路",
          "三多四路")),
    City("基隆市", "C", 3, ("仁愛區", "中正區", "七堵區"), ("愛一路", "信二路", "中正路")),
)  # fmt: skip


class StoreSpec(NamedTuple):
    name: str
    city: str
    address: str
    phone: str


# Store ids follow this order: S001, S002, ...; keep the order stable (golden data uses S001).
STORES: tuple[StoreSpec, ...] = (
    StoreSpec("台北信義旗艦門市", "台北市", "台北市信義區松高路19號1樓", "02-2722-0800"),
    StoreSpec("台北西門門市", "台北市", "台北市萬華區漢中街52號", "02-2388-1500"),
    StoreSpec("新北板橋門市", "新北市", "新北市板橋區文化路一段188號", "02-2968-3300"),
    StoreSpec("新北三重門市", "新北市", "新北市三重區重新路三段95號", "02-2986-7200"),
    StoreSpec("桃園中壢門市", "桃園市", "桃園市中壢區中正路210號", "03-425-6600"),
    StoreSpec("台中公益門市", "台中市", "台中市南屯區公益路二段51號", "04-2320-5500"),
    StoreSpec("台南中西門市", "台南市", "台南市中西區民生路二段166號", "06-222-9900"),
    StoreSpec("高雄巨蛋門市", "高雄市", "高雄市左營區博愛二路777號", "07-550-3300"),
)

COMPANY_PREFIXES: tuple[str, ...] = (
    "宏遠", "聯豐", "鼎泰", "永信", "群益", "台灣晶", "大同昌", "合勤", "新光遠", "瑞昇",
    "冠德", "長興", "寶成", "正隆", "華新", "晟鑫", "璟華", "佳和",
)  # fmt: skip
COMPANY_INDUSTRIES: tuple[str, ...] = (
    "科技", "國際貿易", "營造", "物流", "餐飲", "室內設計", "生技", "電子", "精密機械",
    "數位行銷", "不動產", "保全",
)  # fmt: skip
COMPANY_SUFFIXES: tuple[str, ...] = ("股份有限公司", "有限公司", "企業社")
COMPANY_SLUGS: tuple[str, ...] = (
    "hongyuan", "lianfeng", "dingtai", "yongxin", "qunyi", "twcrystal", "datong", "hejin",
    "xinguang", "ruisheng", "guande", "changxing", "baocheng", "zhenglong", "huaxin",
    "chengxin", "jinghua", "jiahe",
)  # fmt: skip

# Mobile prefixes in use in Taiwan; the generator skips the numbers golden.py reserves.
MOBILE_PREFIXES: tuple[str, ...] = (
    "0910", "0912", "0918", "0920", "0921", "0926", "0928", "0932", "0933", "0935", "0937",
    "0952", "0953", "0955", "0958", "0963", "0968", "0970", "0972", "0975", "0978", "0980",
    "0983", "0988",
)  # fmt: skip
