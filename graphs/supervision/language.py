"""Language helpers for supervision: zh-TW / zh-CN / en detection, text folding, system messages.

Why here: the policy, the sentiment lexicon and the system notices all need the same answer to
"which Chinese is this?" and the same normalised text, and the seed wants every client-facing
notice ("人工服務已結束，AI 已接管") in the customer's language from one table.

Detection is a heuristic, not a model: count characters that exist only in Traditional or only in
Simplified script (from the pair table below); ties (e.g. "你好", "人工" are the same in both)
fall back to the caller's default, which is zh-TW for this Taiwan-market service.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Final, Literal, get_args

Language = Literal["zh-TW", "zh-CN", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "zh-TW"

# Traditional → Simplified pairs, written "繁简繁简…". Folding maps the first of each pair to the
# second, so lexicons and keyword lists can be written in either script and still match both.
_PAIRS: Final[str] = (
    "轉转話话說说請请問问題题這这個个們们來来時时會会對对過过還还裡里裏里為为爲为與与號号訊讯"
    "務务費费帳账賬账單单開开關关電电網网機机線线綫线點点樣样實实現现經经歷历曆历發发髮发當当"
    "應应覺觉氣气憤愤惱恼爛烂謝谢錢钱賠赔償偿權权訴诉師师檢检舉举報报騙骗詐诈處处辦办麼么麽么"
    "沒没無无別别須须嗎吗讓让給给幫帮煩烦謂谓邊边難难聽听見见東东車车馬马門门間间語语讀读寫写"
    "學学習习據据選选擔担護护證证認认識识計计設设備备環环續续約约絡络終终結结統统總总級级紅红"
    "緊紧編编練练組组細细繼继價价傳传優优傷伤兒儿內内兩两動动勞劳區区協协卻却歲岁歸归殺杀滿满"
    "灣湾燈灯爭争獨独獲获穫获產产畫画異异療疗盡尽監监眾众衆众確确碼码禮礼種种穩稳筆笔節节範范"
    "簡简紙纸純纯績绩維维縣县繳缴罰罚義义聯联聲声職职臉脸興兴舊旧藝艺衛卫補补裝装製制複复復复"
    "規规視视親亲觀观觸触訂订記记訪访許许評评詞词試试詢询該该詳详誇夸誤误誠诚調调談谈論论諮咨"
    "講讲變变讚赞贊赞豐丰負负財财貨货貴贵買买賣卖質质購购趕赶軟软較较載载輕轻輸输農农運运進进"
    "遊游達达違违遠远適适遲迟遺遗醫医釋释錄录錯错鍵键鐘钟鐵铁長长閉闭閱阅隊队陰阴陳陈陸陆陽阳"
    "隨随險险隱隐雖虽雙双雜杂離离靈灵靜静響响頁页項项順顺預预領领頭头頻频額额顏颜願愿類类顧顾"
    "顯显風风飛飞飯饭館馆驗验體体鬧闹齊齐龍龙態态專专員员啟启壞坏夠够媽妈寶宝導导將将層层屬属"
    "幹干廢废廣广張张強强從从戶户戲戏擊击擾扰攜携敗败數数斷断書书條条極极樂乐標标況况減减測测"
    "溫温滅灭漲涨災灾狀状獎奖畢毕簽签籤签糾纠紀纪納纳絕绝綁绑綜综緩缓縮缩繫系罵骂羅罗腦脑臺台"
    "檯台颱台華华萬万葉叶蘋苹虧亏術术衝冲襪袜託托誰谁課课諒谅謊谎議议譽誉貓猫賺赚賴赖賽赛蹤踪"
    "軍军辭辞連连週周遞递鄰邻銀银銷销鏈链鏡镜闆板闖闯際际隻只雞鸡雲云韓韩頓顿饋馈驚惊髒脏鬥斗"
    "麵面黃黄惡恶噁恶譜谱勁劲癡痴討讨厭厌憑凭騷骚瘋疯謬谬丟丢滾滚兇凶殘残鬱郁後后於于餘余"
    "資资檔档憂忧慮虑戰战歡欢謹谨剛刚掃扫廳厅搶抢換换揮挥擇择擁拥擴扩歐欧濕湿爾尔牽牵猶犹獄狱"
    "盜盗稱称窮穷競竞糧粮繩绳繪绘罷罢聰聪腳脚膚肤莊庄蓋盖薦荐藥药蘇苏虛虚覽览訓训診诊詩诗諸诸"
    "謀谋謠谣譯译貝贝貫贯貪贪貧贫貸贷貼贴貿贸賀贺賓宾賞赏贈赠贏赢趙赵跡迹踐践躍跃軌轨輛辆輪轮"
    "辯辩邏逻郵邮鄉乡鈕钮鋼钢鍋锅鎖锁鎮镇鑰钥閃闪闊阔陣阵頂顶顆颗飄飘飽饱養养餓饿騎骑驅驱"
    "魯鲁鮮鲜鳳凤鹽盐麗丽黨党齒齿龜龟勸劝厲厉參参嚴严團团圍围圓圆圖图壓压場场塊块夢梦奪夺奮奋"
    "婦妇孫孙寧宁審审尋寻帥帅帶带幣币庫库彎弯憶忆懶懒懷怀戀恋損损擋挡擬拟擠挤擺摆攔拦敵敌曉晓"
    "構构槍枪樓楼橋桥櫃柜殘残淚泪淺浅湧涌溝沟匯汇滙汇漢汉潔洁澤泽濃浓濟济烏乌煙烟熱热爐炉牆墙"
    "獅狮疊叠癢痒盤盘礙碍稅税窩窝竊窃篩筛籌筹紐纽紛纷紹绍絲丝綠绿綱纲緒绪締缔緣缘縫缝織织繞绕"
    "聞闻膠胶膽胆臟脏艱艰蘭兰蟲虫訝讶訟讼誕诞諾诺謎谜貢贡責责販贩賊贼輔辅轟轰遙遥遷迁鈔钞鈴铃"
    "銳锐閒闲閘闸階阶頑顽顛颠飲饮駕驾駛驶魚鱼鳥鸟鳴鸣麥麦黴霉誌志準准註注勵励針针賤贱"
    "營营業业幾几則则撥拨啓启徑径臨临劃划鬆松兌兑廠厂寬宽纜缆屆届獻献決决啞哑嬤嬷掛挂暫暂爺爷禍祸聾聋國国"
)

# Simplified forms that Traditional (Taiwan) text also uses every day (台灣, 只有, 面對, 系統 …):
# they fold fine but say nothing about which script the writer uses.
_SHARED_FORMS: Final[frozenset[str]] = frozenset("台里只干面周板系斗云叶范制后于余凶郁志准注托冲")

T2S: Final[Mapping[str, str]] = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}
_TRADITIONAL_ONLY: Final[frozenset[str]] = frozenset(T2S) - _SHARED_FORMS - set(T2S.values())
_SIMPLIFIED_ONLY: Final[frozenset[str]] = frozenset(T2S.values()) - _SHARED_FORMS - set(T2S)


def fold_char(char: str) -> str:
    """Fold one character: NFKC (full-width → ASCII), lower-case, Traditional → Simplified.

    One character in, one character out, so offsets in folded text are offsets in the original.
    """
    folded = unicodedata.normalize("NFKC", char).lower()
    if len(folded) != 1:
        folded = char
    folded = folded.replace("\u2019", "'").replace("\u2018", "'")
    return T2S.get(folded, folded)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Fold text for matching (see `fold_char`); length-preserving."""
    return "".join(fold_char(c) for c in text)


