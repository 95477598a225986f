/**
 * What the customer sees, as a pure state machine fed by stream events: the bubbles, the
 * session's status and the banner. Kept free of fetch and DOM so the rules that matter (tokens
 * grow one bubble, nothing shown twice after a reconnect, the customer's own message echoed by
 * the server binds to the bubble already shown) are unit-tested directly.
 *
 * Every text is stored as a plain string and rendered with `{{ }}` (text nodes), never as HTML.
 */
import type { StreamEvent } from '@/api/sseParse'

export type Role = 'user' | 'ai' | 'agent' | 'system'
export type Status = 'bot_active' | 'pending_manual' | 'manual_live' | 'closed'
export type Banner = 'waiting' | 'connected' | 'backToAi' | 'offline' | 'ended' | null

export interface Bubble {
  key: string
  role: Role
  text: string
  agentName?: string
  /** the customer's message before the server has confirmed it */
  pending?: boolean
  /** the AI answer still receiving tokens */
  streaming?: boolean
  failed?: boolean
  /** typed in this page (not from the server's record) */
  local?: boolean
  /** a local bubble the server has echoed back (a `manual_message` role user) */
  echoed?: boolean
}

/** A message of `GET /api/sessions/{name}` (`session.history`). */
export interface HistoryMessage {
  id?: string
  role: string
  content: string
  agent_name?: string
}

/** Hub event ids are `<ms>-<seq>`; "0" is before everything. */
export function compareEventIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number)
  const [bm = 0, bs = 0] = b.split('-').map(Number)
  return am - bm || as - bs
}

const ROLES: Record<string, Role> = { user: 'user', assistant: 'ai', ai: 'ai', agent: 'agent', system: 'system' }
const STATUSES: Status[] = ['bot_active', 'pending_manual', 'manual_live', 'closed']

export class Conversation {
  bubbles: Bubble[] = []
  status: Status = 'bot_active'
  agentName: string | null = null
  banner: Banner = null
  /** newest event id applied: a replay at or before it is ignored */
  lastEventId: string | null = null
  /** true while an AI answer or a customer turn is running (send is disabled) */
  busy = false
  private counter = 0

  private key(prefix: string): string {
    this.counter += 1
    return `${prefix}${this.counter}`
  }

  /** Start over from the server's record (first open, reload, or a `resync`). */
  load(history: HistoryMessage[], status: string, agentName: string | null, lastEventId: string): void {
    this.bubbles = history.map((m) => ({
      key: m.id ?? this.key('h'),
      role: ROLES[m.role] ?? 'system',
      text: m.content,
      ...(m.agent_name ? { agentName: m.agent_name } : {})
    }))
    this.setStatus(status, agentName)
    this.banner = this.status === 'pending_manual' ? 'waiting' : this.status === 'manual_live' ? 'connected' : this.status === 'closed' ? 'ended' : null
    this.lastEventId = lastEventId
    this.busy = false
  }

  /** The customer pressed send: the bubble shows at once, marked pending until echoed. */
  addOwn(text: string): Bubble {
    const bubble: Bubble = { key: this.key('u'), role: 'user', text, pending: true, local: true }
    this.bubbles.push(bubble)
    return bubble
  }

  /** The server took the message (`/api/chat` answered 200). */
  confirmOwn(bubble: Bubble): void {
    const own = this.bubbles.find((b) => b.key === bubble.key)
    if (own) own.pending = false
  }

  failOwn(bubble: Bubble): void {
    const own = this.bubbles.find((b) => b.key === bubble.key)
    if (own) {
      own.pending = false
      own.failed = true
    }
  }

  /**
   * Apply one event of the session stream. Returns whether something new for the customer's
   * eyes arrived (for the unread count). An event whose id is not after the last one applied
   * is a replay and changes nothing.
   */
  apply(event: StreamEvent): boolean {
    if (event.id) {
      if (this.lastEventId && compareEventIds(event.id, this.lastEventId) <= 0) return false
      this.lastEventId = event.id
    }
    const data = event.data as Record<string, unknown>
    const kind = String(data.type ?? event.event)
    const content = typeof data.content === 'string' ? data.content : ''
    switch (kind) {
      case 'message':
        return this.token(content)
      case 'done':
        this.finishAnswer()
        this.busy = false
        return false
      case 'manual_message':
        return this.manual(String(data.role ?? 'system'), content, data)
      case 'status_change':
        this.statusChange(data)
        return false
      case 'error':
        this.finishAnswer()
        this.busy = false
        if (content) this.bubbles.push({ key: this.key('e'), role: 'system', text: content })
        return Boolean(content)
      default:
        return false
    }
  }

  private streamingBubble(): Bubble | undefined {
    const last = this.bubbles[this.bubbles.length - 1]
    return last?.streaming ? last : this.bubbles.find((b) => b.streaming)
  }

  private token(text: string): boolean {
    const current = this.streamingBubble()
    if (current) {
      current.text += text
      return false
    }
    this.bubbles.push({ key: this.key('a'), role: 'ai', text, streaming: true })
    return true
  }

  private finishAnswer(): void {
    for (const bubble of this.bubbles) if (bubble.streaming) bubble.streaming = false
  }

  private manual(role: string, content: string, data: Record<string, unknown>): boolean {
    if (role === 'user') {
      // our own message coming back from the server: bind it to the bubble already shown
      const own = this.bubbles.find((b) => b.local && !b.echoed && b.text === content)
      if (own) {
        own.echoed = true
        own.pending = false
        return false
      }
      this.bubbles.push({ key: this.key('s'), role: 'user', text: content })
      return false
    }
    this.finishAnswer()
    const agentName = typeof data.agent_name === 'string' ? data.agent_name : undefined
    this.bubbles.push({
      key: this.key('m'),
      role: role === 'agent' ? 'agent' : role === 'assistant' ? 'ai' : 'system',
      text: content,
      ...(agentName ? { agentName } : {})
    })
    return true
  }

  private setStatus(status: string, agentName: string | null): void {
    this.status = (STATUSES as string[]).includes(status) ? (status as Status) : 'bot_active'
    this.agentName = this.status === 'manual_live' ? agentName : null
  }

  private statusChange(data: Record<string, unknown>): void {
    const info = (data.agent_info ?? {}) as { agent_name?: string }
    const before = this.status
    this.setStatus(String(data.status ?? ''), info.agent_name ?? null)
    if (this.status === 'pending_manual') this.banner = 'waiting'
    else if (this.status === 'manual_live') this.banner = 'connected'
    else if (this.status === 'closed') this.banner = 'ended'
    else if (data.reason === 'released' || before === 'manual_live') this.banner = 'backToAi'
    else this.banner = null
  }

  /** `/api/manual/escalate` answered: off duty it stays with the AI and mails the team. */
  escalated(status: string): void {
    if (status === 'bot_active') this.banner = 'offline'
    else if (status === 'pending_manual' && this.status === 'bot_active') {
      this.status = 'pending_manual'
      this.banner = 'waiting'
    }
  }
}
