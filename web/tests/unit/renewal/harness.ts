/**
 * Mounting renewal components the way the app does (i18n, router, Nuxt UI) and a scripted
 * server behind the real API client: the network boundary (global fetch) is the only stand-in,
 * so the client, the SSE reader and the pages run as in the browser.
 */
import { mount, flushPromises } from '@vue/test-utils'
import ui from '@nuxt/ui/vue-plugin'
import { createRouter, createMemoryHistory } from 'vue-router'
import { defineComponent, h, provide, type Component } from 'vue'
import { vi } from 'vitest'
import { i18n } from '@/i18n'
import { SESSION } from '@/renewal/context'
import { useRenewalSession } from '@/renewal/useRenewalSession'

export { flushPromises }

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export interface Call {
  method: string
  path: string
  body: Record<string, unknown> | null
}

/** Route each request to `answer(call)`; the calls are kept in order. */
export function serve(answer: (call: Call) => Response | Promise<Response>): Call[] {
  const calls: Call[] = []
  vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
    const request = typeof input === 'string' ? new Request(new URL(input, 'http://localhost/'), init) : input
    const text = request.method === 'GET' ? '' : await request.clone().text()
    const call = { method: request.method, path: new URL(request.url).pathname, body: text ? (JSON.parse(text) as Record<string, unknown>) : null }
    calls.push(call)
    return answer(call)
  })
  return calls
}

/** A text/event-stream response whose events the test pushes one at a time. */
export function liveStream(): { response: Response; push: (event: string, data: unknown) => void; end: () => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let id = 0
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    push: (event, data) => controller.enqueue(new TextEncoder().encode(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
    end: () => controller.close()
  }
}

export function plugins() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
  return [i18n, router, ui]
}

/** Mount a step component inside a live session (as RenewalPage provides it). */
export function mountInSession(component: Component, props: Record<string, unknown>, sessionId = 'renewal_2_0123456789ab') {
  const Host = defineComponent({
    setup() {
      provide(SESSION, useRenewalSession(() => sessionId))
      return () => h(component, props)
    }
  })
  return mount(Host, { global: { plugins: plugins() } })
}
