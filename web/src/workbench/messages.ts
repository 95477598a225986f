/** The agent workbench's words: zh-TW (default), zh-CN, en. */
export default {
  'zh-TW': {
    wb: {
      title: '客服工作台',
      me: { status: '我的狀態', online: '在線', busy: '忙碌', offline: '離線', note: '登入時為在線、登出時為離線；忙碌與離線時不算可接手的客服' },
      filters: { status: '狀態', all: '全部', keyword: '關鍵字', keywordHint: '客人、訊息、摘要', tag: '標籤', anyTag: '全部標籤', refresh: '重新整理' },
      statuses: { bot_active: 'AI 服務中', pending_manual: '等待客服', manual_live: '客服服務中', closed: '已結束' },
      severity: { critical: '緊急', high: '高', medium: '中', low: '低' },
      reasons: { user_request: '客人要求真人', keyword: '關鍵字', ai_failure: 'AI 多次未解決', sentiment: '情緒不滿', vip: 'VIP 客人', after_hours_email: '非值班轉信' },
      queue: {
        title: '等待佇列', empty: '目前沒有對話', total: '共 {n} 筆', prev: '上一頁', next: '下一頁', page: '第 {page} / {pages} 頁',
        waiting: '等待', s: '{value} 秒', m: '{value} 分', h: '{value} 小時', heldBy: '{name} 服務中', live: '即時連線中', reconnecting: '重新連線中…',
        newArrival: '新的轉接', summary: 'AI 摘要', reason: '原因', vip: 'VIP', guest: '訪客'
      },
      chat: {
        pick: '從左側佇列選擇一則對話', takeover: '接手對話', takenBy: '{name} 已接手此對話', notLive: '此對話目前不是由您服務',
        release: '交還 AI', close: '結束對話', closeConfirm: '確定結束此對話？客人將無法再傳訊息。', send: '送出', placeholder: '輸入訊息，Enter 送出、Shift+Enter 換行',
        you: '您', user: '客人', assistant: 'AI', agent: '客服', system: '系統', released: '已交還 AI', closed: '對話已結束', history: '對話紀錄'
      },
      quick: { title: '快捷回覆', search: '搜尋快捷回覆', empty: '沒有符合的快捷回覆', preview: '預覽', missing: '尚需填寫', insert: '插入訊息框', cancel: '取消' },
      tags: { title: '標籤', add: '新增標籤', pick: '選擇標籤', none: '尚無標籤', remove: '移除 {name}', count: '{n} / 10' },
      ticket: {
        title: '建立工單', open: '建立工單', submit: '送出工單', heading: '標題', description: '問題描述', summary: 'AI 摘要', category: '類別', priority: '優先級', department: '部門',
        created: '已建立工單 {number}', view: '查看工單', existing: '此對話已有工單 {number}', cancel: '取消'
      },
      options: {
        category: { pre_sales: '售前諮詢', order_modify: '訂單修改', shipping: '物流異常', after_sales: '售後維修', compliance: '合規申訴', technical: '技術故障', returns: '退貨', warranty: '保固' },
        priority: { low: '低', normal: '一般', high: '高', urgent: '緊急' },
        department: { sales_eu: '業務', service_cn: '客服中心', warehouse: '倉儲', compliance: '法遵', technical: '技術', logistics: '物流' }
      },
      transfer: { title: '轉接給其他客服', to: '客服帳號（如 agent002）', submit: '轉接', done: '已轉接給 {name}' },
      profile: { title: '客人資料', nickname: '暱稱', vip: 'VIP', language: '語言', country: '國家', city: '城市', currency: '幣別', gdpr: 'GDPR 同意', marketing: '行銷訂閱', yes: '是', no: '否', none: '—' }
    }
  },
  'zh-CN': {
    wb: {
      title: '客服工作台',
      me: { status: '我的状态', online: '在线', busy: '忙碌', offline: '离线', note: '登录时为在线、退出时为离线；忙碌与离线时不算可接手的客服' },
      filters: { status: '状态', all: '全部', keyword: '关键字', keywordHint: '客户、消息、摘要', tag: '标签', anyTag: '全部标签', refresh: '刷新' },
      statuses: { bot_active: 'AI 服务中', pending_manual: '等待客服', manual_live: '客服服务中', closed: '已结束' },
      severity: { critical: '紧急', high: '高', medium: '中', low: '低' },
      reasons: { user_request: '客户要求人工', keyword: '关键词', ai_failure: 'AI 多次未解决', sentiment: '情绪不满', vip: 'VIP 客户', after_hours_email: '非值班转邮件' },
      queue: {
        title: '等待队列', empty: '目前没有会话', total: '共 {n} 条', prev: '上一页', next: '下一页', page: '第 {page} / {pages} 页',
        waiting: '等待', s: '{value} 秒', m: '{value} 分', h: '{value} 小时', heldBy: '{name} 服务中', live: '实时连接中', reconnecting: '重新连接中…',
        newArrival: '新的转接', summary: 'AI 摘要', reason: '原因', vip: 'VIP', guest: '访客'
      },
      chat: {
        pick: '从左侧队列选择一个会话', takeover: '接入会话', takenBy: '{name} 已接入此会话', notLive: '此会话当前不由您服务',
        release: '交还 AI', close: '结束会话', closeConfirm: '确定结束此会话？客户将无法再发送消息。', send: '发送', placeholder: '输入消息，Enter 发送、Shift+Enter 换行',
        you: '您', user: '客户', assistant: 'AI', agent: '客服', system: '系统', released: '已交还 AI', closed: '会话已结束', history: '会话记录'
      },
      quick: { title: '快捷回复', search: '搜索快捷回复', empty: '没有匹配的快捷回复', preview: '预览', missing: '尚需填写', insert: '插入输入框', cancel: '取消' },
      tags: { title: '标签', add: '添加标签', pick: '选择标签', none: '暂无标签', remove: '移除 {name}', count: '{n} / 10' },
      ticket: {
        title: '创建工单', open: '创建工单', submit: '提交工单', heading: '标题', description: '问题描述', summary: 'AI 摘要', category: '类别', priority: '优先级', department: '部门',
        created: '已创建工单 {number}', view: '查看工单', existing: '此会话已有工单 {number}', cancel: '取消'
      },
      options: {
        category: { pre_sales: '售前咨询', order_modify: '订单修改', shipping: '物流异常', after_sales: '售后维修', compliance: '合规申诉', technical: '技术故障', returns: '退货', warranty: '保修' },
        priority: { low: '低', normal: '一般', high: '高', urgent: '紧急' },
        department: { sales_eu: '销售', service_cn: '客服中心', warehouse: '仓储', compliance: '合规', technical: '技术', logistics: '物流' }
      },
      transfer: { title: '转接给其他客服', to: '客服账号（如 agent002）', submit: '转接', done: '已转接给 {name}' },
      profile: { title: '客户资料', nickname: '昵称', vip: 'VIP', language: '语言', country: '国家', city: '城市', currency: '币种', gdpr: 'GDPR 同意', marketing: '营销订阅', yes: '是', no: '否', none: '—' }
    }
  },
  en: {
    wb: {
      title: 'Agent workbench',
      me: { status: 'My status', online: 'Online', busy: 'Busy', offline: 'Offline', note: 'Online at login, offline at logout; busy and offline agents are not counted as free' },
      filters: { status: 'Status', all: 'All', keyword: 'Keyword', keywordHint: 'customer, message, summary', tag: 'Tag', anyTag: 'Any tag', refresh: 'Refresh' },
      statuses: { bot_active: 'With the AI', pending_manual: 'Waiting for an agent', manual_live: 'With an agent', closed: 'Closed' },
      severity: { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' },
      reasons: { user_request: 'Asked for a person', keyword: 'Keyword', ai_failure: 'AI failed repeatedly', sentiment: 'Unhappy customer', vip: 'VIP customer', after_hours_email: 'Off-hours mail' },
      queue: {
        title: 'Queue', empty: 'No conversations', total: '{n} in total', prev: 'Previous', next: 'Next', page: 'Page {page} of {pages}',
        waiting: 'Waiting', s: '{value} s', m: '{value} min', h: '{value} h', heldBy: 'With {name}', live: 'Live', reconnecting: 'Reconnecting…',
        newArrival: 'New escalation', summary: 'AI summary', reason: 'Reason', vip: 'VIP', guest: 'Guest'
      },
      chat: {
        pick: 'Pick a conversation from the queue', takeover: 'Take over', takenBy: '{name} has taken this conversation', notLive: 'You are not serving this conversation',
        release: 'Release to the AI', close: 'Close', closeConfirm: 'Close this conversation? The customer will not be able to write any more.', send: 'Send', placeholder: 'Type a message: Enter sends, Shift+Enter breaks the line',
        you: 'You', user: 'Customer', assistant: 'AI', agent: 'Agent', system: 'System', released: 'Released to the AI', closed: 'Conversation closed', history: 'Conversation'
      },
      quick: { title: 'Quick replies', search: 'Search quick replies', empty: 'No matching quick reply', preview: 'Preview', missing: 'Still to fill in', insert: 'Insert into the message', cancel: 'Cancel' },
      tags: { title: 'Tags', add: 'Add tag', pick: 'Choose a tag', none: 'No tags yet', remove: 'Remove {name}', count: '{n} / 10' },
      ticket: {
        title: 'Create a ticket', open: 'Create ticket', submit: 'Submit ticket', heading: 'Title', description: 'Description', summary: 'AI summary', category: 'Category', priority: 'Priority', department: 'Department',
        created: 'Ticket {number} created', view: 'Open ticket', existing: 'This conversation already has ticket {number}', cancel: 'Cancel'
      },
      options: {
        category: { pre_sales: 'Pre-sales', order_modify: 'Order change', shipping: 'Shipping', after_sales: 'After-sales repair', compliance: 'Compliance', technical: 'Technical fault', returns: 'Returns', warranty: 'Warranty' },
        priority: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' },
        department: { sales_eu: 'Sales', service_cn: 'Service centre', warehouse: 'Warehouse', compliance: 'Compliance', technical: 'Technical', logistics: 'Logistics' }
      },
      transfer: { title: 'Transfer to another agent', to: 'Agent username (e.g. agent002)', submit: 'Transfer', done: 'Transferred to {name}' },
      profile: { title: 'Customer profile', nickname: 'Nickname', vip: 'VIP', language: 'Language', country: 'Country', city: 'City', currency: 'Currency', gdpr: 'GDPR consent', marketing: 'Marketing', yes: 'Yes', no: 'No', none: '—' }
    }
  }
}
