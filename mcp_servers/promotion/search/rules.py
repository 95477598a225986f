# ruff: noqa: E501  (regex tables read better unwrapped)
"""Word tables of the constraint parser (zh-TW, zh-CN, English), kept apart from its logic.

Each phrase row is (regex, kind, value, hard, label, strip-from-lexical). Texts are matched
after `tokenize.normalize` (NFKC, lower case). "early" rows run before the numeric rules
(negations such as 不降速 must win over 降速), "late" rows after them.
"""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, Any, bool, str, bool]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


_NEG = r"(?:不|不會|不会|不要|不想|不被|不能|不希望|沒有|没有|無|无|別|别|免|拒絕|拒绝)"
# A duration after a negated 綁 makes it "shorter than that", not "no contract" (不要綁三年).
_DURATION = r"(?:\d+|[零〇一二兩两三四五六七八九十]+)\s*(?:年|個月|个月)"
# 吃到飽 as people mistype it by sound (吃道飽, 吃倒飽, 呷到飽, 吃到包)
_EAT = r"(?:吃|呷)\s*[到倒道]\s*[飽饱包保寶宝]"
_UNLIMITED = (
    rf"(?:{_EAT}|到飽|到饱|不限量|無限量|无限量|不限流量|無限流量|无限流量|流量無限|流量无限|"
    r"無限上網|无限上网|上網無限|上网无限|上網不限|上网不限|流量不限|流量吃到飽|流量吃到饱|"
    r"unlimited(?! *(?:calls?|voice|talk|minutes|texts?|sms))(?: *(?:data|internet|plan))?|all[- ]you[- ]can[- ]eat)"
)

