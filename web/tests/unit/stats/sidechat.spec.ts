import { describe, expect, it } from 'vitest'
import { openStream, type StreamOptions } from '@/api/sse'
import { applyEvent, ask, type Conversation, type Turn } from '@/sidechat/conversation'

/**
 * A fetch answering a text/event-stream body chunk by chunk; like the browser's, the body
 * fails with AbortError when the request's signal aborts. `hold` keeps it open after the chunks.
 */
function sseFetch(chunks: string[], { status = 200, hold = false } = {}) {
  const requests: { url: string; body: unknown }[] = []
  const fetcher = async (input: Request | string, init?: RequestInit): Promise<Response> => {
    requests.push({ url: String(input), body: JSON.parse(String(init?.body ?? 'null')) })
    if (status !== 200) return new Response(chunks[0], { status })
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')))
        for (const chunk of chunks) {
          await new Promise((resolve) => setTimeout(resolve, 1))
          if (init?.signal?.aborted) return
          controller.enqueue(new TextEncoder().encode(chunk))
        }
        if (!hold) controller.close()
      }
    })
    return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
  }
  return { fetcher, requests }
}

function event(id: number, name: string, data: unknown): string {
  return `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`
}

function newTurn(): Turn {
  return { id: 1, question: 'q', answer: '', tools: [], state: 'streaming', error: null }
}

describe('applyEvent', () => {
  it('appends message tokens in order and ends on done; later events change nothing', () => {
    const turn = newTurn()
    const seen: string[] = []
    for (const [name, data] of [
      ['tool', { name: 'get_plan' }], ['tool_result', { name: 'get_plan', status: 'success' }],
      ['message', { content: '方案' }], ['message', { content: ' A ' }], ['message', { content: '較划算' }]
    ] as const) {
      expect(applyEvent(turn, { id: null, event: name, data })).toBe(false)
      seen.push(turn.answer)
    }
    expect(seen).toEqual(['', '', '方案', '方案 A ', '方案 A 較划算'])
    expect(turn.tools).toEqual(['get_plan'])
    expect(applyEvent(turn, { id: null, event: 'done', data: {} })).toBe(true)
    expect(applyEvent(turn, { id: null, event: 'message', data: { content: 'late' } })).toBe(true)
    expect(turn).toMatchObject({ answer: '方案 A 較划算', state: 'done', error: null })
  })

  it('ends on an error event with the API message, keeping what streamed so far', () => {
    const turn = newTurn()
    applyEvent(turn, { id: null, event: 'message', data: { content: '部分' } })
    applyEvent(turn, { id: null, event: 'error', data: { success: false, error: 'AI 服務暫時無法使用', code: 'LLM_UNAVAILABLE' } })
    applyEvent(turn, { id: null, event: 'message', data: { content: 'late' } })
    expect(turn).toMatchObject({ answer: '部分', state: 'error', error: 'AI 服務暫時無法使用' })
  })
})

describe('ask', () => {
  function opener(fetcher: StreamOptions['fetcher'], snapshots: string[], conversation: Conversation) {
    return (url: string, options: StreamOptions) =>
      openStream(url, {
        ...options,
        fetcher,
        onEvent: (e) => {
          options.onEvent(e)
          snapshots.push(conversation.turns.at(-1)!.answer)
        }
      })
  }

  it('posts the question for the session and streams the answer token by token', async () => {
    const { fetcher, requests } = sseFetch([
      event(1, 'message', { content: '一' }), event(2, 'message', { content: '二' }),
      event(3, 'message', { content: '三' }), event(4, 'answer', { content: '一二三', tool_calls: [] }), event(5, 'done', {})
    ])
    const conversation: Conversation = { turns: [], busy: false }
    const snapshots: string[] = []
    const pending = ask(conversation, 'renewal_2_abc', '哪個划算？', { open: opener(fetcher, snapshots, conversation) })
    expect(conversation.busy).toBe(true)
    const turn = await pending
    expect(requests).toEqual([{ url: '/api/renewal-workflow/chat/stream', body: { session_id: 'renewal_2_abc', message: '哪個划算？' } }])
    expect(snapshots).toEqual(['一', '一二', '一二三', '一二三', '一二三'])
    expect(turn.state).toBe('done')
    expect(conversation.busy).toBe(false)
  })

  it('stops reading at done even if the server keeps the stream open', async () => {
    const { fetcher } = sseFetch([event(1, 'message', { content: 'ok' }), event(2, 'done', {}), event(3, 'message', { content: 'late' })], { hold: true })
    const conversation: Conversation = { turns: [], busy: false }
    const turn = await ask(conversation, 's', 'q', { open: opener(fetcher, [], conversation) })
    expect(turn).toMatchObject({ answer: 'ok', state: 'done' })
  })

  it("shows a refusal before the stream as the envelope's message", async () => {
    const refusal = JSON.stringify({ success: false, error: 'AI 助理於選定可續約門號後（第 5 步起）開放', code: 'SIDE_CHAT_NOT_OPEN' })
    const { fetcher } = sseFetch([refusal], { status: 409 })
    const conversation: Conversation = { turns: [], busy: false }
    const turn = await ask(conversation, 's', 'q', { open: opener(fetcher, [], conversation) })
    expect(turn).toMatchObject({ state: 'error', error: 'AI 助理於選定可續約門號後（第 5 步起）開放', answer: '' })
    expect(conversation.busy).toBe(false)
  })

  it('ends on an error event and on the staff member stopping it', async () => {
    const broken = sseFetch([event(1, 'message', { content: 'a' }), event(2, 'error', { error: 'internal error', code: 'INTERNAL_ERROR' })], { hold: true })
    const conversation: Conversation = { turns: [], busy: false }
    expect(await ask(conversation, 's', 'q', { open: opener(broken.fetcher, [], conversation) })).toMatchObject({ state: 'error', error: 'internal error', answer: 'a' })

    const slow = sseFetch([event(1, 'message', { content: 'b' })], { hold: true })
    const stop = new AbortController()
    const pending = ask(conversation, 's', 'q2', { signal: stop.signal, open: opener(slow.fetcher, [], conversation) })
    await new Promise((resolve) => setTimeout(resolve, 20))
    stop.abort()
    expect(await pending).toMatchObject({ state: 'stopped', answer: 'b' })
    expect(conversation.turns.map((t) => t.id)).toEqual([1, 2])
  })
})
