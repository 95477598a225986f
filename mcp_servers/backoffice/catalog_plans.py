"""The tariff and promotion sheet of the demo Promotion system.

Each row is one plan as the marketing department publishes it. Plan ids are positions in `PLANS`
(P001, P002, ...) and golden.py depends on some of them: append new rows at the end.

Roles: `tariff` = a standard contract tariff customers sit on today; `legacy` = a tariff that is no
longer sold (lines still use it); `basic` = no-contract monthly plan; `promo` = a renewal offer.
Lines are only ever put on `tariff`/`legacy` plans, so every promotion is a real change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mcp_servers.backoffice.records import CreditGrade, EligibilityRules, Identity, PlanType

Role = Literal["tariff", "legacy", "basic", "promo"]


@dataclass(frozen=True)
class PlanSpec:
    name: str
    plan_type: PlanType
    fee: int
    data_gb: float | None  # None = 吃到飽
    voice: int | None  # off-net (or total) minutes; None = unlimited
    months: int
    target: str
    highlight: str  # the one sentence that makes this sheet different from the others
    role: Role = "promo"
    cap_mbps: float | None = None  # speed after the data allowance is used up
    on_net: bool = True
    sms: int = 0
    gifts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    with_device: bool = False
    discount: int = 0
    rules: EligibilityRules = field(default_factory=EligibilityRules)


def _r(
    tenure: int = 0,
    fee: int = 0,
    types: tuple[PlanType, ...] = (),
    identity: Identity | None = None,
    renewal: Literal["with_device", "plain", "any"] = "any",
    grade: CreditGrade = "C",
) -> EligibilityRules:
    return EligibilityRules(
        min_tenure_months=tenure,
        min_current_monthly_fee=fee,
        allowed_current_plan_types=list(types),
        required_identity=identity,
        renewal_type=renewal,
        max_credit_grade=grade,
    )


_OLD = "本方案已停止新申辦，僅供原用戶續用"

PLANS: tuple[PlanSpec, ...] = (
    # --- 4G tariffs (P001-P007) ----------------------------------------------------------------
    PlanSpec("4G 輕速 299", "4G", 299, 3, 30, 30, "通話為主、上網需求低的用戶",
             "月租最低門檻，備用機、長輩機都划算", role="tariff", sms=10),
    PlanSpec("4G 輕速 399", "4G", 399, 6, 60, 30, "偶爾上網、LINE 通訊為主的用戶",
             "LINE、地圖、查公車都夠用的入門選擇", role="tariff", sms=20),
    PlanSpec("4G 暢遊 499", "4G", 499, 12, 100, 30, "通勤滑手機的上班族",
             "用完不斷網，通勤看新聞、聽音樂剛剛好", role="tariff", cap_mbps=1, sms=30),
    PlanSpec("4G 暢遊 599", "4G", 599, 20, 150, 30, "社群重度使用者",
             "IG、FB 滑整天也不怕，超量降速照樣通", role="tariff", cap_mbps=2, sms=50),
    PlanSpec("4G 暢遊 799", "4G", 799, 40, 300, 30, "常看影片的上班族與家庭",
             "40GB 大流量，出差旅遊開熱點也安心", role="tariff", cap_mbps=5, sms=50),
    PlanSpec("4G 吃到飽 999", "4G", 999, None, 400, 30, "上網重度用戶",
             "4G 不限量，追劇、直播、雲端備份一次搞定", role="tariff", sms=100),
    PlanSpec("4G 無限暢打 1199", "4G", 1199, None, None, 30, "業務員與講電話時間長的用戶",
             "上網吃到飽，語音網內外全免費，電話講再久都不用算", role="tariff", sms=100),
    # --- 5G tariffs (P008-P014) ----------------------------------------------------------------
    PlanSpec("5G 入門 599", "5G", 599, 15, 100, 30, "想先體驗 5G 的用戶",
             "5G 門檻最低價，網速升級不必多花錢", role="tariff", cap_mbps=3, sms=30),
    PlanSpec("5G 精選 799", "5G", 799, 30, 200, 30, "追劇通勤族",
             "5G 高速 30GB，用完仍有 5Mbps 可看影片", role="tariff", cap_mbps=5, sms=50),
    PlanSpec("5G 暢享 999", "5G", 999, 60, 300, 30, "上網量中高的上班族",
             "60GB 5G 大流量，超量後 10Mbps 高速續用", role="tariff", cap_mbps=10, sms=100),
    PlanSpec("5G 極速吃到飽 1199", "5G", 1199, None, 300, 30, "5G 重度用戶",
             "5G 不限速吃到飽，熱點分享也不限量", role="tariff", sms=100),
    PlanSpec("5G 極速吃到飽 1399", "5G", 1399, None, 500, 30, "5G 重度用戶與行動工作者",
             "5G 吃到飽不限速，網外通話加量到 500 分鐘", role="tariff", sms=100),
    PlanSpec("5G 飆速吃到飽 1599", "5G", 1599, None, 800, 36, "影音創作者與行動辦公族",
             "5G 優先頻寬，尖峰時段也保持高速", role="tariff", sms=200),
    PlanSpec("5G 旗艦尊榮 1999", "5G", 1999, None, None, 36, "追求頂級服務的商務人士",
             "5G 無限上網＋網內外無限通話，專屬客服 24 小時服務", role="tariff", sms=300,
             gifts=("國際漫遊日租 3 天",)),
    # --- data-only, senior, student, business tariffs (P015-P024) ------------------------------
    PlanSpec("行動上網 299（10GB）", "data_only", 299, 10, 0, 24, "平板、筆電備用上網",
             "純上網門號，平板出門也能連網", role="tariff", cap_mbps=1, on_net=False),
    PlanSpec("行動上網 499（30GB）", "data_only", 499, 30, 0, 24, "行動辦公、車用 Wi-Fi 分享器",
             "30GB 純上網，分享器、筆電都適用", role="tariff", cap_mbps=3, on_net=False),
    PlanSpec("行動上網 699（100GB）", "data_only", 699, 100, 0, 24, "租屋族、家用無線網路替代",
             "100GB 大流量，不拉光纖也能在家上網", role="tariff", cap_mbps=10, on_net=False),
    PlanSpec("長青樂活 299", "senior", 299, 5, 200, 24, "65 歲以上長輩",
             "大字體簡易設定，網內互打免費，和子女視訊不怕超量", role="tariff", cap_mbps=1,
             rules=_r(identity="senior")),
    PlanSpec("銀髮安心 399", "senior", 399, 10, 300, 24, "65 歲以上長輩",
             "防詐來電提醒＋緊急聯絡人簡訊通知，家人更放心", role="tariff", cap_mbps=2,
             rules=_r(identity="senior")),
    PlanSpec("學生青春 399", "student", 399, 20, 50, 30, "在學學生",
             "學生專屬上網加量，線上課程、社團聯絡都夠用", role="tariff", cap_mbps=5,
             rules=_r(identity="student")),
    PlanSpec("學生 5G 599", "student", 599, 50, 100, 30, "在學學生",
             "5G 學生價，50GB 用完仍有 10Mbps", role="tariff", cap_mbps=10,
             rules=_r(identity="student")),
    PlanSpec("企業 4G 699", "business", 699, 30, 300, 24, "中小企業員工門號",
             "公司群組網內互打免費，統一開立發票方便報帳", role="tariff", cap_mbps=5,
             rules=_r(identity="company")),
    PlanSpec("企業 5G 999", "business", 999, None, 500, 24, "中小企業業務與外勤人員",
             "5G 吃到飽，企業群組管理後台一次看全部門號", role="tariff",
             rules=_r(identity="company")),
    PlanSpec("企業 5G 1399 行動辦公", "business", 1399, None, None, 36, "企業主管與外勤業務",
             "語音無限＋5G 吃到飽，雲端會議、遠端連線不中斷", role="tariff",
             rules=_r(identity="company")),
    # --- legacy tariffs (P025-P028) ------------------------------------------------------------
    PlanSpec("4G 499 不限速吃到飽（2019 限定）", "4G", 499, None, 30, 30, "原 2019 年限定方案用戶",
             _OLD, role="legacy", tags=("已停售",)),
    PlanSpec("4G 經典 699", "4G", 699, 20, 100, 30, "原經典方案用戶", _OLD, role="legacy",
             cap_mbps=5, tags=("已停售",)),
    PlanSpec("5G 開台首發 1399", "5G", 1399, None, 300, 36, "5G 開台首批用戶", _OLD,
             role="legacy", tags=("已停售",)),
    PlanSpec("4G 1399 無限暢打", "4G", 1399, None, None, 30, "原無限暢打方案用戶", _OLD,
             role="legacy", tags=("已停售",)),
    # --- promotions: 5G with a device (P029-P033) -----------------------------------------------
    PlanSpec("5G 旗艦吃到飽 1399 搭機專案", "5G", 1399, None, 500, 30, "想換旗艦新機的 5G 重度用戶",
             "搭配 iPhone 17、Galaxy S25 等旗艦新機，購機再享專案價", with_device=True,
             discount=3000, tags=("旗艦機",),
             rules=_r(12, 599, ("4G", "5G"), renewal="with_device", grade="B")),
    PlanSpec("5G 尊榮 1999 旗艦搭機", "5G", 1999, None, None, 36, "換購摺疊機、Pro Max 的高端用戶",
             "頂級資費搭頂級手機，Galaxy Z Fold7、iPhone 17 Pro Max 折扣最多", with_device=True,
             discount=8000, gifts=("原廠 35W 充電器",), tags=("旗艦機", "摺疊機"),
             rules=_r(24, 999, renewal="with_device", grade="B")),
    PlanSpec("5G 1199 輕旗艦搭機", "5G", 1199, None, 300, 30, "想升級 5G 又顧預算的用戶",
             "吃到飽月租不到 1200，Pixel 10、iPhone 17 專案價帶回家", with_device=True,
             discount=2000, rules=_r(6, 499, renewal="with_device")),
    PlanSpec("5G 999 超值搭機", "5G", 999, 60, 200, 30, "換中階機的小資族",
             "Galaxy A56、Redmi Note 14 Pro 超值機搭 5G 大流量，手機幾乎免費", with_device=True,
             discount=1500, cap_mbps=10, tags=("小資",), rules=_r(renewal="with_device")),
    PlanSpec("5G 1599 雙機同享", "5G", 1599, None, 800, 36, "手機、手錶一起換的用戶",
             "手機搭 Apple Watch／Galaxy Watch，一起換一起省", with_device=True,
             discount=4000, gifts=("一號多機月租減免 30 個月",), tags=("一號多機", "穿戴"),
             rules=_r(12, 799, renewal="with_device")),
    # --- promotions: plain 5G renewals (P034-P037) ---------------------------------------------
    PlanSpec("5G 續約 1199 吃到飽", "5G", 1199, None, 300, 30, "不換手機、只想續約的用戶",
             "不換機也有禮，月租不變照樣吃到飽", gifts=("10000mAh 行動電源", "Disney+ 3 個月"),
             rules=_r(12, renewal="plain")),
    PlanSpec("5G 續約降價 999", "5G", 999, None, 200, 30, "月租 1199 以上的長期用戶",
             "長期用戶專屬降價續約，吃到飽不變、月租省更多", gifts=("月租折抵 200 元 × 6 期",),
             tags=("降價",), rules=_r(36, 1199, renewal="plain", grade="B")),
    PlanSpec("5G 不限速續約 1399 加碼", "5G", 1399, None, None, 36, "通話與上網都重度的用戶",
             "續約加碼語音網內外無限，講電話不用看時間", gifts=("真無線藍牙耳機", "行動電源"),
             rules=_r(24, 999, grade="B")),
    PlanSpec("4G 轉 5G 升級續約 799", "5G", 799, 40, 200, 30, "還在用 4G 的用戶",
             "4G 老用戶升級 5G 月租只要 799，網速快好幾倍", cap_mbps=5,
             gifts=("手機殼＋螢幕保護貼",), tags=("升級 5G",), rules=_r(6, types=("4G",))),
    # --- promotions: 4G (P038-P040) ------------------------------------------------------------
    PlanSpec("4G 續約 499 輕量", "4G", 499, 15, 100, 24, "上網量不大的續約用戶",
             "輕量用戶續約首選，24 個月短約更彈性", cap_mbps=1, gifts=("超商禮券 100 元",),
             rules=_r(6, types=("4G", "senior"), renewal="plain")),
    PlanSpec("4G 599 搭機實惠", "4G", 599, 25, 150, 30, "想換平價手機的用戶",
             "月租 599 也能搭新機，Galaxy A 系列、OPPO A5 Pro 實惠入手", cap_mbps=3,
             with_device=True, discount=1000,
             rules=_r(0, 399, ("4G", "student", "senior"), renewal="with_device")),
    PlanSpec("4G 吃到飽 999 續約", "4G", 999, None, 300, 30, "4G 吃到飽續約用戶",
             "熟悉的 4G 吃到飽，續約再享網外通話加量", rules=_r(12, 699, ("4G",))),
    # --- promotions: student (P041-P043) -------------------------------------------------------
    PlanSpec("學生 5G 599 青春吃到飽", "student", 599, None, 60, 30, "在學學生",
             "學生限定 5G 吃到飽只要 599，上課、打工、追劇都夠用",
             gifts=("Spotify Premium 6 個月",),
             tags=("學生", "開學季"), rules=_r(identity="student", grade="B")),
    PlanSpec("學生開學季 4G 399 搭機", "student", 399, 20, 30, 30, "需要平板、新手機上課的學生",
             "開學季購機專案，iPad、Galaxy Tab 學生價再折", cap_mbps=3, with_device=True,
             discount=1000, tags=("學生", "開學季"),
             rules=_r(identity="student", renewal="with_device")),
    PlanSpec("學生 5G 799 不限速", "student", 799, None, 100, 30, "重度手遊、直播的學生",
             "5G 不限速，打電競、開直播都順", rules=_r(12, 399, identity="student")),
    # --- promotions: senior, military/civil service (P044-P047) ---------------------------------
    PlanSpec("長青 4G 299 續約安心", "senior", 299, 5, 300, 24, "65 歲以上長輩",
             "長輩用得簡單，子女也更安心", cap_mbps=1,
             gifts=("大字體手機殼", "防詐來電辨識 1 年"), tags=("長青", "銀髮"),
             rules=_r(identity="senior", renewal="plain")),
    PlanSpec("銀髮 5G 599 樂齡", "senior", 599, 20, 500, 30, "想換 5G 手機的長輩",
             "樂齡族專屬 5G，視訊看孫子畫質更清楚", cap_mbps=3, tags=("長青", "銀髮"),
             rules=_r(24, identity="senior")),
    PlanSpec("軍公教 5G 999 專屬", "5G", 999, None, 300, 30, "軍人、公務員與教師",
             "軍公教專屬優惠，5G 吃到飽月租再降", tags=("軍公教",),
             rules=_r(identity="military_civil")),
    PlanSpec("軍公教 4G 599 續約", "4G", 599, 30, 200, 30, "軍人、公務員與教師",
             "軍公教續約專案，網內互打免費、上網 30GB", cap_mbps=5, tags=("軍公教",),
             rules=_r(12, identity="military_civil", renewal="plain")),
    # --- promotions: business (P048-P050) ------------------------------------------------------
    PlanSpec("企業 5G 1399 搭機", "business", 1399, None, None, 36, "企業換機專案",
             "企業批量換機，旗艦手機專案價並可開立統一發票", with_device=True, discount=5000,
             rules=_r(12, identity="company", renewal="with_device")),
    PlanSpec("企業 5G 999 群組共享", "business", 999, 200, 500, 24, "多門號的中小企業",
             "全公司共享 200GB，群組網內互打免費", cap_mbps=10, tags=("共享",),
             rules=_r(identity="company")),
    PlanSpec("企業行動上網吃到飽 799", "data_only", 799, None, 0, 24,
             "企業分享器、POS 機與物聯網設備",
             "企業專用上網門號吃到飽，門市 POS、監視器都能用", on_net=False,
             rules=_r(identity="company")),
    # --- promotions: family, fibre bundles (P051-P054) ------------------------------------------
    PlanSpec("5G 家庭共享 1399", "5G", 1399, None, 500, 30, "全家一起辦的家庭",
             "主號吃到飽，再送 2 個副號各 10GB、家人網內互打免費", tags=("家庭", "共享"),
             rules=_r(12, 799)),
    PlanSpec("親子共享 4G 599", "4G", 599, 30, 150, 30, "幫孩子辦門號的家長",
             "親子同群組，家長 App 即時掌握孩子上網量", cap_mbps=3, tags=("親子", "家庭"),
             rules=_r(types=("4G", "student"))),
    PlanSpec("5G 1199 ＋ 光世代 300M", "5G", 1199, None, 300, 36, "在家工作、追劇的家庭",
             "手機 5G 吃到飽加光世代 300M 寬頻，在家外出都不卡", tags=("光世代", "寬頻"),
             rules=_r(24, 599)),
    PlanSpec("5G 1599 ＋ 光纖 1G 雙享", "5G", 1599, None, None, 36, "重度上網的小家庭",
             "5G 吃到飽＋光纖 1G 寬頻＋語音無限，一張帳單全包", tags=("光纖", "寬頻"),
             rules=_r(24, 999, grade="B")),
    # --- promotions: data-only devices (P055-P056) ---------------------------------------------
    PlanSpec("平板 5G 行動上網 399 搭機", "data_only", 399, 20, 0, 24, "想買 5G 平板的用戶",
             "搭配 iPad、Galaxy Tab 5G 平板，購機專案價再折", cap_mbps=3, on_net=False,
             with_device=True, discount=1500, tags=("平板",), rules=_r(6, renewal="with_device")),
    PlanSpec("智慧手錶 eSIM 上網 299", "data_only", 299, 5, 0, 24, "想用 LTE 手錶的用戶",
             "Apple Watch、Galaxy Watch 與手機共用門號，出門不帶手機也能接來電", cap_mbps=1,
             on_net=False, with_device=True, discount=1000, tags=("穿戴", "eSIM"),
             rules=_r(0, 599, renewal="with_device")),
    # --- promotions: loyalty, seasonal, lifestyle (P057-P061) ----------------------------------
    PlanSpec("老客戶感恩 5G 1199", "5G", 1199, None, 500, 30, "在網 5 年以上的老客戶",
             "感謝多年支持，老客戶續約專屬回饋", gifts=("回饋金 3000 元（分 12 期折抵）",),
             tags=("老客戶",), rules=_r(60, grade="A")),
    PlanSpec("年終限定 5G 999 吃到飽", "5G", 999, None, 200, 30, "年底想省月租的用戶",
             "年終檔期限定，5G 吃到飽只要 999", gifts=("超商禮券 500 元",),
             tags=("限時",), rules=_r(12, 599, grade="B")),
    PlanSpec("影音追劇 5G 1299", "5G", 1299, None, 300, 30, "愛追劇的影音族",
             "5G 吃到飽配串流影音，熱門韓劇、日劇一次看", gifts=("Netflix 標準方案 12 個月",),
             tags=("影音",), rules=_r(6)),
    PlanSpec("電競手遊 5G 1599", "5G", 1599, None, 300, 30, "手遊玩家與實況主",
             "5G 低延遲遊戲加速，搭 ROG Phone 9 Pro 享專案價", with_device=True, discount=3000,
             tags=("電競", "手遊"), rules=_r(12, 999, renewal="with_device")),
    PlanSpec("5G 輕量續約 699", "5G", 699, 25, 100, 24, "5G 用量不高、想降月租的用戶",
             "用不完的吃到飽太浪費，改選輕量 5G 月租立省", cap_mbps=5, tags=("降價",),
             rules=_r(types=("5G",), renewal="plain")),
    # --- no-contract basic plans (P062-P063) ---------------------------------------------------
    PlanSpec("4G 無綁約 399", "4G", 399, 8, 50, 0, "不想綁約的用戶",
             "不綁約、不押金，隨時可變更方案",
             role="basic", cap_mbps=1, on_net=False, rules=_r(renewal="plain")),
    PlanSpec("5G 無綁約 699", "5G", 699, 30, 100, 0, "想用 5G 又不想綁約的用戶",
             "5G 月租制，合約到期後自由選擇", role="basic", cap_mbps=5, on_net=False,
             rules=_r(renewal="plain")),
)  # fmt: skip