EARLY: list[Row] = [
    # speed: unthrottled unlimited vs. throttled after the cap
    (
        rf"{_NEG}\s*(?:被)?\s*(?:降速|限速|throttl\w*)|不\s*限速|not throttled|no throttl\w*|without throttl\w*"
        rf"|full[- ]speed|真(?:正的?)?\s*(?:{_EAT}|unlimited)|{_EAT}\s*不\s*(?:降速|限速)"
        r"|no (?:data )?cap|without (?:a )?(?:data )?cap|uncapped",
        "unlimited",
        True,
        True,
        "上網吃到飽（不降速）",
        True,
    ),
    (
        rf"(?:降速|限速)\s*(?:{_EAT}|也可以|也行|沒關係|没关系|可以接受|ok)|"
        rf"{_EAT}\s*(?:降速|限速)|用完\s*(?:降速|不斷網|不断网)|不斷網|不断网|throttled|"
        r"reduced speed|throttling (?:is )?(?:fine|ok)|降速|(?:不要|不會|不会|不想|不能)?\s*斷網|(?:不要|不會|不会|不想|不能)?\s*断网"
        r"|慢慢用|還能用|还能用|keeps? working|slows? down",
        "throttled",
        True,
        False,
        "接受降速吃到飽",
        True,
    ),
    (
        r"(?:(?:extra|additional) data (?:is )?)?(?:charged per use|pay[- ]per[- ]use|pay[- ]as[- ]you[- ]go)"
        r"(?: instead of (?:slowing down|being throttled|throttling))?|超量依量計費|依量計費|依量计费"
        r"|按量計費|按量计费|超量計費|超量计费|超量另計|超量另计",
        "pay_per_use",
        True,
        True,
        "超量依量計費",
        True,
    ),
    (
        # refused: 不用到吃到飽, 別推不限量的, 不考慮吃到飽, don't want unlimited
        r"(?:不需要|不用|不要|不想要|不必|用不到|用不完|不是|非|別|别|不考慮|不考虑|don'?t need|do not need|no need for|don'?t want|not|without|rather than|instead of)"
        r"\s*(?:推薦|推荐|推|給我|给我|介紹|介绍|到)?\s*(?:的)?\s*"
        + _UNLIMITED
        # 吃到飽太貴 / 那麼貴 / 用不完 / 太浪費: it is more than wanted
        + rf"|{_UNLIMITED}\s*(?:(?:那麼|那么|這麼|这么|太|好|很)?\s*(?:貴|贵|浪費|浪费)|用不到|用不完|too expensive|is overkill)|non[- ]unlimited"
        r"|fixed (?:data )?allowance|capped data|data cap(?:ped)?"
        # 吃到飽 改成有限量: the unlimited plan is the one left behind
        + rf"|(?:{_UNLIMITED}\s*(?:改成|改為|改为|換成|换成|降成|換到|换到|改))?\s*(?:有限量|有上限|固定流量|流量有上限)",
        "capped",
        True,
        True,
        "不要吃到飽（有上限的方案）",
        True,
    ),
    # fibre refused (不想拉光纖, 不裝寬頻): mobile data at home, i.e. a data-only SIM
    (
        r"(?:不想|不要|不用|不必|不需要|免|懶得|懒得|don'?t want(?: to)?|no)\s*(?:再)?\s*(?:拉|裝|装|接|申請|申请|辦|办|get|install)?\s*"
        r"(?:光纖|光纤|光世代|寬頻|宽带|宽频|網路線|网路线|第四台|fibre|fiber|broadband|cable)",
        "data_only",
        True,
        False,
        "純上網門號（不拉寬頻）",
        True,
    ),
    # unlimited voice before unlimited data ("語音無限" is not data)
    (
        r"(?:通話|通话|語音|语音|電話|电话|網內外|网内外|講電話|讲电话)\s*(?:要|要能|可以|都)?\s*"
        r"(?:無限|无限|吃到飽|吃到饱|打到飽|打到饱|不限|免費|免费)|(?:無限|无限)\s*(?:通話|通话|語音|语音|暢打|畅打)"
        r"|打到飽|打到饱|講到飽|讲到饱|unlimited *(?:calls?|voice|talk(?:time)?|minutes)",
        "voice_unlimited",
        True,
        True,
        "語音無限",
        True,
    ),
    (_UNLIMITED, "unlimited", True, True, "上網吃到飽", True),
    # never enough data, said as a complaint: uncapped first (a wish, not a filter)
    (
        r"(?:網路|网络|流量|上網量|上网量|data)\s*(?:都|老是|總是|总是|常常|常|每個月都|每个月都)?\s*不\s*(?:夠|够)\s*用?"
        r"|run(?:s|ning)? out of data|burn(?:s|ing)? through (?:my |all my )?data|never (?:have )?enough data",
        "unlimited",
        True,
        False,
        "流量常不夠（吃到飽優先）",
        False,
    ),
    # contract: none at all
    (
        rf"(?:(?:不|無|无|免|沒有|没有|不想|不要|不用)\s*(?:被)?\s*(?:合約|合约)?\s*(?:綁約|绑约|(?:綁|绑)(?![機机手]))"
        r"|不想被\s*(?:合約|合约)\s*(?:綁|绑)|(?:無|无|沒有|没有|不要)\s*(?:合約|合约)"
        r"|(?:不|不想|不要|不用|免|無需|无需|不需要|不必)\s*(?:簽|签)\s*(?:約|约|合約|合约)|無約|无约|零合約|零合约)"
        rf"(?!\s*(?:到|滿|满|超過|超过)?\s*{_DURATION})"
        r"|隨時(?:可以?)?解約|随时(?:可以?)?解约|no[- ]contract|no lock[- ]?in|cancel any ?time|without (?:a )?contract|without signing|contract[- ]free"
        r"|no commitment|month[- ]to[- ]month|prepaid|預付|预付",
        "contract",
        (0,),
        True,
        "無綁約",
        True,
    ),
    (
        r"短約|短约|合約短|合约短|約短一點|约短一点|合約不要太長|合约不要太长|short(?:er)? contract",
        "contract_max",
        24,
        False,
        "短約（≤ 24 個月）",
        True,
    ),
    # leaving the phone at home: a watch line (出門不用帶手機也能接電話), not a phone bought
    (
        r"(?:不用|不必|不需要|不需|免|不想|不要)\s*(?:再)?\s*(?:帶|带)\s*(?:著|着)?\s*(?:手機|手机)"
        r"|without (?:carrying|taking|bringing) (?:my|a|the) phone|leave (?:my|the) phone at home",
        "audience",
        "wearable",
        False,
        "裝置：手錶（不帶手機）",
        False,
    ),
    # device: not wanted, then wanted
    (
        r"(?:不|不用|不需要|不想|不要|沒有要|没有要)\s*(?:換|换|買|买|搭|綁|绑)?\s*(?:新)?\s*(?:手機|手机|機|机)"
        r"|單辦門號|单办门号|只辦門號|只办门号|純門號|纯门号|門號就好|门号就好|自備手機|自备手机"
        r"|自帶手機|自帶機|帶自己的手機|用自己的手機|用原本的手機|用舊手機"
        r"|sim[- ]only|no (?:new )?(?:phone|handset|device)|without (?:a )?(?:new )?(?:phone|handset|device)"
        r"|keep (?:my|the) (?:current |old )?phone|bring (?:my|your) own (?:phone|device)|byod"
        r"|not (?:bundled |paired )?with (?:a )?(?:new )?(?:phone|handset|device)"
        r"|(?:do ?n[o']t|do not) (?:need|want) a (?:new )?(?:phone|handset)|no need for a (?:new )?(?:phone|handset)",
        "device",
        False,
        True,
        "不搭手機",
        True,
    ),
    (r"單純續約|单纯续约", "device", False, True, "不搭手機", False),
    (
        r"含\s*(?:手機|手机)|搭\s*(?:手機|手机)|搭機|搭机|綁機|绑机|購機|购机|買手機|买手机|換手機|换手机"
        r"|換新機|换新机|換新手機|换新手机|換機|换机|送手機(?![殼壳套])|送手机(?![殼壳套])|手機專案|手机专案|搭配手機|搭配手机"
        r"|綁手機|绑手机|綁新手機|绑新手机|手機分期|手机分期|0\s*元手機|0\s*元手机|零元手機|零元手机"
        r"|換支手機|换支手机|換一支|换一支|換台手機|换台手机|phone included|handset included"
        r"|(?:換|换|買|买)\s*(?:一)?\s*(?:支|台|隻|只)(?=\s*(?:平價|平价|便宜|新|好|中階|中阶|入門|入门|高階|高阶|旗艦|旗舰)\s*(?:的)?\s*(?:手機|手机))"
        r"|buy a (?:new )?phone|phone upgrade|including a (?:new )?phone"
        r"|合約機|合约机|合約手機|合约手机|綁約手機|绑约手机|0\s*元機|0\s*元机|零元機|零元机|搭新機|搭新机"
        r"|phone deal|handset deal|phone on contract|(?<!自)帶\s*(?:新)?\s*手機|(?<!自)帶新機|附\s*(?:新)?\s*手機"
        r"|with (?:a )?(?:new )?(?:phone|handset|device)|phone bundle|bundled? (?:with )?(?:a )?phone"
        r"|new phone|upgrade (?:my )?phone"
        # a phone paired with a line (平價手機搭 4G), or 搭 + a model name the tables do not know
        r"|(?:手機|手机)\s*(?:搭配|搭|配)(?![約约])"
        r"|搭\s*(?=[a-z]{3,})(?!netflix|disney|spotify|youtube|kkbox|line|sim|esim|wi-?fi|5g|4g)"
        r"|(?:搭|含|配|送|換|换|買|买|帶|附)\s*(?=iphone|galaxy|pixel|ipad|apple watch|三星|蘋果|苹果|小米|紅米|oppo|華碩|华硕"
        r"|samsung|redmi|xiaomi|rog|asus|s2\d|z ?fold|z ?flip)",
        "device",
        True,
        True,
        "搭手機",
        False,
    ),
]

