/**
 * Server-Sent Events over fetch, the one way pages read a stream.
 *
 * EventSource cannot POST a body or send an Authorization header, and the renewal streams are
 * POSTs (list-plans, compare, side chat), so this reads `text/event-stream` from fetch. Each
 * event is `{id, event, data}` with `data` parsed as JSON (the server always sends JSON). A GET
 * stream opened with `reconnect` comes back after a dropped connection with `Last-Event-ID`
 * set to the last id seen, so the server replays exactly what was missed; a POST never
 * reconnects (it would run the step again).
 */
import { ApiError, isEnvelope } from './errors'
import { authorizedFetch } from './client'
import { parseEvents, type StreamEvent } from './sseParse'

export { parseEvents, type StreamEvent }

export interface StreamOptions {
  method?: 'GET' | 'POST'
  body?: unknown
  signal?: AbortSignal
  onEvent: (event: StreamEvent) => void
  /** GET streams only: reconnect after a drop, resuming from the last event id. */
  reconnect?: boolean
  /** First wait before reconnecting (doubles up to 10 s). */
  retryMs?: number
  lastEventId?: string | null
  fetcher?: typeof authorizedFetch
}

async function readOnce(url: string, options: StreamOptions, lastId: { value: string | null }): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (lastId.value) headers['Last-Event-ID'] = lastId.value
  const response = await (options.fetcher ?? authorizedFetch)(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal
  })
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as unknown
    throw new ApiError(response.status, isEnvelope(body) ? body : null, Number(response.headers.get('Retry-After')) || null)
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    const { events, rest } = parseEvents(buffer)
    buffer = rest
    for (const event of events) {
      if (event.id) lastId.value = event.id
      options.onEvent(event)
    }
  }
}

/** Read a stream to its end; resolves when the server closes it (or the signal aborts). */
export async function openStream(url: string, options: StreamOptions): Promise<void> {
  const lastId = { value: options.lastEventId ?? null }
  let wait = options.retryMs ?? 500
  for (;;) {
    try {
      await readOnce(url, options, lastId)
      if (!options.reconnect) return
    } catch (error) {
      if (options.signal?.aborted) return
      const refused = error instanceof ApiError && error.status >= 400 && error.status < 500
      if (!options.reconnect || refused) throw error
    }
    if (options.signal?.aborted) return
    await new Promise((resolve) => setTimeout(resolve, wait))
    wait = Math.min(wait * 2, 10_000)
  }
}
