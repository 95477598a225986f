import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ui from '@nuxt/ui/vue-plugin'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n } from '@/i18n'
import TicketActions from '@/tickets/TicketActions.vue'
import { statusActions } from '@/tickets/transitions'
import type { Ticket } from '@/tickets/api'

afterEach(() => vi.unstubAllGlobals())

function plugins() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
  return [i18n, router, ui]
}

// what the API answers as `allowed_transitions` (api/tickets/transitions.py)
const ALLOWED: Record<string, string[]> = {
  pending: ['in_progress', 'closed'],
  in_progress: ['waiting_customer', 'waiting_parts', 'resolved'],
  waiting_customer: ['in_progress', 'waiting_parts', 'resolved'],
  waiting_parts: ['in_progress', 'waiting_customer'],
  resolved: ['in_progress', 'closed'],
  closed: []
}

describe('status buttons: exactly the moves the API allows', () => {
  it.each([
    ['pending', ['in_progress', 'closed'], 'in_progress', ['in_progress', 'closed']],
    ['in_progress', ['waiting_customer', 'waiting_parts', 'resolved'], 'resolved', ['waiting_customer', 'waiting_parts', 'resolved']],
    ['waiting_customer', ['in_progress', 'waiting_parts', 'resolved'], 'in_progress', ['in_progress', 'waiting_parts', 'resolved']],
    ['waiting_parts', ['in_progress', 'waiting_customer'], 'in_progress', ['in_progress', 'waiting_customer']],
    ['resolved', ['in_progress', 'closed'], 'closed', ['reopen', 'closed']],
    ['closed', [], null, []]
  ])('%s', (status, targets, primary, keys) => {
    const actions = statusActions(status, ALLOWED[status]!)
    expect(actions.map((a) => a.target)).toEqual(targets)
    expect(actions.filter((a) => a.primary).map((a) => a.target)).toEqual(primary ? [primary] : [])
    expect(actions.map((a) => a.key)).toEqual(keys)
  })

  it('never offers what the API did not allow, nor the current status', () => {
    expect(statusActions('in_progress', ['in_progress', 'resolved', 'bogus'])).toEqual([
      { target: 'resolved', key: 'resolved', primary: true }
    ])
  })
})

function ticket(status: string): Ticket {
  return {
    ticket_id: 'ticket_0123456789abcdef', ticket_number: 'TK-202600001', title: 't', description: 'd', status, priority: 'high',
    category: 'technical', department: 'technical', customer_id: 'c1', session_id: null, assignee_id: null, assignee_name: null,
    sla_deadline: 2e9, sla_response_deadline: 2e9, sla_status: 'within', version: 3, created_at: 1e9, updated_at: 1e9, order_id: null,
    bike_model: null, vin: null, tags: [], ai_summary: null, customer_profile: null, first_response_at: null, resolved_at: null,
    closed_at: null, created_by: 'agent001', created_by_name: '客服小狐', allowed_transitions: ALLOWED[status], comments: [],
    attachments: [], activity_log: []
  } as Ticket
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('the status panel', () => {
  it.each(Object.keys(ALLOWED))('shows the buttons for %s', async (status) => {
    i18n.global.locale.value = 'zh-TW'
    const wrapper = mount(TicketActions, { props: { ticket: ticket(status) }, global: { plugins: plugins() } })
    await flushPromises()
    const shown = wrapper.findAll('[data-testid^="status-to-"]').map((b) => b.attributes('data-testid')!.replace('status-to-', ''))
    expect(shown).toEqual(ALLOWED[status])
    expect(wrapper.find('[data-testid="status-none"]').exists()).toBe(status === 'closed')
  })

  it('a move refused anyway shows the API’s message and reads the ticket again', async () => {
    const refused = { success: false, error: '工單狀態不可從 resolved 變更為 resolved / resolved cannot move to resolved', code: 'INVALID_TRANSITION', details: {} }
    const calls: string[] = []
    vi.stubGlobal('fetch', async (input: Request) => {
      calls.push(`${input.method} ${new URL(input.url).pathname}`)
      return input.method === 'POST' ? json(refused, 409) : json({ success: true, data: ticket('resolved') })
    })
    const wrapper = mount(TicketActions, { props: { ticket: ticket('in_progress') }, global: { plugins: plugins() } })
    await wrapper.get('[data-testid="status-to-resolved"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="status-error"]').text()).toContain('resolved cannot move to resolved')
    expect(calls).toEqual(['POST /api/tickets/ticket_0123456789abcdef/status', 'GET /api/tickets/ticket_0123456789abcdef'])
    const emitted = wrapper.emitted('updated') as [Ticket][]
    expect(emitted.at(-1)![0].status).toBe('resolved')
  })
})
