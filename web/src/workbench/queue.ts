/**
 * The agents' queue as the workbench holds it: the page of `GET /api/sessions` plus what the
 * agent stream (`GET /api/agent/stream`) said since. Pure functions, so the rules (no
 * duplicates, a replayed event changes nothing, the title badge) are tested without a page.
 *
 * The stream only says "session X is now <status>"; the waiting time, summary and profile come
 * with the next read of the queue, so a new escalation is inserted as a placeholder at once
 * (the agent sees it arrive) and filled in by the refresh that follows.
 */

export type SessionStatus = 'bot_active' | 'pending_manual' | 'manual_live' | 'closed'

export interface QueueTag {
  id?: string
  name: string
  color?: string
}

export interface QueueItem {
  session_name: string
  status: string
  waiting_seconds: number
  reason: string | null
  severity: string | null
  summary: string | null
  nickname: string | null
  vip: boolean
  assigned_agent: { id: string; name: string } | null
  last_message_preview: string | null
  tags: QueueTag[] | null
  /** true until a read of the queue confirmed it (inserted from a live event) */
  placeholder?: boolean
}

export interface QueueState {
  items: QueueItem[]
  total: number
  /** event ids already applied (a reconnect may replay; the same event never applies twice) */
  seen: Set<string>
  /** sessions that arrived live as escalations and the agent has not opened yet */
  unseen: Set<string>
}

export interface StatusEvent {
  id: string | null
  event: string
  data: Record<string, unknown>
}

export function emptyQueue(): QueueState {
  return { items: [], total: 0, seen: new Set(), unseen: new Set() }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

/** A SessionSummary of the API (or a by-tag row) as the page shows it. */
export function toItem(raw: Record<string, unknown>): QueueItem {
  const escalation = record(raw.escalation)
  const profile = record(raw.user_profile)
  const agent = record(raw.assigned_agent)
  const tags = Array.isArray(raw.tags)
    ? raw.tags.map((tag) => (typeof tag === 'string' ? { name: tag } : (tag as QueueTag)))
    : null
  return {
    session_name: String(raw.session_name ?? ''),
    status: String(raw.status ?? ''),
    waiting_seconds: Number(raw.waiting_seconds ?? 0) || 0,
    reason: text(escalation.reason),
    severity: text(escalation.severity),
    summary: text(escalation.summary),
    nickname: text(profile.nickname),
    vip: profile.vip === true,
    assigned_agent: text(agent.id) ? { id: String(agent.id), name: String(agent.name ?? agent.id) } : null,
    last_message_preview: text(raw.last_message_preview),
    tags
  }
}

/** A fresh read of the queue replaces the list; live arrivals not yet in it stay flagged. */
export function loadPage(state: QueueState, items: QueueItem[], total: number): void {
  state.items = items
  state.total = total
  for (const name of [...state.unseen]) {
    const item = items.find((one) => one.session_name === name)
    if (item && item.status !== 'pending_manual') state.unseen.delete(name)
  }
}

/**
 * Apply one agent-stream event. Returns 'escalated' when it announced a new escalation (the
 * page beeps), 'changed' when the queue moved, null when it was nothing new (a replay, another
 * event type). A session appears at most once whatever the order or repetition of events.
 */
export function applyEvent(state: QueueState, event: StatusEvent): 'escalated' | 'changed' | null {
  if (event.event !== 'status_change') return null
  if (event.id) {
    if (state.seen.has(event.id)) return null
    state.seen.add(event.id)
  }
  const name = text(event.data.session_name)
  const status = text(event.data.status)
  if (!name || !status) return null
  const info = record(event.data.agent_info)
  const agent = text(info.agent_id) ? { id: String(info.agent_id), name: String(info.agent_name ?? info.agent_id) } : null
  const existing = state.items.find((item) => item.session_name === name)
  const wasWaiting = existing?.status === 'pending_manual'
  if (existing) {
    existing.status = status
    existing.assigned_agent = status === 'manual_live' ? agent : null
  } else if (status === 'pending_manual') {
    state.items.unshift({
      session_name: name,
      status,
      waiting_seconds: 0,
      reason: text(event.data.reason),
      severity: null,
      summary: null,
      nickname: null,
      vip: false,
      assigned_agent: null,
      last_message_preview: null,
      tags: null,
      placeholder: true
    })
    state.total += 1
  }
  if (status === 'pending_manual' && !wasWaiting) {
    state.unseen.add(name)
    return 'escalated'
  }
  if (status !== 'pending_manual') state.unseen.delete(name)
  return 'changed'
}

/** The agent opened the chat: it no longer counts in the title badge. */
export function markSeen(state: QueueState, sessionName: string): void {
  state.unseen.delete(sessionName)
}

/** `(2) 客服工作台` while two escalations wait unopened; the plain title otherwise. */
export function badgeTitle(base: string, unseen: number): string {
  return unseen > 0 ? `(${unseen}) ${base}` : base
}

/** Waiting time as the queue shows it: 45 s, 3 min, 1 h 05 min. */
export function formatWaiting(seconds: number): { unit: 's' | 'm' | 'h'; value: string } {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return { unit: 's', value: String(s) }
  if (s < 3600) return { unit: 'm', value: String(Math.floor(s / 60)) }
  const minutes = String(Math.floor((s % 3600) / 60)).padStart(2, '0')
  return { unit: 'h', value: `${Math.floor(s / 3600)}:${minutes}` }
}
