/**
 * Statistics pages' strings, and the side chat's (sidechat/messages.ts) merged in here so
 * i18n/index.ts needs no second import.
 */
import sidechat from '@/sidechat/messages'

const stats = {
  'zh-TW': {
    stats: {
      today: '今日', thisWeek: '本週', week: '本週', month: '本月', last7: '本週每日',
      period: '期間', store: '門市', allStores: '全部門市', refresh: '重新整理',
      export: '匯出 CSV', exporting: '匯出中…', exported: '已下載 {name}', empty: '尚無資料',
      range: '{start} 至 {end}',
      dashboard: { title: '我的儀表板', chartSales: '本週每日成交', chartCustomers: '本週每日服務客戶', chartTokens: '本週每日 AI token' },
      rankings: { title: '門市排名' },
      staff: { title: '人員列表', status: '狀態' },
      usage: { title: 'AI 用量', byType: 'AI 呼叫類型', chartCost: '本週每日 AI 費用', chartTokens: '本週每日 token', perStaff: '人員用量', mine: '我的用量', store: '門市用量' },
      col: {
        rank: '名次', store: '門市', city: '城市', staffCount: '人數', name: '姓名', code: '員工編號', role: '職務',
        customers: '服務客戶', sessions: '續約流程', completed: '完成', abandoned: '放棄', sales: '成交',
        conversion: '成交率', aiCalls: 'AI 呼叫', tokens: 'Token', promptTokens: '輸入 token',
        completionTokens: '輸出 token', cost: 'AI 費用', logins: '登入次數', loginTime: '登入時數', lastLogin: '最後登入'
      },
      usageType: { free_chat: 'AI 助理問答', comparison: '方案比較說明', customer_chat: '客服對話', escalation_summary: '轉人工摘要' },
      role: { sales: '門市人員', manager: '店長', admin: '管理員' }
    }
  },
  'zh-CN': {
    stats: {
      today: '今日', thisWeek: '本周', week: '本周', month: '本月', last7: '本周每日',
      period: '期间', store: '门市', allStores: '全部门市', refresh: '刷新',
      export: '导出 CSV', exporting: '导出中…', exported: '已下载 {name}', empty: '暂无数据',
      range: '{start} 至 {end}',
      dashboard: { title: '我的仪表板', chartSales: '本周每日成交', chartCustomers: '本周每日服务客户', chartTokens: '本周每日 AI token' },
      rankings: { title: '门市排名' },
      staff: { title: '人员列表', status: '状态' },
      usage: { title: 'AI 用量', byType: 'AI 调用类型', chartCost: '本周每日 AI 费用', chartTokens: '本周每日 token', perStaff: '人员用量', mine: '我的用量', store: '门市用量' },
      col: {
        rank: '名次', store: '门市', city: '城市', staffCount: '人数', name: '姓名', code: '员工编号', role: '职务',
        customers: '服务客户', sessions: '续约流程', completed: '完成', abandoned: '放弃', sales: '成交',
        conversion: '成交率', aiCalls: 'AI 调用', tokens: 'Token', promptTokens: '输入 token',
        completionTokens: '输出 token', cost: 'AI 费用', logins: '登录次数', loginTime: '登录时长', lastLogin: '最后登录'
      },
      usageType: { free_chat: 'AI 助理问答', comparison: '方案比较说明', customer_chat: '客服对话', escalation_summary: '转人工摘要' },
      role: { sales: '门市人员', manager: '店长', admin: '管理员' }
    }
  },
  en: {
    stats: {
      today: 'Today', thisWeek: 'This week', week: 'This week', month: 'This month', last7: 'Each day this week',
      period: 'Period', store: 'Store', allStores: 'All stores', refresh: 'Refresh',
      export: 'Export CSV', exporting: 'Exporting…', exported: 'Downloaded {name}', empty: 'No data yet',
      range: '{start} to {end}',
      dashboard: { title: 'My dashboard', chartSales: 'Sales per day this week', chartCustomers: 'Customers served per day', chartTokens: 'AI tokens per day' },
      rankings: { title: 'Store rankings' },
      staff: { title: 'Staff', status: 'Status' },
      usage: { title: 'AI usage', byType: 'AI calls by type', chartCost: 'AI cost per day this week', chartTokens: 'Tokens per day this week', perStaff: 'Usage per staff member', mine: 'My usage', store: 'Store usage' },
      col: {
        rank: 'Rank', store: 'Store', city: 'City', staffCount: 'Staff', name: 'Name', code: 'Code', role: 'Role',
        customers: 'Customers', sessions: 'Renewals', completed: 'Completed', abandoned: 'Abandoned', sales: 'Sales',
        conversion: 'Conversion', aiCalls: 'AI calls', tokens: 'Tokens', promptTokens: 'Prompt tokens',
        completionTokens: 'Completion tokens', cost: 'AI cost', logins: 'Logins', loginTime: 'Logged in', lastLogin: 'Last login'
      },
      usageType: { free_chat: 'Side chat', comparison: 'Plan comparison', customer_chat: 'Customer chat', escalation_summary: 'Escalation summary' },
      role: { sales: 'Sales', manager: 'Manager', admin: 'Admin' }
    }
  }
}

export default {
  'zh-TW': { ...stats['zh-TW'], ...sidechat['zh-TW'] },
  'zh-CN': { ...stats['zh-CN'], ...sidechat['zh-CN'] },
  en: { ...stats.en, ...sidechat.en }
}
