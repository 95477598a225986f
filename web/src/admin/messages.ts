/** Strings of the admin pages and the service statistics (`adm.`): zh-TW default, zh-CN, en. */
export default {
  'zh-TW': {
    adm: {
      save: '儲存', cancel: '取消', delete: '刪除', edit: '編輯', create: '新增', search: '搜尋', saved: '已儲存', yes: '是', no: '否',
      prev: '上一頁', next: '下一頁', pageOf: '第 {page} / {pages} 頁，共 {total} 筆', empty: '沒有資料', confirmDelete: '確定要刪除嗎？',
      agents: {
        title: '客服帳號', new: '新增帳號', username: '帳號', name: '顯示名稱', email: 'Email', role: '角色', maxSessions: '同時會話上限',
        active: '啟用', status: '狀態', password: '密碼', newPassword: '新密碼', resetPassword: '重設密碼', remove: '停用帳號',
        created: '已建立帳號 {username}', updated: '已更新 {username}', reset: '已重設 {username} 的密碼', removed: '已停用 {username}',
        confirmRemove: '確定要停用 {username}？該帳號的登入會立即失效。', inactive: '已停用', lastLogin: '最後登入',
        role_agent: '客服', role_admin: '管理員', searchHint: '帳號或名稱'
      },
      shift: {
        title: '值班時間', start: '上班時間', end: '下班時間', timezone: '時區', weekendsDisabled: '週末不值班', weekendDays: '週末',
        holidays: '假日（每行一個日期 YYYY-MM-DD）', emailTo: '離線轉信收件人（每行一個）', offline: '離線訊息', perDay: '此設定為每日不同時段，儲存後會改為每天相同時段',
        day: { mon: '一', tue: '二', wed: '三', thu: '四', fri: '五', sat: '六', sun: '日' }
      },
      qr: {
        title: '快捷回覆', new: '新增快捷回覆', category: '分類', keyword: '關鍵字', shared: '共用', personal: '個人', scope: '範圍', allCategories: '全部分類', allScopes: '共用與個人',
        heading: '標題', content: '內容', shortcut: '快捷鍵', shortcutHint: 'Ctrl+1 … Ctrl+9，可留空', usage: '使用次數', system: '系統',
        created: '已新增快捷回覆', deleted: '已刪除快捷回覆', variables: '變數',
        cat: { pre_sales: '售前', after_sales: '售後', logistics: '物流', technical: '技術', policy: '政策' }
      },
      rules: {
        title: '自動回覆規則', new: '新增規則', type: '類型', content: '回覆內容', delay: '延遲（秒，0–60）', delayShort: '延遲', enabled: '啟用', disabled: '停用',
        keywords: '關鍵字（每行一個或以逗號分隔）', event: '觸發時機', minPosition: '最少排隊順位', waitSeconds: '等待秒數（5–3600，空白為 60）',
        count: '{n} / 20 條', full: '此類型已達 20 條上限', created: '已新增規則', updated: '已更新規則', deleted: '已刪除規則', condition: '條件',
        typeName: { welcome: '歡迎', keyword: '關鍵字', offline: '離線', busy: '忙碌', queue: '排隊', timeout: '逾時' },
        eventName: { first_message: '客戶第一則訊息', conversation_start: '對話開始' },
        err: {
          content: '回覆內容需 1–{max} 個字元', delay: '延遲需為 {min}–{max} 秒的整數', keywords: '需 1–{max} 個關鍵字',
          keywordLength: '每個關鍵字最多 {max} 個字元', minPosition: '順位需為正整數', wait: '等待秒數需為 {min}–{max}'
        }
      },
      stats: {
        title: '客服統計', window: '統計區間', hours: '最近 {n} 小時', live: '即時（會話統計）', report: '報表', period: { daily: '日報', weekly: '週報', monthly: '月報' },
        date: '日期', download: '下載 CSV', downloaded: '已下載 {name}', range: '{from} ～ {to}',
        aiQuality: 'AI 品質', agentEfficiency: '客服效率', avgResponse: 'AI 平均回應', successRate: 'AI 解決率', escalationRate: '轉人工率',
        messagesBefore: '轉人工前訊息數', takeover: '平均接手時間', service: '平均服務時間', resolution: '一次解決率', perAgent: '每位客服會話數',
        activeAgents: '服務中客服', sessions: '會話數', waiting: '平均等待', byStatus: '依狀態',
        conversations: '對話', escalations: '轉人工原因', takeoverWait: '接手等待（秒）', serviceTime: '服務時間（秒）', resolutionTime: '解決時間（秒）',
        messages: '訊息（依角色）', agentSessions: '客服接手會話', agentMessages: '客服訊息數', sla: 'SLA 達成率', noData: '此區間沒有資料',
        status: { bot_active: 'AI 服務中', pending_manual: '等待客服', manual_live: '客服服務中', closed: '已結束', after_hours_email: '離線轉信' },
        reason: { keyword: '關鍵字', user_request: '客戶要求', negative_sentiment: '負面情緒', ai_failure: 'AI 無法回答', vip: 'VIP', agent_takeover: '客服主動接手', after_hours_email: '離線轉信' },
        spread: { mean: '平均', p50: '中位數', p95: 'P95', max: '最長' },
        funnel: { started: '新對話', active: '活躍', escalated: '轉人工', closed: '結束' },
        role: { user: '客戶', assistant: 'AI', agent: '客服', system: '系統' }
      }
    }
  },
  'zh-CN': {
    adm: {
      save: '保存', cancel: '取消', delete: '删除', edit: '编辑', create: '新增', search: '搜索', saved: '已保存', yes: '是', no: '否',
      prev: '上一页', next: '下一页', pageOf: '第 {page} / {pages} 页，共 {total} 条', empty: '没有数据', confirmDelete: '确定要删除吗？',
      agents: {
        title: '客服账号', new: '新增账号', username: '账号', name: '显示名称', email: 'Email', role: '角色', maxSessions: '同时会话上限',
        active: '启用', status: '状态', password: '密码', newPassword: '新密码', resetPassword: '重置密码', remove: '停用账号',
        created: '已创建账号 {username}', updated: '已更新 {username}', reset: '已重置 {username} 的密码', removed: '已停用 {username}',
        confirmRemove: '确定要停用 {username}？该账号的登录会立即失效。', inactive: '已停用', lastLogin: '最后登录',
        role_agent: '客服', role_admin: '管理员', searchHint: '账号或名称'
      },
      shift: {
        title: '值班时间', start: '上班时间', end: '下班时间', timezone: '时区', weekendsDisabled: '周末不值班', weekendDays: '周末',
        holidays: '假日（每行一个日期 YYYY-MM-DD）', emailTo: '离线转邮件收件人（每行一个）', offline: '离线消息', perDay: '当前为每日不同时段，保存后将改为每天相同时段',
        day: { mon: '一', tue: '二', wed: '三', thu: '四', fri: '五', sat: '六', sun: '日' }
      },
      qr: {
        title: '快捷回复', new: '新增快捷回复', category: '分类', keyword: '关键字', shared: '共享', personal: '个人', scope: '范围', allCategories: '全部分类', allScopes: '共享与个人',
        heading: '标题', content: '内容', shortcut: '快捷键', shortcutHint: 'Ctrl+1 … Ctrl+9，可留空', usage: '使用次数', system: '系统',
        created: '已新增快捷回复', deleted: '已删除快捷回复', variables: '变量',
        cat: { pre_sales: '售前', after_sales: '售后', logistics: '物流', technical: '技术', policy: '政策' }
      },
      rules: {
        title: '自动回复规则', new: '新增规则', type: '类型', content: '回复内容', delay: '延迟（秒，0–60）', delayShort: '延迟', enabled: '启用', disabled: '停用',
        keywords: '关键字（每行一个或以逗号分隔）', event: '触发时机', minPosition: '最少排队位置', waitSeconds: '等待秒数（5–3600，空白为 60）',
        count: '{n} / 20 条', full: '此类型已达 20 条上限', created: '已新增规则', updated: '已更新规则', deleted: '已删除规则', condition: '条件',
        typeName: { welcome: '欢迎', keyword: '关键字', offline: '离线', busy: '忙碌', queue: '排队', timeout: '超时' },
        eventName: { first_message: '客户第一条消息', conversation_start: '对话开始' },
        err: {
          content: '回复内容需 1–{max} 个字符', delay: '延迟需为 {min}–{max} 秒的整数', keywords: '需 1–{max} 个关键字',
          keywordLength: '每个关键字最多 {max} 个字符', minPosition: '位置需为正整数', wait: '等待秒数需为 {min}–{max}'
        }
      },
      stats: {
        title: '客服统计', window: '统计区间', hours: '最近 {n} 小时', live: '实时（会话统计）', report: '报表', period: { daily: '日报', weekly: '周报', monthly: '月报' },
        date: '日期', download: '下载 CSV', downloaded: '已下载 {name}', range: '{from} ～ {to}',
        aiQuality: 'AI 质量', agentEfficiency: '客服效率', avgResponse: 'AI 平均响应', successRate: 'AI 解决率', escalationRate: '转人工率',
        messagesBefore: '转人工前消息数', takeover: '平均接手时间', service: '平均服务时间', resolution: '一次解决率', perAgent: '每位客服会话数',
        activeAgents: '服务中客服', sessions: '会话数', waiting: '平均等待', byStatus: '按状态',
        conversations: '对话', escalations: '转人工原因', takeoverWait: '接手等待（秒）', serviceTime: '服务时间（秒）', resolutionTime: '解决时间（秒）',
        messages: '消息（按角色）', agentSessions: '客服接手会话', agentMessages: '客服消息数', sla: 'SLA 达成率', noData: '此区间没有数据',
        status: { bot_active: 'AI 服务中', pending_manual: '等待客服', manual_live: '客服服务中', closed: '已结束', after_hours_email: '离线转邮件' },
        reason: { keyword: '关键字', user_request: '客户要求', negative_sentiment: '负面情绪', ai_failure: 'AI 无法回答', vip: 'VIP', agent_takeover: '客服主动接手', after_hours_email: '离线转邮件' },
        spread: { mean: '平均', p50: '中位数', p95: 'P95', max: '最长' },
        funnel: { started: '新对话', active: '活跃', escalated: '转人工', closed: '结束' },
        role: { user: '客户', assistant: 'AI', agent: '客服', system: '系统' }
      }
    }
  },
  en: {
    adm: {
      save: 'Save', cancel: 'Cancel', delete: 'Delete', edit: 'Edit', create: 'Create', search: 'Search', saved: 'Saved', yes: 'Yes', no: 'No',
      prev: 'Previous', next: 'Next', pageOf: 'Page {page} of {pages}, {total} in all', empty: 'Nothing here', confirmDelete: 'Delete this?',
      agents: {
        title: 'Agent accounts', new: 'New account', username: 'Login name', name: 'Display name', email: 'Email', role: 'Role', maxSessions: 'Max. chats',
        active: 'Active', status: 'Status', password: 'Password', newPassword: 'New password', resetPassword: 'Reset password', remove: 'Deactivate',
        created: 'Account {username} created', updated: '{username} updated', reset: 'Password of {username} reset', removed: '{username} deactivated',
        confirmRemove: 'Deactivate {username}? Its logins end at once.', inactive: 'Inactive', lastLogin: 'Last login',
        role_agent: 'Agent', role_admin: 'Admin', searchHint: 'Login or display name'
      },
      shift: {
        title: 'Shift hours', start: 'Start', end: 'End', timezone: 'Time zone', weekendsDisabled: 'No service on weekends', weekendDays: 'Weekend days',
        holidays: 'Holidays (one YYYY-MM-DD per line)', emailTo: 'Off-hours mail recipients (one per line)', offline: 'Offline messages', perDay: 'Hours differ per weekday now; saving sets the same window every day',
        day: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' }
      },
      qr: {
        title: 'Quick replies', new: 'New quick reply', category: 'Category', keyword: 'Keyword', shared: 'Shared', personal: 'Personal', scope: 'Scope', allCategories: 'All categories', allScopes: 'Shared and personal',
        heading: 'Title', content: 'Content', shortcut: 'Shortcut', shortcutHint: 'Ctrl+1 … Ctrl+9, optional', usage: 'Uses', system: 'System',
        created: 'Quick reply created', deleted: 'Quick reply deleted', variables: 'Variables',
        cat: { pre_sales: 'Pre-sales', after_sales: 'After-sales', logistics: 'Logistics', technical: 'Technical', policy: 'Policy' }
      },
      rules: {
        title: 'Auto-reply rules', new: 'New rule', type: 'Type', content: 'Reply', delay: 'Delay (s, 0–60)', delayShort: 'Delay', enabled: 'Enabled', disabled: 'Disabled',
        keywords: 'Keywords (one per line or comma-separated)', event: 'When', minPosition: 'Minimum queue position', waitSeconds: 'Wait seconds (5–3600, empty: 60)',
        count: '{n} / 20 rules', full: 'This type already has 20 rules', created: 'Rule created', updated: 'Rule updated', deleted: 'Rule deleted', condition: 'Condition',
        typeName: { welcome: 'Welcome', keyword: 'Keyword', offline: 'Offline', busy: 'Busy', queue: 'Queue', timeout: 'Timeout' },
        eventName: { first_message: "Customer's first message", conversation_start: 'Conversation start' },
        err: {
          content: 'The reply needs 1–{max} characters', delay: 'The delay is a whole number of seconds, {min}–{max}', keywords: '1–{max} keywords needed',
          keywordLength: 'Each keyword at most {max} characters', minPosition: 'The position is a positive whole number', wait: 'Wait seconds must be {min}–{max}'
        }
      },
      stats: {
        title: 'Service statistics', window: 'Window', hours: 'Last {n} hours', live: 'Live (session stats)', report: 'Report', period: { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' },
        date: 'Date', download: 'Download CSV', downloaded: 'Saved {name}', range: '{from} – {to}',
        aiQuality: 'AI quality', agentEfficiency: 'Agent efficiency', avgResponse: 'AI avg. response', successRate: 'AI success rate', escalationRate: 'Escalation rate',
        messagesBefore: 'Messages before escalation', takeover: 'Avg. takeover time', service: 'Avg. service time', resolution: 'Resolution rate', perAgent: 'Chats per agent',
        activeAgents: 'Active agents', sessions: 'Sessions', waiting: 'Avg. waiting', byStatus: 'By status',
        conversations: 'Conversations', escalations: 'Escalations by reason', takeoverWait: 'Takeover wait (s)', serviceTime: 'Service time (s)', resolutionTime: 'Resolution time (s)',
        messages: 'Messages by role', agentSessions: 'Chats taken per agent', agentMessages: 'Messages per agent', sla: 'SLA compliance', noData: 'No data in this window',
        status: { bot_active: 'AI', pending_manual: 'Waiting', manual_live: 'With an agent', closed: 'Closed', after_hours_email: 'Mailed off-hours' },
        reason: { keyword: 'Keyword', user_request: 'Customer asked', negative_sentiment: 'Negative mood', ai_failure: 'AI failed', vip: 'VIP', agent_takeover: 'Agent took over', after_hours_email: 'Off-hours mail' },
        spread: { mean: 'Mean', p50: 'Median', p95: 'P95', max: 'Max' },
        funnel: { started: 'Started', active: 'Active', escalated: 'Escalated', closed: 'Closed' },
        role: { user: 'Customer', assistant: 'AI', agent: 'Agent', system: 'System' }
      }
    }
  }
}
