/**
 * The admin pages' calls, all through the typed `api` client. Accounts, rules, quick replies
 * and shift hours are typed by the generated schema; the session stats and the chat reports
 * are declared as open objects on the server, so their shapes (docs/realtime.md,
 * docs/history.md) are written down here once.
 */
import { api, dataOf } from '@/api/client'
import type { components } from '@/api/schema'
import { fileNameOf } from '@/stats/load'

type Schemas = components['schemas']
export type Account = Schemas['AccountOut']
export type AccountPage = Schemas['AccountPageOut']
export type AgentCreate = Schemas['AgentCreate']
export type AgentUpdate = Schemas['AgentUpdate']
export type Rule = Schemas['RuleOut']
export type RuleCreate = Schemas['RuleCreate']
export type RuleUpdate = Schemas['RuleUpdate']
export type QuickReply = Schemas['QuickReplyOut']
export type QuickReplyCreate = Schemas['QuickReplyCreate']
export type Shift = Schemas['ShiftConfigOut']
export type ShiftIn = Schemas['ShiftConfigIn']

export const RULE_TYPES = ['welcome', 'keyword', 'offline', 'busy', 'queue', 'timeout'] as const
export type RuleType = (typeof RULE_TYPES)[number]
export const CATEGORIES = ['pre_sales', 'after_sales', 'logistics', 'technical', 'policy'] as const
export type Category = (typeof CATEGORIES)[number]
export const PERIODS = ['daily', 'weekly', 'monthly'] as const
export type ReportPeriod = (typeof PERIODS)[number]

/** `/api/sessions/stats` (seed v2.5). */
export interface SessionStats {
  window_hours: number
  generated_at: number
  total_sessions: number
  sessions_in_window: number
  by_status: Record<string, number>
  active_agents: number
  avg_waiting_time: number
  ai_quality: {
    avg_response_time_ms: number
    success_rate: number
    escalation_rate: number
    avg_messages_before_escalation: number
  }
  agent_efficiency: {
    avg_takeover_time_sec: number
    avg_service_time_sec: number
    resolution_rate: number
    avg_sessions_per_agent: number
  }
}

/** `{count, mean, p50, p95, max}` of a report's time section (seconds). */
export interface Spread {
  count: number
  mean: number | null
  p50: number | null
  p95: number | null
  max: number | null
}

/** `/api/reports/{period}` (docs/history.md). */
export interface ChatReport {
  period: ReportPeriod
  date: string
  from: string
  to: string
  timezone: string
  generated_at: number
  conversations: { started: number; active: number; escalated: number; closed: number; messages: Record<string, number> }
  escalations: { total: number; by_reason: Record<string, number> }
  takeover_wait_seconds: Spread
  service_time_seconds: Spread
  resolution_time_seconds: Spread
  sla: Record<string, { met: number; breached: number; open: number; compliance: number | null }> | null
  ai_quality: {
    answers: number
    avg_response_time_ms: number | null
    p95_response_time_ms: number | null
    success_rate: number
    escalation_rate: number
    avg_messages_before_escalation: number
  }
  agents: { agent_id: string; sessions_taken: number; messages: number }[]
}

export interface AccountQuery {
  q?: string
  page: number
  page_size: number
}

export async function listAgents(query: AccountQuery): Promise<AccountPage> {
  const q = query.q?.trim()
  const params = { query: { page: query.page, page_size: query.page_size, ...(q ? { q } : {}) } }
  return dataOf(await api.GET('/api/agents', { params })).data
}

export async function createAgent(body: AgentCreate): Promise<Account> {
  return dataOf(await api.POST('/api/agents', { body })).data
}

export async function updateAgent(username: string, body: AgentUpdate): Promise<Account> {
  return dataOf(await api.PUT('/api/agents/{username}', { params: { path: { username } }, body })).data
}

export async function resetPassword(username: string, newPassword: string): Promise<Account> {
  const params = { path: { username } }
  return dataOf(await api.POST('/api/agents/{username}/reset-password', { params, body: { new_password: newPassword } })).data
}

export async function removeAgent(username: string): Promise<Account> {
  return dataOf(await api.DELETE('/api/agents/{username}', { params: { path: { username } } })).data
}

export async function readShift(): Promise<Shift> {
  return dataOf(await api.GET('/api/shift/config')).data
}

export async function saveShift(body: ShiftIn): Promise<Shift> {
  return dataOf(await api.PUT('/api/shift/config', { body })).data
}

export async function listQuickReplies(filter: { category?: Category; keyword?: string; is_shared?: boolean }): Promise<QuickReply[]> {
  return dataOf(await api.GET('/api/quick-replies', { params: { query: filter } })).data.items
}

export async function createQuickReply(body: QuickReplyCreate): Promise<void> {
  dataOf(await api.POST('/api/quick-replies', { body }))
}

export async function deleteQuickReply(id: string): Promise<void> {
  dataOf(await api.DELETE('/api/quick-replies/{reply_id}', { params: { path: { reply_id: id } } }))
}

export async function listRules(): Promise<Rule[]> {
  return dataOf(await api.GET('/api/auto-reply-rules')).data.items
}

export async function createRule(body: RuleCreate): Promise<Rule> {
  return dataOf(await api.POST('/api/auto-reply-rules', { body })).data
}

export async function updateRule(id: string, body: RuleUpdate): Promise<Rule> {
  return dataOf(await api.PUT('/api/auto-reply-rules/{rule_id}', { params: { path: { rule_id: id } }, body })).data
}

export async function deleteRule(id: string): Promise<void> {
  dataOf(await api.DELETE('/api/auto-reply-rules/{rule_id}', { params: { path: { rule_id: id } } }))
}

export async function sessionStats(hours: number): Promise<SessionStats> {
  return dataOf(await api.GET('/api/sessions/stats', { params: { query: { hours } } })).data as unknown as SessionStats
}

const REPORT_PATHS = { daily: '/api/reports/daily', weekly: '/api/reports/weekly', monthly: '/api/reports/monthly' } as const

export async function chatReport(period: ReportPeriod, date?: string): Promise<ChatReport> {
  const query = date ? { date } : {}
  const result = await api.GET(REPORT_PATHS[period], { params: { query } })
  const body = dataOf(result) as unknown as { data: ChatReport } // JSON unless format=csv
  return body.data
}

/** The report as CSV through the authorized client (a plain link cannot carry the bearer). */
export async function downloadChatReport(period: ReportPeriod, date?: string): Promise<string> {
  const query = { format: 'csv' as const, ...(date ? { date } : {}) }
  const result = await api.GET(REPORT_PATHS[period], { params: { query }, parseAs: 'blob' })
  const blob = dataOf(result) as unknown as Blob
  const name = fileNameOf(result.response.headers.get('Content-Disposition'), `chat-report_${period}.csv`)
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}