def fold_pattern(pattern: str) -> str:
    """A regex written for folded text, with its Traditional characters folded as the text's are
    (only those: lower-casing or NFKC would change its escapes, \\S into \\s, ？ into ?). A rule
    set written in either script then matches, as keyword literals do (`keywords._term_pattern`)."""
    return "".join(T2S.get(c, c) for c in pattern)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def detect_language(text: str, default: Language = DEFAULT_LANGUAGE) -> Language:
    """Guess zh-TW / zh-CN / en from the text itself.

    English wins when Latin words outnumber CJK characters; otherwise the script with more
    script-specific characters wins, and a tie (no telling characters) returns `default`
    (use zh-TW or zh-CN there; an `en` default for a Chinese tie would be wrong).
    """
    cjk = sum(1 for c in text if _is_cjk(c))
    latin_words = sum(
        1 for w in "".join(c if c.isascii() and c.isalpha() else " " for c in text).split()
    )
    # kana, hangul, Thai, Cyrillic …: a language we do not write notices in; English is the
    # sensible fallback (Chinese would be wrong for a Japanese or Korean reader)
    other = sum(1 for c in text if c.isalpha() and not c.isascii() and not _is_cjk(c)
                and not unicodedata.name(c, "").startswith("LATIN"))  # fmt: skip
    if other > cjk:
        return "en"
    if cjk == 0:
        return "en" if latin_words else default
    if latin_words > cjk:
        return "en"
    traditional = sum(1 for c in text if c in _TRADITIONAL_ONLY)
    simplified = sum(1 for c in text if c in _SIMPLIFIED_ONLY)
    if traditional > simplified:
        return "zh-TW"
    if simplified > traditional:
        return "zh-CN"
    return default if default != "en" else DEFAULT_LANGUAGE


