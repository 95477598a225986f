/** Strings of the renewal pages (start, workflow, history); merged by i18n/index.ts. */
export default {
  'zh-TW': {
    renewal: {
      start: {
        title: '門市續約', intro: '開始新的續約流程，或繼續尚未完成的流程。', new: '開始新的續約',
        resumeTitle: '進行中的流程', resume: '繼續', none: '目前沒有進行中的流程', startedAt: '開始於'
      },
      steps: {
        id: '身分證查詢', customer: '客戶資料', lines: '門號列表', eligibility: '續約資格',
        deviceType: '裝置類型', os: '作業系統', device: '裝置與顏色', plans: '方案', compare: '比較', confirm: '確認送出'
      },
      progress: { label: '續約進度', done: '已完成', current: '目前步驟', ahead: '尚未進行' },
      id: {
        label: '身分證字號', placeholder: '例如 A123456789', masked: '顯示為', lookup: '查詢客戶',
        hint: {
          empty: '請輸入 1 個英文字母與 9 位數字', incomplete: '輸入中…', format: '格式不符：第 1 碼為英文字母，第 2 碼為 1 或 2，其後 8 位數字',
          checksum: '檢查碼不符，請再確認號碼', ok: '檢查碼正確'
        }
      },
      customer: { title: '客戶', id: '身分證字號', since: '入網日' },
      line: {
        plan: '方案', contractEnd: '合約到期', daysLeft: '剩 {days} 天', data: '數據用量', voice: '語音用量', bill: '上期帳單',
        balance: '未繳金額', unlimited: '無上限', choose: '選擇此門號', eligible: '可續約', notEligible: '未到續約期或不符條件'
      },
      eligibility: { title: '無法續約的原因', remedy: '處理方式', deviceNotAllowed: '此門號不能搭配裝置續約，僅能單純續約' },
      device: {
        recommended: '推薦', stock: '庫存 {n}', outOfStock: '無庫存', retail: '原價', contract: '{months} 個月專案價',
        choose: '選擇', color: '顏色', picked: '已選擇'
      },
      plans: {
        query: '額外需求（可留空）', search: '查詢可選方案', checking: '正在檢查方案資格…',
        stage: { query_contract: '查詢合約', check_basic_eligibility: '基本資格', search_promotions: '搜尋促銷', summary: '彙整' },
        qualified: '符合', disqualified: '不符合', candidates: '找到 {n} 個候選方案', complete: '檢查完成',
        monthly: '月租 {fee}', months: '{n} 個月', choose: '選此方案', compare: '比較已勾選的方案（{n}）',
        compareHint: '勾選 2–5 個方案可比較', none: '沒有符合資格的方案，請返回調整'
      },
      compare: {
        title: '方案比較', annual: '預估年費', recommended: '建議方案', narrative: 'AI 說明', streaming: '正在產生說明…'
      },
      summary: {
        title: '申辦內容', customer: '客戶', line: '門號', currentPlan: '原方案', type: '續約類型', device: '裝置',
        plan: '新方案', costs: '費用', single: '單純續約', withDevice: '續約搭配裝置',
        cost: {
          monthly_fee: '月租', contract_months: '合約月數', device_contract_price: '裝置專案價', device_discount: '裝置折扣',
          upfront_payment: '應繳金額', first_year_total: '首年總額', contract_total: '合約總額', early_termination_fee: '提前解約金'
        },
        confirm: '確認內容無誤', submit: '送出申辦'
      },
      result: {
        completed: '續約申辦完成', reservation: '裝置預留編號', reservedUntil: '預留期限', record: '申辦編號',
        contractEnd: '新合約到期', form: '申辦單', print: '列印申辦單', newSession: '開始新的續約',
        notCustomer: '非本公司客戶', abandoned: '流程已放棄'
      },
      nav: { back: '返回', backTo: '返回：{step}', abandon: '放棄流程', abandonConfirm: '確定放棄這個續約流程？' },
      stepNames: {
        select_phone: '選擇門號', select_device_type: '裝置類型', select_device_os: '作業系統', select_device: '裝置與顏色', select_plan: '方案'
      },
      errors: {
        expired: '此流程閒置超過 1 小時已失效', resynced: '此流程已在其他視窗前進，已同步到目前步驟',
        missing: '找不到這個流程', retry: '重試'
      },
      history: {
        title: '申辦紀錄', outcome: '結果', all: '全部', from: '起', to: '迄', filter: '查詢', empty: '沒有符合的紀錄',
        customer: '客戶', phone: '門號', plan: '方案', device: '裝置', staff: '經辦', started: '開始時間', print: '申辦單',
        page: '第 {page} / {pages} 頁，共 {total} 筆', prev: '上一頁', next: '下一頁', open: '開啟',
        outcomes: { completed: '已完成', abandoned: '已放棄', in_progress: '進行中' }
      }
    }
  },
  'zh-CN': {
    renewal: {
      start: {
        title: '门市续约', intro: '开始新的续约流程，或继续尚未完成的流程。', new: '开始新的续约',
        resumeTitle: '进行中的流程', resume: '继续', none: '目前没有进行中的流程', startedAt: '开始于'
      },
      steps: {
        id: '身份证查询', customer: '客户资料', lines: '门号列表', eligibility: '续约资格',
        deviceType: '设备类型', os: '操作系统', device: '设备与颜色', plans: '方案', compare: '比较', confirm: '确认提交'
      },
      progress: { label: '续约进度', done: '已完成', current: '当前步骤', ahead: '尚未进行' },
      id: {
        label: '身份证号', placeholder: '例如 A123456789', masked: '显示为', lookup: '查询客户',
        hint: {
          empty: '请输入 1 个英文字母与 9 位数字', incomplete: '输入中…', format: '格式不符：第 1 位为英文字母，第 2 位为 1 或 2，其后 8 位数字',
          checksum: '校验码不符，请再确认号码', ok: '校验码正确'
        }
      },
      customer: { title: '客户', id: '身份证号', since: '入网日' },
      line: {
        plan: '方案', contractEnd: '合约到期', daysLeft: '剩 {days} 天', data: '流量用量', voice: '语音用量', bill: '上期账单',
        balance: '未缴金额', unlimited: '无上限', choose: '选择此门号', eligible: '可续约', notEligible: '未到续约期或不符条件'
      },
      eligibility: { title: '无法续约的原因', remedy: '处理方式', deviceNotAllowed: '此门号不能搭配设备续约，仅能单纯续约' },
      device: {
        recommended: '推荐', stock: '库存 {n}', outOfStock: '无库存', retail: '原价', contract: '{months} 个月专案价',
        choose: '选择', color: '颜色', picked: '已选择'
      },
      plans: {
        query: '额外需求（可留空）', search: '查询可选方案', checking: '正在检查方案资格…',
        stage: { query_contract: '查询合约', check_basic_eligibility: '基本资格', search_promotions: '搜索促销', summary: '汇总' },
        qualified: '符合', disqualified: '不符合', candidates: '找到 {n} 个候选方案', complete: '检查完成',
        monthly: '月租 {fee}', months: '{n} 个月', choose: '选此方案', compare: '比较已勾选的方案（{n}）',
        compareHint: '勾选 2–5 个方案可比较', none: '没有符合资格的方案，请返回调整'
      },
      compare: {
        title: '方案比较', annual: '预估年费', recommended: '建议方案', narrative: 'AI 说明', streaming: '正在生成说明…'
      },
      summary: {
        title: '办理内容', customer: '客户', line: '门号', currentPlan: '原方案', type: '续约类型', device: '设备',
        plan: '新方案', costs: '费用', single: '单纯续约', withDevice: '续约搭配设备',
        cost: {
          monthly_fee: '月租', contract_months: '合约月数', device_contract_price: '设备专案价', device_discount: '设备折扣',
          upfront_payment: '应缴金额', first_year_total: '首年总额', contract_total: '合约总额', early_termination_fee: '提前解约金'
        },
        confirm: '确认内容无误', submit: '提交办理'
      },
      result: {
        completed: '续约办理完成', reservation: '设备预留编号', reservedUntil: '预留期限', record: '办理编号',
        contractEnd: '新合约到期', form: '申请单', print: '打印申请单', newSession: '开始新的续约',
        notCustomer: '非本公司客户', abandoned: '流程已放弃'
      },
      nav: { back: '返回', backTo: '返回：{step}', abandon: '放弃流程', abandonConfirm: '确定放弃这个续约流程？' },
      stepNames: {
        select_phone: '选择门号', select_device_type: '设备类型', select_device_os: '操作系统', select_device: '设备与颜色', select_plan: '方案'
      },
      errors: {
        expired: '此流程闲置超过 1 小时已失效', resynced: '此流程已在其他窗口前进，已同步到当前步骤',
        missing: '找不到这个流程', retry: '重试'
      },
      history: {
        title: '办理记录', outcome: '结果', all: '全部', from: '起', to: '止', filter: '查询', empty: '没有符合的记录',
        customer: '客户', phone: '门号', plan: '方案', device: '设备', staff: '经办', started: '开始时间', print: '申请单',
        page: '第 {page} / {pages} 页，共 {total} 条', prev: '上一页', next: '下一页', open: '打开',
        outcomes: { completed: '已完成', abandoned: '已放弃', in_progress: '进行中' }
      }
    }
  },
  en: {
    renewal: {
      start: {
        title: 'Store renewal', intro: 'Start a new renewal, or resume one that is not finished.', new: 'Start a new renewal',
        resumeTitle: 'In progress', resume: 'Resume', none: 'No renewal in progress', startedAt: 'Started'
      },
      steps: {
        id: 'National ID', customer: 'Customer', lines: 'Lines', eligibility: 'Eligibility',
        deviceType: 'Device type', os: 'OS', device: 'Device & colour', plans: 'Plans', compare: 'Compare', confirm: 'Confirm'
      },
      progress: { label: 'Renewal progress', done: 'done', current: 'current step', ahead: 'ahead' },
      id: {
        label: 'National ID', placeholder: 'e.g. A123456789', masked: 'Shown as', lookup: 'Look up customer',
        hint: {
          empty: 'One letter and 9 digits', incomplete: 'Typing…', format: 'Format: a letter, then 1 or 2, then 8 digits',
          checksum: 'Check digit does not match, please check the number', ok: 'Check digit OK'
        }
      },
      customer: { title: 'Customer', id: 'National ID', since: 'Customer since' },
      line: {
        plan: 'Plan', contractEnd: 'Contract ends', daysLeft: '{days} days left', data: 'Data used', voice: 'Voice used', bill: 'Last bill',
        balance: 'Outstanding', unlimited: 'unlimited', choose: 'Choose this line', eligible: 'Renewable', notEligible: 'Not due or not eligible'
      },
      eligibility: { title: 'Why it cannot be renewed', remedy: 'What to do', deviceNotAllowed: 'This line cannot renew with a device, only a plain renewal' },
      device: {
        recommended: 'Recommended', stock: '{n} in stock', outOfStock: 'Out of stock', retail: 'Retail', contract: '{months}-month price',
        choose: 'Choose', color: 'Colour', picked: 'Selected'
      },
      plans: {
        query: 'Extra wishes (optional)', search: 'Find plans', checking: 'Checking plan eligibility…',
        stage: { query_contract: 'Contract', check_basic_eligibility: 'Basic eligibility', search_promotions: 'Promotion search', summary: 'Summary' },
        qualified: 'Qualified', disqualified: 'Not qualified', candidates: '{n} candidates found', complete: 'Check complete',
        monthly: '{fee} / month', months: '{n} months', choose: 'Choose this plan', compare: 'Compare ticked plans ({n})',
        compareHint: 'Tick 2–5 plans to compare', none: 'No plan qualifies; go back and change a choice'
      },
      compare: {
        title: 'Plan comparison', annual: 'Annual cost', recommended: 'Recommended', narrative: 'AI explanation', streaming: 'Writing the explanation…'
      },
      summary: {
        title: 'Application', customer: 'Customer', line: 'Line', currentPlan: 'Current plan', type: 'Renewal type', device: 'Device',
        plan: 'New plan', costs: 'Costs', single: 'Plain renewal', withDevice: 'Renewal with device',
        cost: {
          monthly_fee: 'Monthly fee', contract_months: 'Contract months', device_contract_price: 'Device price', device_discount: 'Device discount',
          upfront_payment: 'Pay now', first_year_total: 'First year total', contract_total: 'Contract total', early_termination_fee: 'Early termination fee'
        },
        confirm: 'Confirm', submit: 'Submit'
      },
      result: {
        completed: 'Renewal submitted', reservation: 'Device reservation', reservedUntil: 'Reserved until', record: 'Application no.',
        contractEnd: 'New contract ends', form: 'Application form', print: 'Print the form', newSession: 'Start a new renewal',
        notCustomer: 'Not a customer', abandoned: 'Renewal abandoned'
      },
      nav: { back: 'Back', backTo: 'Back to: {step}', abandon: 'Abandon', abandonConfirm: 'Abandon this renewal?' },
      stepNames: {
        select_phone: 'Line', select_device_type: 'Device type', select_device_os: 'OS', select_device: 'Device', select_plan: 'Plan'
      },
      errors: {
        expired: 'This renewal was idle for over an hour and has expired', resynced: 'This renewal moved on in another window; showing its current step',
        missing: 'Renewal not found', retry: 'Retry'
      },
      history: {
        title: 'Applications', outcome: 'Outcome', all: 'All', from: 'From', to: 'To', filter: 'Search', empty: 'No matching applications',
        customer: 'Customer', phone: 'Line', plan: 'Plan', device: 'Device', staff: 'Staff', started: 'Started', print: 'Form',
        page: 'Page {page} of {pages}, {total} in all', prev: 'Previous', next: 'Next', open: 'Open',
        outcomes: { completed: 'Completed', abandoned: 'Abandoned', in_progress: 'In progress' }
      }
    }
  }
}
