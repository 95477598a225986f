"""The device catalogue the demo POS sells: phones, tablets (5G) and wearables (LTE).

Device ids are positions in `DEVICES` (D001, D002, ...); golden.py depends on a few of them, so
append new models at the end instead of inserting.
"""

from __future__ import annotations

from typing import NamedTuple

from mcp_servers.backoffice.records import Device, DeviceType, OsType


class DeviceSpec(NamedTuple):
    device_type: DeviceType
    os_type: OsType
    brand: str
    model: str
    storage_gb: int
    colors: tuple[str, ...]
    screen: str
    chip: str
    camera: str  # for wearables: the health sensors (watches have no camera)
    battery: str
    retail_price: int  # NTD, the store's list price without contract
    release_year: int
    recommended: bool = False


_IP17PRO = ("宇宙橙色", "深藍色", "銀色")
_IP17 = ("薰衣草紫色", "霧藍色", "鼠尾草綠色", "白色", "黑色")
_IP16PRO = ("沙漠色鈦金屬", "原色鈦金屬", "白色鈦金屬", "黑色鈦金屬")
_S25U = ("鈦灰色", "鈦黑色", "鈦銀藍", "鈦白銀")
_S25 = ("冰川藍", "薄荷綠", "冷冽銀", "星夜黑")
_PIXEL10PRO = ("曜石黑", "月光石", "玉石綠", "瓷白色")

