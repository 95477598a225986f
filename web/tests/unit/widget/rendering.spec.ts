import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import WidgetApp from '@/widget/WidgetApp.vue'
import { STORAGE_KEY } from '@/widget/session'

const MARKUP = '<img src=x onerror=alert(1)>'

function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(status < 400 ? { success: true, data } : data), {
    status,
    headers: { 'Content-Type': 'application/json' }
  })
}

function sse(frames: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(new TextEncoder().encode(frame))
      // stays open, like the real session stream
    }
  })
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
}

afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
})

describe('everything typed is text', () => {
  it("shows an agent's and the history's markup literally, with no element made from it", async () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ session_name: 'session_x', token: 't', expires_at: Date.now() + 60_000 }))
    const fetcher = vi.fn(async (url: string, _init?: RequestInit) => {
      if (url.endsWith('/stream')) {
        const data = { type: 'manual_message', role: 'agent', content: MARKUP, agent_name: '<b>小狐</b>' }
        return sse([`id: 2000-0\nevent: manual_message\ndata: ${JSON.stringify(data)}\n\n`])
      }
      return json({
        session: { status: 'manual_live', history: [{ id: 'm1', role: 'user', content: MARKUP }], assigned_agent: { id: 'a', name: '<b>小狐</b>' } },
        last_event_id: '1999-0'
      })
    })
    vi.stubGlobal('fetch', fetcher)
    const wrapper = mount(WidgetApp, { attachTo: document.body })
    await flushPromises()
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid=bubble]')).toHaveLength(2))
    const texts = wrapper.findAll('[data-testid=bubble]').map((b) => b.text())
    expect(texts).toEqual([MARKUP, MARKUP])
    expect(document.querySelector('img')).toBeNull()
    expect(document.querySelector('b')).toBeNull()
    expect(wrapper.get('[data-testid=widget-banner]').text()).toContain('<b>小狐</b>')
    // the customer token went with every call, never a staff token
    for (const call of fetcher.mock.calls) {
      const headers = call[1]?.headers as Record<string, string>
      expect(headers.Authorization).toBe('Bearer t')
    }
    wrapper.unmount()
  })
})