_PROFILE_ALIASES: Final[Mapping[str, Language]] = {
    "zh-tw": "zh-TW",
    "zh-hant": "zh-TW",
    "zh-hk": "zh-TW",
    "zh-mo": "zh-TW",
    "zh-cn": "zh-CN",
    "zh-hans": "zh-CN",
    "zh-sg": "zh-CN",
    "en": "en",
}


def normalise_language(code: str | None) -> Language | None:
    """Map a profile language tag (zh-Hant, zh_TW, en-US …) to a supported language, or None."""
    if not code:
        return None
    tag = code.strip().replace("_", "-").lower()
    if tag in _PROFILE_ALIASES:
        return _PROFILE_ALIASES[tag]
    if tag.startswith("en-"):
        return "en"
    if tag.startswith("zh-hant"):
        return "zh-TW"
    if tag.startswith("zh-hans"):
        return "zh-CN"
    return None


def resolve_language(text: str, profile_language: str | None = None) -> Language:
    """The language to answer in: a supported profile language wins, else detect from the text.

    A bare "zh" profile only says "Chinese", so the text decides the script (default zh-TW).
    Unsupported profile languages (de, ja …) fall back to detection, which yields en for Latin
    text and for scripts we have no notices in (kana, hangul, Thai …).
    """
    chosen = normalise_language(profile_language)
    if chosen is not None:
        return chosen
    return detect_language(text)


SystemMessageKey = Literal[
    "escalated",
    "agent_joined",
    "transferred",
    "released",
    "escalation_cancelled",
    "offline",
    "closed",
]

