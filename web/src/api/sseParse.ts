/**
 * The text/event-stream parser on its own (no imports), so the customer widget can read streams
 * without downloading the staff console's API client.
 */
export interface StreamEvent<T = Record<string, unknown>> {
  id: string | null
  event: string
  data: T
}

/** Split a text/event-stream buffer into complete events and the unfinished rest. */
export function parseEvents(buffer: string): { events: StreamEvent[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n')
  const blocks = normalized.split('\n\n')
  const rest = blocks.pop() ?? ''
  const events: StreamEvent[] = []
  for (const block of blocks) {
    let id: string | null = null
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'id') id = value
      else if (field === 'event') event = value
      else if (field === 'data') data.push(value)
    }
    if (!data.length) continue
    const text = data.join('\n')
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(text) as Record<string, unknown>
    } catch {
      parsed = { content: text }
    }
    events.push({ id, event, data: parsed })
  }
  return { events, rest }
}
