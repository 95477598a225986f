# ruff: noqa: E501  (word tables read better unwrapped)
"""The audiences a query can name (zh-TW, zh-CN, English), apart from the parser's other tables.

Each entry: canonical audience -> (words that name or describe a member, the label staff see).
The four identities (student, senior, military_civil, company) decide whether a query names
one (`ParsedQuery.defaults`); the others are groups the sheets address.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


AUDIENCE_WORDS: dict[str, tuple[tuple[str, ...], str]] = {
    "student": (
        _words(
            "學生|学生|大學生|大学生|高中生|研究生|學子|学子|校園|校园|student|college|university|開學|开学"
            "|高中|國中|国中|初中|大學|大学|在學|在学|念書|念书|high school|undergrad|uni student"
            "|研究所|碩士|博士|大專|專科|青少年|teenager|grad student"
        ),
        "對象：學生",
    ),
    "senior": (
        _words(
            "長輩|长辈|銀髮|银发|銀發|老人|年長|年长|樂齡|乐龄|長青|长青|爺爺|爷爷|奶奶|阿公|阿嬤|阿嬷|外婆|外公|年紀大|年纪大"
            "|senior|elderly|retiree|grandparent|grandma|grandpa|65歲|65岁|65 歲|65 岁"
            "|老年|長者|长者|退休|retired|pensioner|爸媽|爸妈|父母|my parents|老爸|老媽|老妈"
            "|阿伯|阿婆|阿媽|老先生|老太太|老奶奶|老爺爺|65+|65 +|old folks"
            "|my mom|my mum|my mother|my dad|my father|grandmother|grandfather|granny|mom and dad"
            # someone described, not named: a grandparent, an elder's phone
            "|孫子|孫女|孫兒|孙子|孙女|grandkids|grandchildren|grandson|granddaughter"
            "|大字體|大字体|big font|large font"
        ),
        "對象：長輩",
    ),
    "military_civil": (
        _words(
            "軍公教|军公教|軍人|军人|公務員|公务员|公務人員|公务人员|公教|教職員|教职员|教師|教师|老師|老师|警察|消防|military|civil servant|teacher"
            "|police|government employee|soldier"
        ),
        "對象：軍公教",
    ),
    "company": (
        _words(
            "企業|企业|公司|商務|商务|法人|統編|统编|統一編號|统一编号|員工|员工|business|company|corporate"
            "|employees|sme"
            # a shop described: its till and devices need a company line
            "|pos機|pos 機|pos机|收銀機|收银机|物聯網|物联网|開店的|开店的|店家|商家|point of sale"
        ),
        "對象：企業",
    ),
    "family": (
        _words(
            "家庭|全家|家人|親子|亲子|小孩|孩子|小朋友|兒童|儿童|兒子|儿子|女兒|女儿|副號|副号|family|kids|children|parent"
            "|my kid|my son|my daughter|my child|kid's"
        ),
        "對象：家庭",
    ),
    "gamer": (
        _words(
            "手遊|手游|電競|电竞|遊戲|游戏|打game|gaming|gamer|esports|video games|mobile games"
            "|打電動|電動|傳說對決|原神|英雄聯盟|絕地求生|吃雞|寶可夢|pubg|fortnite|低延遲|延遲|卡頓"
            "|實況主|實況|直播主|開直播|streamer|twitch|youtuber"
        ),
        "對象：手遊玩家",
    ),
    "tablet": (_words("平板|ipad|tablet|galaxy tab"), "裝置：平板"),
    "wearable": (_words("手錶|手表|智慧錶|智能手表|watch|穿戴|wearable"), "裝置：手錶"),
    # no identity asked: plans anyone may apply for (the identity plans last, not removed)
    "general": (
        _words(
            "一般人|一般民眾|一般民众|一般用戶|一般用户|一般門號|一般门号|一般身分|一般身份|一般客戶|一般客户"
            "|一般消費者|一般大眾|一般大众|一般上班族|一般方案|普通人|普通用戶|普通用户|普通門號|普通门号"
            "|普通方案|不用身分|不用身份|不需身分|不需要身分|不限身分|不限身份|沒有身分|没有身份|無身分"
            "|任何人都能辦|任何人都可以辦|誰都能辦|谁都能办|general public|regular person|regular people"
            "|regular customer|regular plan|normal plan|ordinary|no id required|anyone can"
        ),
        "對象：一般（不限身分）",
    ),
}
