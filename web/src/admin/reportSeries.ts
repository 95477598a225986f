/**
 * A chat report (or the live session stats) turned into what the SVG charts draw: values
 * with their labels, in a stable order, nulls (no interval in the window) drawn as 0 but
 * kept apart so the table can say "—".
 */
import type { ChatReport, Spread } from './api'

export interface Series {
  labels: string[]
  values: number[]
}

/** Escalations by reason, most frequent first (ties by name, so the order does not jump). */
export function escalationSeries(report: ChatReport): Series {
  const entries = Object.entries(report.escalations.by_reason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  return { labels: entries.map(([k]) => k), values: entries.map(([, v]) => v) }
}

export const SPREAD_KEYS = ['mean', 'p50', 'p95', 'max'] as const

/** One time section (seconds) as bars: mean, p50, p95, max. */
export function spreadSeries(spread: Spread): Series {
  return { labels: [...SPREAD_KEYS], values: SPREAD_KEYS.map((k) => spread[k] ?? 0) }
}

/** Messages per role in the window, in the conversation's order of speakers. */
export function messageSeries(report: ChatReport): Series {
  const roles = ['user', 'assistant', 'agent', 'system']
  return { labels: roles, values: roles.map((r) => report.conversations.messages[r] ?? 0) }
}

/** Per agent: sessions taken and messages, by agent id. */
export function agentSeries(report: ChatReport, metric: 'sessions_taken' | 'messages'): Series {
  const agents = [...report.agents].sort((a, b) => a.agent_id.localeCompare(b.agent_id))
  return { labels: agents.map((a) => a.agent_id), values: agents.map((a) => a[metric]) }
}

/** The conversation funnel: started, active, escalated, closed. */
export function conversationSeries(report: ChatReport): Series {
  const c = report.conversations
  return { labels: ['started', 'active', 'escalated', 'closed'], values: [c.started, c.active, c.escalated, c.closed] }
}
