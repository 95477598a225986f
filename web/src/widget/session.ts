/**
 * The widget's side of the customer API (docs/realtime.md): a conversation's token, the session
 * read, sending, the human-agent button, and the session stream that resumes with
 * `Last-Event-ID`. Only `parseEvents` and `ApiError` come from the console's modules: the
 * console's client keeps a staff member's tokens, and a customer must never send those.
 *
 * The token and session name live in this origin's localStorage (`switchboard.widget.session`):
 * the widget is framed on our own origin, so the host page cannot read them, and a reload or a
 * second tab of the host site resumes the same conversation until the token expires (24 h).
 */
import { parseEvents, type StreamEvent } from '@/api/sseParse'
import { ApiError, isEnvelope } from '@/api/errors'

export const STORAGE_KEY = 'switchboard.widget.session'

export interface StoredSession {
  session_name: string
  token: string
  expires_at: number
}

export function loadSession(storage: Storage = localStorage): StoredSession | null {
  try {
    const raw = storage.getItem(STORAGE_KEY)
    if (!raw) return null
    const parsed = JSON.parse(raw) as Partial<StoredSession>
    if (!parsed.session_name || !parsed.token || !parsed.expires_at || parsed.expires_at <= Date.now()) return null
    return parsed as StoredSession
  } catch {
    return null
  }
}

export function saveSession(session: StoredSession | null, storage: Storage = localStorage): void {
  if (session) storage.setItem(STORAGE_KEY, JSON.stringify(session))
  else storage.removeItem(STORAGE_KEY)
}

async function call<T>(path: string, init: RequestInit & { token?: string; json?: unknown; siteKey?: string | null }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (init.token) headers.Authorization = `Bearer ${init.token}`
  if (init.siteKey) headers['X-Site-Key'] = init.siteKey
  if (init.json !== undefined) headers['Content-Type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, { ...init, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) })
  } catch {
    throw new ApiError(0, null)
  }
  const body = (await response.json().catch(() => null)) as unknown
  if (!response.ok) {
    throw new ApiError(response.status, isEnvelope(body) ? body : null, Number(response.headers.get('Retry-After')) || null)
  }
  return (body as { data: T }).data
}

export interface SessionRead {
  session: {
    status: string
    history: { id?: string; role: string; content: string; agent_name?: string }[]
    assigned_agent: { id: string; name: string } | null
  }
  last_event_id: string
}

export async function newConversation(language: string, siteKey: string | null): Promise<StoredSession> {
  const data = await call<{ session_name: string; token: string; expires_in: number }>('/api/conversation/new', {
    method: 'POST',
    siteKey,
    json: { user_profile: { language } }
  })
  const session = { session_name: data.session_name, token: data.token, expires_at: Date.now() + data.expires_in * 1000 }
  return session
}

export function readSession(s: StoredSession): Promise<SessionRead> {
  return call<SessionRead>(`/api/sessions/${encodeURIComponent(s.session_name)}`, { method: 'GET', token: s.token })
}

export function sendMessage(s: StoredSession, message: string): Promise<{ status: string }> {
  return call('/api/chat', { method: 'POST', token: s.token, json: { session_name: s.session_name, message } })
}

export function escalate(s: StoredSession): Promise<{ status: string }> {
  return call('/api/manual/escalate', {
    method: 'POST',
    token: s.token,
    json: { session_name: s.session_name, reason: 'user_request' }
  })
}

export function cancelEscalation(s: StoredSession): Promise<{ status: string }> {
  return call('/api/manual/cancel', { method: 'POST', token: s.token, json: { session_name: s.session_name } })
}

export interface StreamHandle {
  stop(): void
  /** drop the current connection now and reconnect (the browser came back online) */
  kick(): void
}

export interface StreamCallbacks {
  onEvent(event: StreamEvent): void
  /** the connection's state: live, or reconnecting after a drop */
  onState(state: 'live' | 'reconnecting'): void
  /** the newest id applied, asked before every (re)connect */
  lastEventId(): string | null
  /** the server refused the stream (token expired, session gone): stop for good */
  onRefused(error: ApiError): void
}

/**
 * Read the session stream until stopped. After any drop it reconnects with `Last-Event-ID` =
 * the newest id the page applied, so the server replays exactly the missed events; the waits
 * double from 0.5 s up to 5 s, and `kick()` (the `online` event) reconnects at once.
 */
export function followSession(s: StoredSession, callbacks: StreamCallbacks): StreamHandle {
  let stopped = false
  let current: AbortController | null = null
  let wake: (() => void) | null = null
  const path = `/api/sessions/${encodeURIComponent(s.session_name)}/stream`

  async function once(): Promise<void> {
    current = new AbortController()
    const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${s.token}` }
    const last = callbacks.lastEventId()
    if (last) headers['Last-Event-ID'] = last
    const response = await fetch(path, { headers, signal: current.signal, cache: 'no-store' })
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => null)) as unknown
      throw new ApiError(response.status, isEnvelope(body) ? body : null)
    }
    callbacks.onState('live')
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      const { events, rest } = parseEvents(buffer)
      buffer = rest
      for (const event of events) callbacks.onEvent(event)
    }
  }

  async function loop(): Promise<void> {
    let wait = 500
    while (!stopped) {
      try {
        await once()
        wait = 500
      } catch (error) {
        if (stopped) return
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
          callbacks.onRefused(error)
          return
        }
      }
      if (stopped) return
      callbacks.onState('reconnecting')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = null
      wait = Math.min(wait * 2, 5000)
    }
  }

  void loop()
  return {
    stop() {
      stopped = true
      current?.abort()
      wake?.()
    },
    kick() {
      current?.abort()
      wake?.()
    }
  }
}
