/** The side chat panel's strings (merged into the app's bundle through stats/messages.ts). */
export default {
  'zh-TW': {
    sidechat: {
      title: 'AI 助理', hint: '可詢問方案、手機或客戶狀況；不會變更續約步驟。',
      placeholder: '輸入問題，例如：這兩個方案哪個比較划算？', ask: '送出', stop: '停止',
      you: '我', assistant: 'AI', thinking: '思考中…', tool: '查詢：{name}', empty: '尚無對話',
      stopped: '（已停止）'
    }
  },
  'zh-CN': {
    sidechat: {
      title: 'AI 助理', hint: '可询问方案、手机或客户状况；不会变更续约步骤。',
      placeholder: '输入问题，例如：这两个方案哪个比较划算？', ask: '发送', stop: '停止',
      you: '我', assistant: 'AI', thinking: '思考中…', tool: '查询：{name}', empty: '暂无对话',
      stopped: '（已停止）'
    }
  },
  en: {
    sidechat: {
      title: 'AI assistant', hint: 'Ask about plans, devices or the customer; it never changes the renewal step.',
      placeholder: 'Type a question, e.g. which of these two plans is cheaper?', ask: 'Ask', stop: 'Stop',
      you: 'Me', assistant: 'AI', thinking: 'Thinking…', tool: 'Looking up: {name}', empty: 'No questions yet',
      stopped: '(stopped)'
    }
  }
}