DEVICES: tuple[DeviceSpec, ...] = (
    # --- Apple iPhone ------------------------------------------------------------------------
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 17 Pro Max", 256, _IP17PRO,
               "6.9 吋 Super Retina XDR（ProMotion 120Hz）", "A19 Pro",
               "4800 萬像素三鏡頭 Fusion 相機系統", "最長 37 小時影片播放", 44900, 2025, True),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 17 Pro Max", 1024, _IP17PRO,
               "6.9 吋 Super Retina XDR（ProMotion 120Hz）", "A19 Pro",
               "4800 萬像素三鏡頭 Fusion 相機系統", "最長 37 小時影片播放", 58900, 2025),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 17 Pro", 256, _IP17PRO,
               "6.3 吋 Super Retina XDR（ProMotion 120Hz）", "A19 Pro",
               "4800 萬像素三鏡頭 Fusion 相機系統", "最長 31 小時影片播放", 39900, 2025, True),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 17 Pro", 512, _IP17PRO,
               "6.3 吋 Super Retina XDR（ProMotion 120Hz）", "A19 Pro",
               "4800 萬像素三鏡頭 Fusion 相機系統", "最長 31 小時影片播放", 46900, 2025),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone Air", 256,
               ("太空黑色", "雲白色", "淺金色", "天藍色"),
               "6.5 吋 Super Retina XDR（ProMotion 120Hz）", "A19 Pro",
               "4800 萬像素 Fusion 主相機", "最長 27 小時影片播放", 36900, 2025),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 17", 256, _IP17,
               "6.3 吋 Super Retina XDR（ProMotion 120Hz）", "A19",
               "4800 萬像素雙鏡頭 Fusion 相機", "最長 30 小時影片播放", 29900, 2025, True),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 17", 512, _IP17,
               "6.3 吋 Super Retina XDR（ProMotion 120Hz）", "A19",
               "4800 萬像素雙鏡頭 Fusion 相機", "最長 30 小時影片播放", 36900, 2025),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 16 Pro", 256, _IP16PRO,
               "6.3 吋 Super Retina XDR（ProMotion）", "A18 Pro",
               "4800 萬像素三鏡頭（5 倍光學變焦）", "最長 27 小時影片播放", 36400, 2024),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 16 Pro Max", 256, _IP16PRO,
               "6.9 吋 Super Retina XDR（ProMotion）", "A18 Pro",
               "4800 萬像素三鏡頭（5 倍光學變焦）", "最長 33 小時影片播放", 41400, 2024),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 16", 128,
               ("群青色", "藍綠色", "粉紅色", "白色", "黑色"),
               "6.1 吋 Super Retina XDR", "A18", "4800 萬像素雙鏡頭 Fusion 相機",
               "最長 22 小時影片播放", 25900, 2024),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 16 Plus", 128,
               ("群青色", "藍綠色", "粉紅色", "白色", "黑色"),
               "6.7 吋 Super Retina XDR", "A18", "4800 萬像素雙鏡頭 Fusion 相機",
               "最長 27 小時影片播放", 29400, 2024),
    DeviceSpec("smartphone", "ios", "Apple", "iPhone 16e", 128, ("黑色", "白色"),
               "6.1 吋 Super Retina XDR", "A18", "4800 萬像素 Fusion 相機",
               "最長 26 小時影片播放", 19900, 2025, True),
    # --- Samsung -----------------------------------------------------------------------------
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy S25 Ultra", 256, _S25U,
               "6.9 吋 QHD+ Dynamic AMOLED 2X", "Snapdragon 8 Elite for Galaxy",
               "2 億畫素四鏡頭（5 倍光學變焦）", "5000mAh，45W 快充", 42900, 2025, True),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy S25 Ultra", 512, _S25U,
               "6.9 吋 QHD+ Dynamic AMOLED 2X", "Snapdragon 8 Elite for Galaxy",
               "2 億畫素四鏡頭（5 倍光學變焦）", "5000mAh，45W 快充", 46900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy S25+", 256, _S25,
               "6.7 吋 QHD+ Dynamic AMOLED 2X", "Snapdragon 8 Elite for Galaxy",
               "5000 萬畫素三鏡頭", "4900mAh，45W 快充", 33900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy S25", 256, _S25,
               "6.2 吋 FHD+ Dynamic AMOLED 2X", "Snapdragon 8 Elite for Galaxy",
               "5000 萬畫素三鏡頭", "4000mAh，25W 快充", 28900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy S25 Edge", 256,
               ("鈦空銀", "鈦霜藍", "鈦炫黑"),
               "6.7 吋 QHD+ Dynamic AMOLED 2X（機身 5.8mm）", "Snapdragon 8 Elite for Galaxy",
               "2 億畫素雙鏡頭", "3900mAh，25W 快充", 36900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy S25 FE", 256,
               ("海軍藍", "冰藍色", "白色", "黑色"),
               "6.7 吋 FHD+ Dynamic AMOLED 2X", "Exynos 2400", "5000 萬畫素三鏡頭",
               "4900mAh，45W 快充", 20900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy Z Fold7", 256,
               ("石墨黑", "冰川藍", "銀影黑"),
               "8.0 吋主螢幕／6.5 吋封面螢幕", "Snapdragon 8 Elite for Galaxy",
               "2 億畫素三鏡頭", "4400mAh，25W 快充", 57990, 2025, True),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy Z Flip7", 256,
               ("霧影黑", "星河藍", "珊瑚紅"),
               "6.9 吋主螢幕／4.1 吋封面螢幕", "Exynos 2500", "5000 萬畫素雙鏡頭",
               "4300mAh，25W 快充", 36900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy Z Flip7 FE", 128, ("黑色", "白色"),
               "6.7 吋主螢幕／3.4 吋封面螢幕", "Exynos 2400", "5000 萬畫素雙鏡頭",
               "4000mAh，25W 快充", 26900, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy A56 5G", 256,
               ("石墨灰", "淺綠色", "粉紅色"),
               "6.7 吋 FHD+ Super AMOLED（120Hz）", "Exynos 1580", "5000 萬畫素三鏡頭",
               "5000mAh，45W 快充", 14990, 2025, True),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy A36 5G", 128, ("淺紫色", "黑色", "白色"),
               "6.7 吋 FHD+ Super AMOLED（120Hz）", "Snapdragon 6 Gen 3", "5000 萬畫素三鏡頭",
               "5000mAh，45W 快充", 10990, 2025),
    DeviceSpec("smartphone", "android", "Samsung", "Galaxy A26 5G", 128, ("黑色", "白色", "薄荷綠"),
               "6.7 吋 FHD+ Super AMOLED", "Exynos 1380", "5000 萬畫素三鏡頭",
               "5000mAh，25W 快充", 8490, 2025),
    # --- Google ------------------------------------------------------------------------------
    DeviceSpec("smartphone", "android", "Google", "Pixel 10 Pro XL", 256, _PIXEL10PRO,
               "6.8 吋 Super Actua 顯示器", "Google Tensor G5", "5000 萬像素三鏡頭（5 倍光學變焦）",
               "5200mAh，45W 快充", 39990, 2025, True),
    DeviceSpec("smartphone", "android", "Google", "Pixel 10 Pro", 256, _PIXEL10PRO,
               "6.3 吋 Super Actua 顯示器", "Google Tensor G5", "5000 萬像素三鏡頭（5 倍光學變焦）",
               "4870mAh，30W 快充", 34990, 2025),
    DeviceSpec("smartphone", "android", "Google", "Pixel 10", 128,
               ("曜石黑", "靛藍色", "霜藍色", "檸檬黃"),
               "6.3 吋 Actua 顯示器", "Google Tensor G5", "4800 萬像素三鏡頭",
               "4970mAh，29W 快充", 26990, 2025),
    DeviceSpec("smartphone", "android", "Google", "Pixel 9a", 128,
               ("曜石黑", "瓷白色", "鳶尾紫", "牡丹粉"),
               "6.3 吋 Actua 顯示器", "Google Tensor G4", "4800 萬像素雙鏡頭",
               "5100mAh，23W 快充", 15990, 2025),
    # --- Sony, ASUS, OPPO, Xiaomi, vivo, Motorola ---------------------------------------------
    DeviceSpec("smartphone", "android", "Sony", "Xperia 1 VII", 256, ("石板灰", "苔綠色", "蘭紫色"),
               "6.5 吋 FHD+ OLED（120Hz）", "Snapdragon 8 Elite", "4800 萬像素蔡司三鏡頭",
               "5000mAh，30W 快充", 44990, 2025),
    DeviceSpec("smartphone", "android", "Sony", "Xperia 10 VII", 128, ("炭黑色", "白色", "湖水綠"),
               "6.1 吋 FHD+ OLED（120Hz）", "Snapdragon 6 Gen 3", "5000 萬像素雙鏡頭",
               "5000mAh，30W 快充", 13990, 2025),
    DeviceSpec("smartphone", "android", "ASUS", "Zenfone 12 Ultra", 256,
               ("午夜黑", "鼠尾草綠", "櫻花粉"),
               "6.78 吋 AMOLED（144Hz）", "Snapdragon 8 Elite",
               "5000 萬像素三鏡頭（六軸雲台防手震）",
               "5500mAh，65W 快充", 29990, 2025),
    DeviceSpec("smartphone", "android", "ASUS", "ROG Phone 9 Pro", 512, ("幻影黑",),
               "6.78 吋 AMOLED（185Hz）", "Snapdragon 8 Elite", "5000 萬像素三鏡頭",
               "5800mAh，65W 快充", 39990, 2024),
    DeviceSpec("smartphone", "android", "OPPO", "Find X8 Pro", 512, ("星野黑", "珍珠白"),
               "6.78 吋 AMOLED（120Hz）", "Dimensity 9400", "5000 萬像素哈蘇四鏡頭",
               "5910mAh，80W 快充", 32990, 2024),
    DeviceSpec("smartphone", "android", "OPPO", "Reno14 5G", 512, ("蛋白石白", "夜光青"),
               "6.59 吋 AMOLED（120Hz）", "Dimensity 8350", "5000 萬像素三鏡頭",
               "6000mAh，80W 快充", 17990, 2025),
    DeviceSpec("smartphone", "android", "OPPO", "A5 Pro 5G", 256, ("石英黑", "星空藍"),
               "6.67 吋 LCD（120Hz）", "Dimensity 7300", "5000 萬像素雙鏡頭",
               "5800mAh，45W 快充", 9990, 2025),
    DeviceSpec("smartphone", "android", "Xiaomi", "Xiaomi 15T Pro", 512, ("黑色", "灰色", "摩卡金"),
               "6.83 吋 AMOLED（144Hz）", "Dimensity 9400+", "5000 萬像素徠卡三鏡頭",
               "5500mAh，90W 快充", 23990, 2025, True),
    DeviceSpec("smartphone", "android", "Xiaomi", "Xiaomi 15 Ultra", 512,
               ("黑色", "白色", "經典黑銀"),
               "6.73 吋 AMOLED（120Hz）", "Snapdragon 8 Elite", "5000 萬像素徠卡四鏡頭",
               "5410mAh，90W 快充", 35990, 2025),
    DeviceSpec("smartphone", "android", "Xiaomi", "Redmi Note 14 Pro 5G", 256,
               ("午夜黑", "極光紫", "冰川藍"),
               "6.67 吋 AMOLED（120Hz）", "Dimensity 7300-Ultra", "2 億像素三鏡頭",
               "5110mAh，45W 快充", 10990, 2025),
    DeviceSpec("smartphone", "android", "vivo", "X200 Pro", 512, ("鈦灰色", "寶石藍"),
               "6.78 吋 AMOLED（120Hz）", "Dimensity 9400", "2 億像素蔡司長焦三鏡頭",
               "6000mAh，90W 快充", 34990, 2024),
    DeviceSpec("smartphone", "android", "Motorola", "razr 60 ultra", 512, ("深林綠", "里約紅"),
               "7.0 吋主螢幕／4.0 吋封面螢幕", "Snapdragon 8 Elite", "5000 萬像素雙鏡頭",
               "4700mAh，68W 快充", 32990, 2025),
    # --- tablets (5G) ------------------------------------------------------------------------
    DeviceSpec("tablet", "ios", "Apple", "iPad Air 11 吋（M3）5G", 128,
               ("太空灰色", "藍色", "紫色", "星光色"),
               "11 吋 Liquid Retina", "Apple M3", "1200 萬像素廣角相機",
               "最長 9 小時行動網路上網", 26900, 2025, True),
    DeviceSpec("tablet", "ios", "Apple", "iPad Pro 11 吋（M5）5G", 256, ("太空黑色", "銀色"),
               "11 吋 Ultra Retina XDR（ProMotion）", "Apple M5", "1200 萬像素廣角相機＋LiDAR",
               "最長 9 小時行動網路上網", 43900, 2025),
    DeviceSpec("tablet", "ios", "Apple", "iPad（A16）5G", 128, ("藍色", "粉紅色", "黃色", "銀色"),
               "11 吋 Liquid Retina", "A16", "1200 萬像素廣角相機",
               "最長 9 小時行動網路上網", 16900, 2025),
    DeviceSpec("tablet", "ios", "Apple", "iPad mini（A17 Pro）5G", 128,
               ("太空灰色", "藍色", "紫色", "星光色"),
               "8.3 吋 Liquid Retina", "A17 Pro", "1200 萬像素廣角相機",
               "最長 9 小時行動網路上網", 21400, 2024),
    DeviceSpec("tablet", "android", "Samsung", "Galaxy Tab S11 5G", 256, ("月光灰", "銀色"),
               "11 吋 Dynamic AMOLED 2X", "Dimensity 9400+", "1300 萬畫素主鏡頭",
               "8400mAh，45W 快充", 31900, 2025, True),
    DeviceSpec("tablet", "android", "Samsung", "Galaxy Tab S10 FE 5G", 128,
               ("灰色", "銀色", "藍色"),
               "10.9 吋 LCD（90Hz）", "Exynos 1580", "1300 萬畫素主鏡頭",
               "8000mAh，45W 快充", 15900, 2025),
    DeviceSpec("tablet", "android", "Samsung", "Galaxy Tab A9+ 5G", 64, ("灰色", "銀色"),
               "11 吋 LCD（90Hz）", "Snapdragon 695", "800 萬畫素主鏡頭",
               "7040mAh，15W 快充", 7490, 2023),
    # --- wearables (LTE, one number multi-SIM) -------------------------------------------------
    DeviceSpec("wearable", "ios", "Apple", "Apple Watch Series 11 46mm 行動網路", 64,
               ("亮黑色鋁金屬", "玫瑰金色鋁金屬", "銀色鋁金屬", "太空灰色鋁金屬"),
               "46mm 廣角 OLED Retina", "S10 SiP", "心電圖、血氧、睡眠分數、高血壓通知",
               "最長 24 小時", 16400, 2025, True),
    DeviceSpec("wearable", "ios", "Apple", "Apple Watch Ultra 3", 64, ("黑色鈦金屬", "原色鈦金屬"),
               "49mm 廣角 OLED Retina", "S10 SiP", "心電圖、血氧、潛水電腦、衛星 SOS",
               "最長 42 小時", 26900, 2025),
    DeviceSpec("wearable", "ios", "Apple", "Apple Watch SE 3 44mm 行動網路", 64,
               ("午夜色", "星光色"),
               "44mm OLED Retina", "S10 SiP", "心率、睡眠分數、車禍偵測",
               "最長 18 小時", 11900, 2025),
    DeviceSpec("wearable", "android", "Samsung", "Galaxy Watch8 44mm LTE", 32, ("石墨灰", "銀色"),
               "1.47 吋 Super AMOLED", "Exynos W1000", "血氧、心電圖、抗氧化指數、睡眠教練",
               "435mAh", 12990, 2025, True),
    DeviceSpec("wearable", "android", "Samsung", "Galaxy Watch8 Classic 46mm LTE", 64,
               ("黑色", "白色"),
               "1.34 吋 Super AMOLED", "Exynos W1000", "血氧、心電圖、身體組成分析",
               "445mAh", 16990, 2025),
    DeviceSpec("wearable", "android", "Google", "Pixel Watch 4 45mm LTE", 32, ("曜石黑", "霧銀色"),
               "45mm Actua 螢幕", "Snapdragon W5 Gen 2", "心率、血氧、失去脈搏偵測",
               "最長 40 小時", 14490, 2025),
)  # fmt: skip

