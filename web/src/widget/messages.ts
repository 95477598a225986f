/**
 * The widget's own strings in zh-TW, zh-CN and en. Not vue-i18n: the widget loads on the
 * operator's every page view, so it carries a plain dictionary (a few hundred bytes) instead of
 * the console's i18n bundle. The language comes from the embed's `data-lang` (passed as `?lang=`)
 * or else the browser's; anything not Chinese is English, Chinese is Simplified only for the
 * mainland / Singapore / `Hans` tags.
 */
export const WIDGET_LOCALES = ['zh-TW', 'zh-CN', 'en'] as const
export type WidgetLocale = (typeof WIDGET_LOCALES)[number]

/** The widget's language for a BCP 47 tag (`navigator.language`, `data-lang`). */
export function pickLocale(...tags: (string | null | undefined)[]): WidgetLocale {
  for (const raw of tags) {
    if (!raw) continue
    const tag = raw.trim().toLowerCase().replace(/_/g, '-')
    if (!tag) continue
    if (tag.startsWith('zh')) {
      if (/^zh-(cn|sg|hans)(-|$)/.test(tag) || tag.includes('-hans')) return 'zh-CN'
      return 'zh-TW'
    }
    if (tag.startsWith('en')) return 'en'
    return 'en'
  }
  return 'zh-TW'
}

const zhTW = {
  title: '線上客服',
  subtitle: 'AI 助理為您服務',
  greeting: '您好！請問有什麼可以幫您？',
  placeholder: '輸入訊息…',
  send: '送出',
  askHuman: '轉接真人客服',
  cancel: '取消轉接',
  close: '關閉',
  waiting: '正在為您轉接真人客服，請稍候…',
  connected: '客服人員 {name} 已加入對話',
  backToAi: '人工服務已結束，由 AI 助理繼續為您服務',
  offline: '目前非客服服務時間，我們已記下您的問題，將以電子郵件回覆。',
  reconnecting: '連線中斷，正在重新連線…',
  ended: '對話已結束',
  newChat: '開始新對話',
  you: '您',
  ai: 'AI 助理',
  agent: '客服',
  system: '系統通知',
  busy: 'AI 正在回覆，請稍候再送出',
  rateLimited: '訊息太頻繁，請 {seconds} 秒後再試',
  failed: '訊息未送出，請再試一次',
  typing: 'AI 回覆中…'
}
type Strings = typeof zhTW
export type StringKey = keyof Strings

const zhCN: Strings = {
  title: '在线客服',
  subtitle: 'AI 助理为您服务',
  greeting: '您好！请问有什么可以帮您？',
  placeholder: '输入消息…',
  send: '发送',
  askHuman: '转人工客服',
  cancel: '取消转接',
  close: '关闭',
  waiting: '正在为您转接人工客服，请稍候…',
  connected: '客服人员 {name} 已加入对话',
  backToAi: '人工服务已结束，由 AI 助理继续为您服务',
  offline: '目前非客服服务时间，我们已记下您的问题，将通过电子邮件回复。',
  reconnecting: '连接中断，正在重新连接…',
  ended: '对话已结束',
  newChat: '开始新对话',
  you: '您',
  ai: 'AI 助理',
  agent: '客服',
  system: '系统通知',
  busy: 'AI 正在回复，请稍后再发送',
  rateLimited: '消息太频繁，请 {seconds} 秒后再试',
  failed: '消息未发送，请重试',
  typing: 'AI 回复中…'
}

const en: Strings = {
  title: 'Chat with us',
  subtitle: 'Our AI assistant is here to help',
  greeting: 'Hello! How can we help you?',
  placeholder: 'Type a message…',
  send: 'Send',
  askHuman: 'Talk to a person',
  cancel: 'Cancel',
  close: 'Close',
  waiting: 'Connecting you to an agent, please wait…',
  connected: '{name} has joined the chat',
  backToAi: 'The agent has left; our AI assistant is back',
  offline: 'Our agents are offline right now. We have noted your question and will reply by e-mail.',
  reconnecting: 'Connection lost, reconnecting…',
  ended: 'This conversation has ended',
  newChat: 'Start a new chat',
  you: 'You',
  ai: 'AI assistant',
  agent: 'Agent',
  system: 'Notice',
  busy: 'The AI is still answering; send again in a moment',
  rateLimited: 'Too many messages; try again in {seconds} s',
  failed: 'Not sent; please try again',
  typing: 'AI is typing…'
}

const STRINGS: Record<WidgetLocale, Strings> = { 'zh-TW': zhTW, 'zh-CN': zhCN, en }

/** A translator for one locale; `{name}` placeholders are filled from `values` (as text). */
export function translator(locale: WidgetLocale): (key: StringKey, values?: Record<string, string | number>) => string {
  const strings = STRINGS[locale]
  return (key, values) => strings[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? ''))
}