# A superlative asks for the fee order itself, not only for a low fee (parser.on_cheapest).
CHEAPEST = r"最便宜|越便宜越好|愈便宜愈好|最低價|月租最低|最省錢|最划算|cheapest|lowest (?:price|fee|monthly)"

LATE: list[Row] = [
    # a small budget or a wish not to spend much, in words (round 8)
    (
        r"(?:預算|预算)\s*(?:很|比較|比较)?\s*(?:低|不高|不多|少|緊|紧)|(?:不想|不要|不願|不愿意?)\s*花\s*(?:太多|很多|大錢|大钱)(?:\s*(?:錢|钱))?"
        r"|(?:low|tight|small|limited) budget|budget is (?:tight|low|limited)|(?:don'?t|do not) want to spend (?:too |so |that )?much",
        "cheap",
        True,
        False,
        "月租低優先",
        False,
    ),
    (
        r"新手機|新手机|handset",
        "device",
        True,
        False,
        "搭手機（品牌）",
        False,
    ),
    (
        r"便宜|最便宜|省錢|省钱|平價|平价|小資|小资|低月租|月租低|降月租|預算有限|预算有限|划算|實惠|实惠"
        r"|cheap(?:est|er)?|affordable|budget|inexpensive|lowest price|low[- ]cost"
        # "not too dear" and "good value" ask for a low fee too
        r"|不貴|不贵|(?:不要|不會|不会|別|别|不能|不可以)\s*太\s*(?:貴|贵)|月費低|月费低|月付低"
        r"|(?:月租|月費|月费|月付|費用|费用|價格|价格)\s*(?:不要|不想|別|别|不能|不可以)\s*太\s*(?:高|多)"
        r"|cp\s*值|性價比|性价比|高\s*cp|not (?:too |very )?expensive|cost[- ]effective|value for money|good value",
        "cheap",
        True,
        False,
        "月租低優先",
        False,
    ),
    (
        r"純上網|纯上网|只要上網|只要上网|只上網|只上网|不用通話|不用通话|不需要通話|不需要通话|不用打電話"
        r"|不需要語音|不需要语音|不含語音|不含语音|data[- ]only|no calls|分享器|路由器|router|行動網卡"
        r"|行动网卡|網卡|网卡|mifi",
        "data_only",
        True,
        False,
        "純上網門號",
        False,
    ),
    # music before video: 音樂串流 is music, not the generic 串流
    (
        r"音樂串流|音乐串流|聽音樂|听音乐|音樂|音乐|music",
        "streaming",
        "music",
        False,
        "音樂串流",
        False,
    ),
    (
        r"串流|streaming|影音平台|影音服務|影音服务|video service|追劇|追剧|看劇|看剧|韓劇|韩剧|日劇|日剧"
        r"|美劇|美剧|看影片|影集|(?<![a-z])streams?(?![a-z])|binge[- ]?watch\w*|watch(?:es|ing)? (?:a lot of |lots of )?(?:shows|series|movies)",
        "streaming",
        "video",
        False,
        "影音串流",
        False,
    ),
]

