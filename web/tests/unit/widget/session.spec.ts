import { afterEach, describe, expect, it, vi } from 'vitest'
import { followSession } from '@/widget/session'
import { Conversation } from '@/widget/conversation'

function frames(...events: [string, string][]): string {
  return events.map(([id, content]) => `id: ${id}\nevent: manual_message\ndata: {"type":"manual_message","role":"agent","content":"${content}"}\n\n`).join('')
}

function closingStream(text: string): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text))
      controller.close() // the connection drops here
    }
  })
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
}

afterEach(() => vi.unstubAllGlobals())

describe('the session stream after a drop', () => {
  it('reconnects with Last-Event-ID and shows the missed messages once', async () => {
    const conv = new Conversation()
    conv.load([], 'manual_live', '客服小狐', '1000-0')
    const sent: (string | undefined)[] = []
    const answers = [
      closingStream(frames(['1001-0', '一'], ['1002-0', '二'])),
      // a server that replays one event too many must not show it twice
      closingStream(frames(['1002-0', '二'], ['1003-0', '三'], ['1004-0', '四']))
    ]
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init: RequestInit) => {
      sent.push((init.headers as Record<string, string>)['Last-Event-ID'])
      const next = answers.shift()
      if (next) return next
      return new Promise<Response>(() => {}) // third connection: stays open
    }))
    const states: string[] = []
    const handle = followSession({ session_name: 'session_x', token: 't', expires_at: Date.now() + 60_000 }, {
      onEvent: (event) => conv.apply(event),
      onState: (state) => states.push(state),
      lastEventId: () => conv.lastEventId,
      onRefused: () => {}
    })
    await vi.waitFor(() => expect(sent).toHaveLength(3), { timeout: 5000 })
    handle.stop()
    expect(sent).toEqual(['1000-0', '1002-0', '1004-0'])
    expect(conv.bubbles.map((b) => b.text)).toEqual(['一', '二', '三', '四'])
    expect(states).toContain('reconnecting')
  })

  it('stops for good when the server refuses the token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ success: false, error: 'expired', code: 'TOKEN_EXPIRED' }), { status: 401 })))
    const refused = await new Promise<string>((resolve) => {
      followSession({ session_name: 's', token: 't', expires_at: Date.now() + 1000 }, {
        onEvent: () => {},
        onState: () => {},
        lastEventId: () => null,
        onRefused: (error) => resolve(error.code)
      })
    })
    expect(refused).toBe('TOKEN_EXPIRED')
  })
})
