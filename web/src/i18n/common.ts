export default {
  'zh-TW': {
    app: { name: 'Switchboard 門市續約', language: '語言', logout: '登出', loading: '載入中…' },
    nav: { renewal: '續約', history: '申辦紀錄', dashboard: '我的儀表板', rankings: '門市排名', staff: '人員列表', usage: 'AI 用量',
      workbench: '客服工作台', tickets: '工單', serviceStats: '客服統計', agents: '客服帳號', shift: '值班時間', quickReplies: '快捷回覆', autoReplies: '自動回覆', admin: '管理' },
    login: {
      title: '登入 Switchboard', employeeCode: '員工編號或客服帳號', password: '密碼', submit: '登入',
      locked: '帳號已鎖定，請於 {minutes} 分鐘後再試', expired: '登入已逾時，請重新登入'
    },
    errors: { network: '無法連線到伺服器，請稍後再試', retry: '重試' }
  },
  'zh-CN': {
    app: { name: 'Switchboard 门市续约', language: '语言', logout: '退出登录', loading: '加载中…' },
    nav: { renewal: '续约', history: '办理记录', dashboard: '我的仪表板', rankings: '门市排名', staff: '人员列表', usage: 'AI 用量',
      workbench: '客服工作台', tickets: '工单', serviceStats: '客服统计', agents: '客服账号', shift: '值班时间', quickReplies: '快捷回复', autoReplies: '自动回复', admin: '管理' },
    login: {
      title: '登录 Switchboard', employeeCode: '员工编号或客服账号', password: '密码', submit: '登录',
      locked: '账号已锁定，请于 {minutes} 分钟后再试', expired: '登录已过期，请重新登录'
    },
    errors: { network: '无法连接到服务器，请稍后再试', retry: '重试' }
  },
  en: {
    app: { name: 'Switchboard store renewals', language: 'Language', logout: 'Log out', loading: 'Loading…' },
    nav: { renewal: 'Renewal', history: 'Applications', dashboard: 'My dashboard', rankings: 'Store rankings', staff: 'Staff', usage: 'AI usage',
      workbench: 'Workbench', tickets: 'Tickets', serviceStats: 'Service stats', agents: 'Agents', shift: 'Shift hours', quickReplies: 'Quick replies', autoReplies: 'Auto-replies', admin: 'Settings' },
    login: {
      title: 'Log in to Switchboard', employeeCode: 'Employee code or agent name', password: 'Password', submit: 'Log in',
      locked: 'Account locked, try again in {minutes} min', expired: 'Your session expired, please log in again'
    },
    errors: { network: 'Cannot reach the server, try again shortly', retry: 'Retry' }
  }
}