LATE += [
    (
        r"有送東西|送東西|送东西|有送禮|有送礼|送禮|送礼|有贈品|贈品|赠品|附贈|附赠|有禮物|有礼物"
        r"|free gifts?|with (?:a )?(?:free )?gift|freebies?|gifts? included"
        r"|有送什麼|有送什么|送什麼|送什么|有什麼禮|有什么礼|what (?:do|does) (?:i|it|he|she|they|the customer) get|anything (?:for )?free",
        "gift",
        True,
        True,
        "有贈品",
        True,
    ),
    (
        r"要能打電話|能打電話|可以打電話|要能打电话|能打电话|可以打电话|要有通話|要有通话|要能講電話"
        r"|手機方案|手机方案|手機門號|手机门号|with calls|voice calls|make calls|phone calls"
        r"|phone (?:plan|line|number)|mobile (?:plan|line)|cell(?:phone)? plan"
        # a phone (not bought, not a brand's name for it) means a line with voice
        r"|(?<![換换買买搭綁绑新果米星碩硕])(?<!google )(?:手機|手机)(?![殼壳套架]|專案|专案|優惠|优惠)",
        "voice_needed",
        True,
        False,
        "要有通話",
        False,
    ),
    # heavy use said in words, no number: a preference for plans that carry it
    (
        r"多講電話|多讲电话|(?:講|讲|打)電話\s*(?:講)?\s*(?:很多|很久|多|很長|很长)|(?:講|讲|打)电话\s*(?:很多|很久|多)"
        r"|(?:常|很常|經常|经常|每天)\s*(?:講|讲|打)\s*(?:電話|电话)|(?:通話|通话|電話|电话)\s*(?:量)?\s*(?:很多|多|大|很大)(?!少)"
        r"|talks? a lot|on the phone a lot|calls? a lot|lots of calls|many calls|heavy caller",
        "voice_min",
        300,
        False,
        "通話量大（≥ 300 分鐘）",
        False,
    ),
    (
        r"大流量|流量\s*(?:要)?\s*(?:很大|大|很多|多)(?!少)|(?:很多|更多|多一點|多一点|大一點|大一点)\s*(?:的)?\s*流量"
        r"|上網量\s*(?:很)?大|上网量\s*(?:很)?大|(?:網路|网络|上網|上网)\s*用\s*(?:很多|很兇|很凶|很大)"
        r"|heavy data|data[- ]heavy|lots of data|a lot of data|plenty of data|more data|big data allowance"
        r"|heavy (?:data )?user|power user|重度(?:使用者|用戶|使用|上網)|上網重度|網路重度",
        "data_min",
        20,
        False,
        "大流量（≥ 20GB）",
        False,
    ),
]

LATE += [
    (
        r"很少上網|上網很少|幾乎不上網|不太上網|很少用網路|網路很少用|網路用不多|网络用不多|上網用不多|用量不大|用量很少|hardly (?:ever )?use (?:any )?data"
        r"|barely use (?:any )?data|don'?t use (?:much|a lot of) data|very little data|light data user"
        r"|only (?:use |on )?wi-?fi|mostly (?:use |on )?wi-?fi|use wi-?fi at home",
        "data_light",
        1.0,
        False,
        "上網很少（1–6GB）",
        False,
    ),
    (
        r"(?<![a-z])lag(?:gy|ging|s)?(?![a-z])|高\s*ping|ping\s*值",
        "audience",
        "gamer",
        False,
        "對象：手遊玩家",
        False,
    ),
    # travel abroad without the word 漫遊: a preference for the roaming plans
    (
        r"出國|國外|海外|abroad|overseas|travel(?:s|ling|ing)? (?:a lot|often|internationally)"
        r"|international travel",
        "perk",
        "roaming",
        False,
        "國際漫遊",
        False,
    ),
]

