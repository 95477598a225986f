import { describe, expect, it, vi } from 'vitest'
import { openStream, parseEvents, type StreamEvent } from '@/api/sse'

function streamOf(chunks: string[], status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    }
  })
  return new Response(body, { status, headers: { 'Content-Type': 'text/event-stream' } })
}

describe('parseEvents', () => {
  it('splits complete events, keeps the unfinished rest, skips pings', () => {
    const { events, rest } = parseEvents(
      ': ping\n\nid: 1\nevent: progress\ndata: {"stage":"query_contract","status":"running"}\n\nid: 2\nevent: mess'
    )
    expect(events).toEqual([{ id: '1', event: 'progress', data: { stage: 'query_contract', status: 'running' } }])
    expect(rest).toBe('id: 2\nevent: mess')
  })

  it('reads CRLF line ends and UTF-8 text, and wraps non-JSON data', () => {
    const { events } = parseEvents('event: message\r\ndata: {"content":"方案"}\r\n\r\ndata: plain\n\n')
    expect(events.map((e) => e.data)).toEqual([{ content: '方案' }, { content: 'plain' }])
    expect(events[1]?.event).toBe('message')
  })
})

describe('openStream', () => {
  it('delivers events split across chunks in order', async () => {
    const seen: StreamEvent[] = []
    const fetcher = vi.fn(async () => streamOf(['id: 1\nevent: message\ndata: {"content":"一', '"}\n\nid: 2\nev', 'ent: done\ndata: {}\n\n']))
    await openStream('/x', { method: 'POST', body: {}, onEvent: (e) => seen.push(e), fetcher })
    expect(seen.map((e) => [e.id, e.event, e.data])).toEqual([
      ['1', 'message', { content: '一' }],
      ['2', 'done', {}]
    ])
  })

  it('reconnects a GET stream with Last-Event-ID after a drop, never a POST', async () => {
    const headers: (string | null)[] = []
    let calls = 0
    const ctrl = new AbortController()
    const fetcher = vi.fn(async (_url: Request | string, init?: RequestInit) => {
      headers.push(new Headers(init?.headers).get('Last-Event-ID'))
      calls += 1
      if (calls === 1) return streamOf(['id: 7-0\nevent: message\ndata: {"n":1}\n\n'])
      ctrl.abort()
      return streamOf(['id: 8-0\nevent: message\ndata: {"n":2}\n\n'])
    })
    const seen: unknown[] = []
    await openStream('/s', { reconnect: true, retryMs: 1, signal: ctrl.signal, onEvent: (e) => seen.push(e.data), fetcher })
    expect(headers).toEqual([null, '7-0'])
    expect(seen).toEqual([{ n: 1 }, { n: 2 }])
  })

  it('raises the envelope of a refused stream', async () => {
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ success: false, error: 'wrong step', code: 'WRONG_STEP', details: { current_step: 'select_plan' } }), { status: 409 }))
    await expect(openStream('/x', { method: 'POST', body: {}, onEvent: () => {}, fetcher })).rejects.toMatchObject({
      status: 409,
      code: 'WRONG_STEP',
      details: { current_step: 'select_plan' }
    })
  })
})