# Every client-facing system notice, in one place. `{agent_name}` is filled by `system_message`.
SYSTEM_MESSAGES: Final[Mapping[SystemMessageKey, Mapping[Language, str]]] = {
    "escalated": {
        "zh-TW": "已為您轉接人工客服，請稍候。",
        "zh-CN": "已为您转接人工客服，请稍候。",
        "en": "We're connecting you to a human agent, please wait.",
    },
    "agent_joined": {
        "zh-TW": "客服人員 {agent_name} 已加入對話。",
        "zh-CN": "客服人员 {agent_name} 已加入对话。",
        "en": "{agent_name} (human agent) has joined the chat.",
    },
    "transferred": {
        "zh-TW": "對話已轉接給客服人員 {agent_name}。",
        "zh-CN": "对话已转接给客服人员 {agent_name}。",
        "en": "You've been transferred to {agent_name}.",
    },
    "released": {
        "zh-TW": "人工服務已結束，AI 已接管",
        "zh-CN": "人工服务已结束，AI 已接管",
        "en": "The human agent has left; the AI assistant is back.",
    },
    "escalation_cancelled": {
        "zh-TW": "已取消轉接人工客服，AI 助理將繼續為您服務。",
        "zh-CN": "已取消转接人工客服，AI 助理将继续为您服务。",
        "en": "The request for a human agent was cancelled; the AI assistant will carry on.",
    },
    "offline": {
        "zh-TW": "目前為非服務時間，客服人員上班後將以電子郵件回覆您。",
        "zh-CN": "目前为非服务时间，客服人员上班后将通过电子邮件回复您。",
        "en": "Our agents are offline right now; we'll reply by e-mail when we're back.",
    },
    "closed": {
        "zh-TW": "對話已結束，感謝您的來訊。",
        "zh-CN": "对话已结束，感谢您的咨询。",
        "en": "This conversation has been closed. Thank you for contacting us.",
    },
}


def system_message(key: SystemMessageKey, language: Language, **values: str) -> str:
    """One system notice in `language`, with `{placeholders}` filled from `values`."""
    return SYSTEM_MESSAGES[key][language].format(**values)


# frequent English function words, and frequent ones of the other Latin-script languages
# customers write in (de, es, fr, id, vi) that English does not use
# ("me", "no", "a", "in" are left out: Spanish, French and German use them too)
_ENGLISH: Final = frozenset((
    "the", "an", "to", "i", "i'm", "you", "your", "my", "is", "are", "it", "this", "that",
    "and", "of", "for", "with", "be", "not", "have", "has", "do", "does", "can", "could",
    "would", "will", "what", "how", "why", "when", "where", "please", "get", "just", "was",
    "someone", "anyone", "who", "than", "there", "they", "we", "our", "us", "at", "from", "by",
    "if", "all", "so", "but", "or", "about", "here", "now", "want", "need", "don't", "can't",
    "it's", "i've", "i'll", "you're", "been", "had", "were", "am", "did", "any", "some",
    "still", "again", "yet", "already", "keep", "someone", "somebody", "one",
))  # fmt: skip
_NOT_ENGLISH: Final = frozenset((
    "ich", "und", "nicht", "mit", "ist", "sie", "der", "die", "das", "ein", "eine", "mein",
    "que", "el", "los", "las", "por", "para", "una", "con", "hay", "je", "vous", "est", "les",
    "des", "pour", "avec", "une", "saya", "yang", "dengan", "tidak", "tôi", "không", "es", "y",
    "mi", "lo", "se", "su", "del", "al", "pero", "puede", "quiero", "tengo", "alguien", "nicht",
))  # fmt: skip


def meaning_size(text: str) -> int:
    """How much a turn says: its Chinese characters and kana, plus two per Latin word (an
    English word carries about two characters of meaning)."""
    folded = fold(text)
    cjk = sum("\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in folded)
    return cjk + 2 * len(re.findall(r"[a-z0-9']*[a-z][a-z0-9']*", folded))


def covered(text: str) -> bool:
    """Written in a language the bank holds ~100 phrasings of (Chinese, English; Japanese
    rides on its kanji): only there do the nearest examples by n-grams name any intent. In
    German or Spanish they matched on function words ("ich", " me ") and named a polite
    request a legal threat (critical)."""
    letters = [c for c in fold(text) if c.isalpha()]
    if not letters:
        return False
    if sum("\u3040" <= c <= "\u9fff" for c in letters) * 2 >= len(letters):
        return True
    words = [w.strip("'") for w in re.sub(r"[^\w\s']", " ", fold(text)).split() if w]
    english = sum(w in _ENGLISH for w in words)
    return (
        all(c.isascii() for c in letters)
        and english * 5 >= len(words)  # an English sentence is mostly function words
        and not any(w in _NOT_ENGLISH for w in words)
    )