# Contract price = list price x factor - subsidy, priced like a price tag (…890): a longer contract
# buys a cheaper device.
_CONTRACT_FACTOR: dict[int, tuple[float, int]] = {
    24: (0.80, 1000),
    30: (0.70, 2000),
    36: (0.60, 3000),
}


def contract_prices(retail_price: int) -> dict[int, int]:
    """Device price per contract length (24/30/36 months); never negative."""
    prices: dict[int, int] = {}
    for months, (factor, subsidy) in _CONTRACT_FACTOR.items():
        price = int(retail_price * factor) - subsidy
        price -= price % 100
        prices[months] = max(0, price - 10)
    return prices


def build_devices() -> list[Device]:
    """The catalogue as records; ids follow the table order (D001...)."""
    devices: list[Device] = []
    for index, spec in enumerate(DEVICES, start=1):
        third = "健康功能" if spec.device_type == "wearable" else "相機"
        devices.append(
            Device(
                device_id=f"D{index:03d}",
                device_type=spec.device_type,
                os_type=spec.os_type,
                brand=spec.brand,
                model=spec.model,
                colors=list(spec.colors),
                storage_gb=spec.storage_gb,
                specs={
                    "螢幕": spec.screen,
                    "處理器": spec.chip,
                    third: spec.camera,
                    "電池": spec.battery,
                },
                retail_price=spec.retail_price,
                contract_prices=contract_prices(spec.retail_price),
                release_year=spec.release_year,
                is_recommended=spec.recommended,
            )
        )
    return devices