PHRASES: dict[str, list[Row]] = {"early": EARLY, "late": LATE}

# Words naming a line's use without a phone (a data SIM, a router, a POS, a second device, home
# internet replaced): constraints.ParsedQuery.defaults drops the phone-line default for them.
NO_VOICE = (
    r"行動上網|行动上网|上網卡|上网卡|網卡|网卡|數據卡|数据卡|分享器|路由器|router|pocket|data[- ]?sim|sim card for"
    r"|data[- ]only|(?<![a-z])pos(?![a-z])|物聯網|物联网|(?<![a-z])iot|監視器|监视器|平版|平板|tablet|(?<![a-z])tab(?![a-z])"
    r"|筆電|笔电|laptop|一號多機|一号多机|多機|多机|手錶|手表|watch|車用|车用|車上|车上|in the car"
    r"|(?:取代|代替|替代|replace)|純上網|纯上网|只要上網|只要上网"
)

# Before an audience word: that audience is not wanted ("不要學生方案", "not a student").
AUDIENCE_NEG = (
    r"不要|不是|不用|不需要|不想要|非|別給|别给|排除|除了"
    # refused with a recipient or a verb between: 別給我學生方案, 不要推長輩的 (round 8)
    r"|(?:別|别|不要|不用)\s*(?:給|给|推|推薦|推荐|介紹|介绍)\s*(?:我|我們|我们|客人)?\s*"
    r"|(?<![a-z])(?:don'?t|do not) (?:give|show|offer|recommend) (?:me |us )?(?:any )?"
    r"|(?<![a-z])(?:not|no|non-?)\s*(?:a |an |for |the )?"
)
# Before 4G / 5G: that generation is not wanted ("不要 5G", "not 5G", "non-5G").
NETWORK_NEG = r"不要|不用|不需要|不是|非|不考慮|不考虑|(?<![a-z])(?:not interested in|don'?t (?:need|want)|no need for|not|no|non-?)\s*"

# How people ask, not what they ask for: left in the lexical text these match whichever few
# sheets happen to contain 方案 or "line" and outrank the plans the constraints point to.
FILLER = (
    r"有哪些|有什麼|有什么|有沒有|有没有|哪一個|哪一个|哪個|哪个|哪些|那個|那个|這個|这个|請問|请问|的方案|方案|套餐"
    r"|資費|资费|推薦|推荐|幫我|帮我|給我|给我|我想|我要|想找|想要|一下|可以嗎|可以吗|嗎|吗|呢"
    # one function character left alone once the constraint words are taken (只綁兩年 → 只)
    r"|(?<![\u4e00-\u9fff])[只就才也都還还的了](?![\u4e00-\u9fff])"
    r"|(?<![a-z])(?:any|which|what|is there|are there|do you have|have|the|a|an|one|ones|with|for|of|and|i|i'm|im"
    r"|me|my|want|need|looking for|please|plans?|deals?|options?|get|can|its|own|there|that|some)(?![a-z])"
)

# Perks the catalogue names as gifts: naming one is a hard filter. Others only boost.
HARD_PERKS = frozenset(
    {"netflix", "disney+", "spotify", "roaming", "power_bank", "voucher", "earbuds", "charger",
     "fibre", "bill_credit", "phone_case"}
)  # fmt: skip
PERK_LABELS = {
    "netflix": "贈 Netflix", "disney+": "贈 Disney+", "spotify": "贈 Spotify",
    "roaming": "國際漫遊", "power_bank": "贈行動電源", "voucher": "贈禮券", "earbuds": "贈耳機",
    "charger": "贈充電器", "phone_case": "贈手機殼/保護貼", "bill_credit": "回饋金/月租折抵",
    "fibre": "光纖寬頻", "anti_fraud": "防詐", "multi_device": "一號多機", "price_drop": "降價續約",
}  # fmt: skip
# Services people name that the catalogue does not bundle: a boost for plans with one.
OTHER_STREAMING: dict[str, tuple[str, ...]] = {
    "video": _words(
        "youtube|hbo|kktv|apple tv|friday影音|myvideo|line tv|catchplay|愛奇藝|爱奇艺"
        "|iqiyi|prime video|amazon prime|愛爾達|爱尔达|elta|bilibili|動畫瘋|动画疯|優酷|优酷"
        "|騰訊視頻|腾讯视频"
    ),
    "music": _words("kkbox|apple music|youtube music|網易雲|网易云|qq音樂|qq音乐"),
}
