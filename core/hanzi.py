"""Simplified → Traditional Chinese, character for character, for the words of a search query.

The catalogue is written in zh-TW; customers from the mainland type 带手机, 无限流量, 宽带, 充电宝.
The vector side understands both scripts, BM25 and the constraint rules only the script they were
written in. Folding the query (and the rule tables) to Traditional lets every rule and every
sheet word match either spelling without listing both. The map is one character to one character,
so match spans in the folded text are spans in the original; characters whose Traditional form
depends on the word (发 = 發 or 髮, 表 = 表 or 錶) are settled by the few words that need it, and
characters with several common readings (干, 只, 台, 面, 复 ...) are left as typed.
"""

from __future__ import annotations

# Pairs simplified, traditional; only characters with one Traditional form in everyday use.
_PAIRS = (
    "万萬与與专專业業东東丝絲两兩严嚴个個丰豐临臨为為丽麗举舉么麼义義乐樂习習乡鄉书書买買乱亂争爭"
    "亏虧云雲亚亞产產亲親亿億仅僅从從仓倉仪儀们們价價众眾优優伙夥会會伟偉传傳伤傷伦倫体體侣侶侦偵"
    "侧側俭儉债債倾傾偿償储儲儿兒兑兌党黨兰蘭关關兴興养養内內册冊写寫军軍农農决決况況冻凍净淨凉涼"
    "减減凤鳳几幾凭憑凯凱击擊刘劉则則刚剛创創删刪别別剂劑剑劍剧劇劝勸办辦务務动動励勵劲勁劳勞势勢"
    "匀勻区區医醫华華协協单單卖賣卢盧卫衛却卻厂廠厅廳压壓厌厭县縣参參双雙发發变變叙敘叶葉号號叹嘆"
    "后後吓嚇吗嗎启啟吴吳员員响響哑啞唤喚团團园園围圍图圖圆圓圣聖场場坏壞块塊坚堅执執扩擴扫掃扬揚"
    "扰擾抢搶护護报報担擔拟擬拥擁拦攔择擇挂掛挡擋挤擠挥揮换換据據携攜摄攝摆擺摇搖撑撐敌敵数數断斷"
    "无無旧舊时時显顯晒曬晓曉暂暫术術机機杀殺杂雜权權条條来來杨楊极極构構枪槍柜櫃标標栏欄树樹样樣"
    "档檔桥橋梦夢检檢欢歡欧歐岁歲归歸毕畢气氣汇匯汉漢沟溝没沒泪淚泽澤洁潔浅淺测測济濟浓濃涨漲润潤"
    "渐漸温溫湾灣湿濕满滿滚滾灭滅灯燈灵靈灾災炉爐点點烟煙烦煩烧燒热熱爱愛爷爺牵牽独獨环環现現电電"
    "画畫畅暢疗療盖蓋盘盤矿礦码碼础礎硕碩确確礼禮离離种種积積称稱稳穩穷窮竞競笔筆签簽简簡类類紧緊"
    "红紅约約级級纪紀纯純纳納纸紙线線练練组組细細终終绍紹经經结結绕繞给給络絡绝絕统統继繼绩績续續"
    "维維综綜绿綠缓緩编編缘緣缩縮缴繳网網罗羅罚罰职職联聯聪聰肤膚胜勝脑腦脚腳脱脫腾騰艺藝节節苏蘇"
    "苹蘋荐薦荣榮药藥获獲营營蓝藍虑慮虽雖补補装裝见見观觀规規视視览覽觉覺计計认認让讓议議讯訊记記"
    "讲講许許论論设設访訪证證评評识識诈詐诉訴词詞译譯试試话話该該详詳语語误誤说說请請读讀课課谁誰"
    "调調谈談谢謝贝貝负負财財责責败敗货貨质質购購贴貼贵貴贷貸费費贺賀资資赏賞赔賠赖賴赚賺赛賽赠贈"
    "赶趕跃躍轨軌转轉轮輪软軟轻輕载載较較辅輔辈輩边邊达達过過运運还還这這进進远遠违違连連迟遲适適"
    "选選递遞遗遺邮郵释釋里裡钟鐘钱錢铁鐵银銀链鏈销銷锁鎖错錯键鍵镜鏡长長门門闪閃闭閉问問间間闻聞"
    "阅閱队隊阳陽阶階际際陆陸险險随隨隐隱难難页頁顶頂项項顺順须須顾顧预預领領频頻题題额額风風飞飛"
    "饭飯饮飲饱飽饿餓馆館马馬驱驅验驗骗騙鸡雞黄黃齐齊龄齡龙龍宽寬宁寧实實宝寶审審对對寻尋导導寿壽"
    "将將尔爾层層属屬岛島币幣师師帐帳带帶帮幫广廣庄莊庆慶库庫应應废廢开開张張弹彈强強录錄态態怀懷"
    "总總恶惡惊驚惯慣愿願戏戲战戰户戶状狀奋奮夺奪头頭夹夾奖獎妇婦妈媽娱娛孙孫学學宾賓壳殼处處备備"
    "够夠厉厲吨噸听聽喷噴墙牆壮壯声聲游遊尽盡准準缆纜国國纤纖绑綁韩韓帅帥骑騎铺鋪脸臉饰飾"
    "鲜鮮顿頓辆輛丢丟碍礙驾駕讨討赢贏输輸岗崗馈饋订訂"
)
_CHARS = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}
# Words whose Traditional spelling is not the default one of their characters (same length).
_WORDS = {"银发": "銀髮", "白发": "白髮", "头发": "頭髮", "手表": "手錶", "腕表": "腕錶"}
_TABLE = str.maketrans(_CHARS)


def to_traditional(text: str) -> str:
    """`text` in Traditional characters where the Simplified form is unambiguous; same length."""
    for simplified, traditional in _WORDS.items():
        text = text.replace(simplified, traditional)
    return text.translate(_TABLE)
