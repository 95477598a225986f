/** The ticket pages' words (`tk.`): zh-TW (default), zh-CN, en. */
export default {
  'zh-TW': {
    tk: {
      list: { title: '工單', total: '共 {n} 筆', empty: '沒有符合條件的工單', prev: '上一頁', next: '下一頁', page: '第 {page} / {pages} 頁', reset: '清除條件', loading: '載入中…' },
      filters: {
        status: '狀態', priority: '優先級', category: '類別', sla: 'SLA', assignee: '負責人', assigneeHint: '客服帳號', mine: '我的', keyword: '關鍵字',
        keywordHint: '編號、標題、內容、客戶', from: '建立日（起）', to: '建立日（迄）', all: '全部'
      },
      col: { number: '編號', title: '標題', status: '狀態', priority: '優先級', category: '類別', assignee: '負責人', sla: 'SLA', created: '建立', updated: '更新', sortBy: '依{name}排序' },
      status: { pending: '待處理', in_progress: '處理中', waiting_customer: '等待客戶', waiting_parts: '等待零件', resolved: '已解決', closed: '已關閉' },
      priority: { low: '低', normal: '一般', high: '高', urgent: '緊急' },
      category: { pre_sales: '售前諮詢', order_modify: '訂單修改', shipping: '物流異常', after_sales: '售後維修', compliance: '合規申訴', technical: '技術故障', returns: '退換貨', warranty: '保固' },
      department: { sales_eu: '業務', service_cn: '客服中心', warehouse: '倉儲', compliance: '法遵', technical: '技術', logistics: '物流' },
      sla: { within: '正常', warning: '即將逾時', breached: '已逾時', unknown: '未知' },
      clock: {
        response: '首次回應期限', resolution: '解決期限', met: '已達成', late: '逾時完成', running: '計時中', at_risk: '即將到期', overdue: '已逾期',
        left: '剩 {time}', over: '超過 {time}', d: '{n} 天', h: '{n} 小時', m: '{n} 分'
      },
      detail: {
        back: '回工單列表', reload: '重新整理', notFound: '找不到這張工單', unassigned: '未指派', customer: '客戶', department: '部門', session: '對話',
        order: '訂單', model: '型號', serial: '序號', tags: '標籤', createdBy: '建立者', created: '建立時間', updated: '更新時間', version: '版本',
        summary: 'AI 摘要', description: '問題描述', profile: '客戶資料', none: '—', slaTitle: 'SLA', overall: '整體'
      },
      edit: {
        title: '編輯工單', open: '編輯', save: '儲存', cancel: '取消', saved: '已儲存（版本 {version}）', noChanges: '沒有變更',
        conflictTitle: '這張工單已被其他人修改', conflictHelp: '已載入最新內容（版本 {version}）。您的修改仍保留在表單中，確認後請再按一次儲存。',
        yours: '您的', theirs: '目前', tagsHint: '以逗號分隔，最多 10 個'
      },
      fields: { title: '標題', priority: '優先級', description: '問題描述', tags: '標籤', status: '狀態', assignee_id: '負責人', assignee_name: '負責人', department: '部門', sla_deadline: '解決期限', sla_response_deadline: '回應期限', category: '類別' },
      actions: {
        title: '變更狀態', in_progress: '開始處理', waiting_customer: '等待客戶回覆', waiting_parts: '等待零件', resolved: '標記為已解決', closed: '關閉工單', reopen: '重新開啟',
        comment: '備註（選填，記錄在活動紀錄）', none: '已關閉的工單不能再變更狀態', done: '狀態已變更為「{status}」'
      },
      assign: { title: '指派', pick: '選擇客服', username: '客服帳號（如 agent002）', submit: '指派', me: '指派給我', current: '目前負責人', done: '已指派給 {name}' },
      comments: {
        title: '評論', empty: '尚無評論', placeholder: '輸入評論', internal: '內部備註（客戶看不到）', public: '客戶可見', add: '新增評論',
        internalBadge: '內部', publicBadge: '客戶可見', visibility: '可見範圍'
      },
      activity: { title: '活動紀錄', empty: '尚無紀錄', comment: '備註：{text}' }
    }
  },
  'zh-CN': {
    tk: {
      list: { title: '工单', total: '共 {n} 条', empty: '没有符合条件的工单', prev: '上一页', next: '下一页', page: '第 {page} / {pages} 页', reset: '清除条件', loading: '加载中…' },
      filters: {
        status: '状态', priority: '优先级', category: '类别', sla: 'SLA', assignee: '负责人', assigneeHint: '客服账号', mine: '我的', keyword: '关键字',
        keywordHint: '编号、标题、内容、客户', from: '创建日（起）', to: '创建日（止）', all: '全部'
      },
      col: { number: '编号', title: '标题', status: '状态', priority: '优先级', category: '类别', assignee: '负责人', sla: 'SLA', created: '创建', updated: '更新', sortBy: '按{name}排序' },
      status: { pending: '待处理', in_progress: '处理中', waiting_customer: '等待客户', waiting_parts: '等待配件', resolved: '已解决', closed: '已关闭' },
      priority: { low: '低', normal: '普通', high: '高', urgent: '紧急' },
      category: { pre_sales: '售前咨询', order_modify: '订单修改', shipping: '物流异常', after_sales: '售后维修', compliance: '合规申诉', technical: '技术故障', returns: '退换货', warranty: '保修' },
      department: { sales_eu: '销售', service_cn: '客服中心', warehouse: '仓储', compliance: '合规', technical: '技术', logistics: '物流' },
      sla: { within: '正常', warning: '即将超时', breached: '已超时', unknown: '未知' },
      clock: {
        response: '首次响应期限', resolution: '解决期限', met: '已达成', late: '超时完成', running: '计时中', at_risk: '即将到期', overdue: '已逾期',
        left: '剩 {time}', over: '超出 {time}', d: '{n} 天', h: '{n} 小时', m: '{n} 分'
      },
      detail: {
        back: '返回工单列表', reload: '刷新', notFound: '找不到该工单', unassigned: '未指派', customer: '客户', department: '部门', session: '会话',
        order: '订单', model: '型号', serial: '序列号', tags: '标签', createdBy: '创建者', created: '创建时间', updated: '更新时间', version: '版本',
        summary: 'AI 摘要', description: '问题描述', profile: '客户资料', none: '—', slaTitle: 'SLA', overall: '整体'
      },
      edit: {
        title: '编辑工单', open: '编辑', save: '保存', cancel: '取消', saved: '已保存（版本 {version}）', noChanges: '没有修改',
        conflictTitle: '该工单已被其他人修改', conflictHelp: '已加载最新内容（版本 {version}）。您的修改仍保留在表单中，确认后请再点一次保存。',
        yours: '您的', theirs: '当前', tagsHint: '用逗号分隔，最多 10 个'
      },
      fields: { title: '标题', priority: '优先级', description: '问题描述', tags: '标签', status: '状态', assignee_id: '负责人', assignee_name: '负责人', department: '部门', sla_deadline: '解决期限', sla_response_deadline: '响应期限', category: '类别' },
      actions: {
        title: '变更状态', in_progress: '开始处理', waiting_customer: '等待客户回复', waiting_parts: '等待配件', resolved: '标记为已解决', closed: '关闭工单', reopen: '重新打开',
        comment: '备注（选填，记录在活动记录）', none: '已关闭的工单不能再变更状态', done: '状态已变更为「{status}」'
      },
      assign: { title: '指派', pick: '选择客服', username: '客服账号（如 agent002）', submit: '指派', me: '指派给我', current: '当前负责人', done: '已指派给 {name}' },
      comments: {
        title: '评论', empty: '暂无评论', placeholder: '输入评论', internal: '内部备注（客户不可见）', public: '客户可见', add: '添加评论',
        internalBadge: '内部', publicBadge: '客户可见', visibility: '可见范围'
      },
      activity: { title: '活动记录', empty: '暂无记录', comment: '备注：{text}' }
    }
  },
  en: {
    tk: {
      list: { title: 'Tickets', total: '{n} in total', empty: 'No tickets match', prev: 'Previous', next: 'Next', page: 'Page {page} of {pages}', reset: 'Clear filters', loading: 'Loading…' },
      filters: {
        status: 'Status', priority: 'Priority', category: 'Category', sla: 'SLA', assignee: 'Assignee', assigneeHint: 'agent username', mine: 'Mine', keyword: 'Keyword',
        keywordHint: 'number, title, text, customer', from: 'Created from', to: 'Created to', all: 'All'
      },
      col: { number: 'Number', title: 'Title', status: 'Status', priority: 'Priority', category: 'Category', assignee: 'Assignee', sla: 'SLA', created: 'Created', updated: 'Updated', sortBy: 'Sort by {name}' },
      status: { pending: 'Pending', in_progress: 'In progress', waiting_customer: 'Waiting for customer', waiting_parts: 'Waiting for parts', resolved: 'Resolved', closed: 'Closed' },
      priority: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' },
      category: { pre_sales: 'Pre-sales', order_modify: 'Order change', shipping: 'Shipping', after_sales: 'After-sales repair', compliance: 'Compliance', technical: 'Technical fault', returns: 'Returns', warranty: 'Warranty' },
      department: { sales_eu: 'Sales', service_cn: 'Service centre', warehouse: 'Warehouse', compliance: 'Compliance', technical: 'Technical', logistics: 'Logistics' },
      sla: { within: 'On track', warning: 'At risk', breached: 'Breached', unknown: 'Unknown' },
      clock: {
        response: 'First response due', resolution: 'Resolution due', met: 'Met', late: 'Met late', running: 'Running', at_risk: 'Due soon', overdue: 'Overdue',
        left: '{time} left', over: '{time} over', d: '{n} d', h: '{n} h', m: '{n} min'
      },
      detail: {
        back: 'Back to tickets', reload: 'Reload', notFound: 'Ticket not found', unassigned: 'Unassigned', customer: 'Customer', department: 'Department', session: 'Chat',
        order: 'Order', model: 'Model', serial: 'Serial', tags: 'Tags', createdBy: 'Created by', created: 'Created', updated: 'Updated', version: 'Version',
        summary: 'AI summary', description: 'Description', profile: 'Customer profile', none: '—', slaTitle: 'SLA', overall: 'Overall'
      },
      edit: {
        title: 'Edit ticket', open: 'Edit', save: 'Save', cancel: 'Cancel', saved: 'Saved (version {version})', noChanges: 'Nothing changed',
        conflictTitle: 'Someone else changed this ticket', conflictHelp: 'The latest ticket is loaded (version {version}). Your edits are still in the form: check them and save again.',
        yours: 'Yours', theirs: 'Now', tagsHint: 'comma separated, at most 10'
      },
      fields: { title: 'Title', priority: 'Priority', description: 'Description', tags: 'Tags', status: 'Status', assignee_id: 'Assignee', assignee_name: 'Assignee', department: 'Department', sla_deadline: 'Resolution due', sla_response_deadline: 'Response due', category: 'Category' },
      actions: {
        title: 'Change status', in_progress: 'Start work', waiting_customer: 'Wait for the customer', waiting_parts: 'Wait for parts', resolved: 'Mark resolved', closed: 'Close ticket', reopen: 'Reopen',
        comment: 'Note (optional, kept in the activity log)', none: 'A closed ticket cannot change status', done: 'Status changed to “{status}”'
      },
      assign: { title: 'Assignment', pick: 'Pick an agent', username: 'Agent username (e.g. agent002)', submit: 'Assign', me: 'Assign to me', current: 'Assignee', done: 'Assigned to {name}' },
      comments: {
        title: 'Comments', empty: 'No comments yet', placeholder: 'Write a comment', internal: 'Internal note (hidden from the customer)', public: 'Visible to the customer', add: 'Add comment',
        internalBadge: 'Internal', publicBadge: 'Customer-visible', visibility: 'Visibility'
      },
      activity: { title: 'Activity', empty: 'No activity yet', comment: 'Note: {text}' }
    }
  }
}
