/**
 * One conversation as the agent sees it: the history read with `GET /api/sessions/{name}`,
 * then the session stream's `manual_message` events appended in arrival order. The stream is
 * opened with the read's `last_event_id`, so nothing falls between the two; a reconnect
 * resumes with `Last-Event-ID`, and an event id seen once is never shown twice (the server
 * replays exactly the missed events; this guards against a replay racing a live delivery).
 *
 * Agents' session streams carry `manual_message` and `status_change` only (no AI tokens); the
 * history carries the AI's answers. A `status_change` updates the header; the notice the
 * customer sees comes as its own `manual_message` role `system`.
 */

export type Role = 'user' | 'assistant' | 'agent' | 'system'

export interface Entry {
  /** history message id (`msg_…`) or the stream event id */
  key: string
  role: Role
  content: string
  timestamp: number
  agentName: string | null
}

export interface SessionHeader {
  status: string
  assignedAgent: { id: string; name: string } | null
}

export interface Conversation {
  sessionName: string
  entries: Entry[]
  header: SessionHeader
  lastEventId: string | null
  seen: Set<string>
}

function role(value: unknown): Role {
  return value === 'user' || value === 'agent' || value === 'system' ? value : 'assistant'
}

function agentOf(value: unknown): { id: string; name: string } | null {
  if (typeof value !== 'object' || value === null) return null
  const agent = value as Record<string, unknown>
  const id = agent.id ?? agent.agent_id
  if (typeof id !== 'string' || !id) return null
  return { id, name: String(agent.name ?? agent.agent_name ?? id) }
}

/** The conversation as `GET /api/sessions/{name}` read it. */
export function fromSession(
  sessionName: string,
  session: { status: string; history?: Record<string, unknown>[]; assigned_agent?: Record<string, unknown> | null },
  lastEventId: string | null
): Conversation {
  const entries: Entry[] = (session.history ?? []).map((message, index) => ({
    key: String(message.id ?? `h${index}`),
    role: role(message.role),
    content: String(message.content ?? ''),
    timestamp: Number(message.timestamp ?? 0),
    agentName: typeof message.agent_name === 'string' ? message.agent_name : null
  }))
  return {
    sessionName,
    entries,
    header: { status: session.status, assignedAgent: agentOf(session.assigned_agent) },
    lastEventId,
    seen: new Set(entries.map((entry) => entry.key))
  }
}

/**
 * Apply one session-stream event. Returns what changed: 'message' (an entry was appended),
 * 'status' (the header moved), 'resync' (events were trimmed: reload), or null.
 */
export function applyEvent(
  conversation: Conversation,
  event: { id: string | null; event: string; data: Record<string, unknown> }
): 'message' | 'status' | 'resync' | null {
  if (event.event === 'resync') return 'resync'
  if (event.id) {
    if (conversation.seen.has(event.id)) return null
    conversation.seen.add(event.id)
    conversation.lastEventId = event.id
  }
  if (event.event === 'manual_message') {
    conversation.entries.push({
      key: event.id ?? `live${conversation.entries.length}`,
      role: role(event.data.role),
      content: String(event.data.content ?? ''),
      timestamp: Number(event.data.timestamp ?? Date.now() / 1000),
      agentName: typeof event.data.agent_name === 'string' ? event.data.agent_name : null
    })
    return 'message'
  }
  if (event.event === 'status_change') {
    const status = typeof event.data.status === 'string' ? event.data.status : conversation.header.status
    conversation.header = {
      status,
      assignedAgent: status === 'manual_live' ? agentOf(event.data.agent_info) : null
    }
    return 'status'
  }
  return null
}

/** Whether the calling agent may write in this chat (they hold it). */
export function heldBy(conversation: Conversation, username: string | undefined): boolean {
  return conversation.header.status === 'manual_live' && !!username && conversation.header.assignedAgent?.id === username
}
