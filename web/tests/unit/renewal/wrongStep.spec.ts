import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRouter, createMemoryHistory } from 'vue-router'
import { mount } from '@vue/test-utils'
import ui from '@nuxt/ui/vue-plugin'
import { i18n } from '@/i18n'
import RenewalPage from '@/renewal/RenewalPage.vue'
import { useRenewalSession } from '@/renewal/useRenewalSession'
import { flushPromises, json, serve } from './harness'
import { view, DEVICE } from './fixtures'

afterEach(() => vi.unstubAllGlobals())

const WRONG = { success: false, error: 'the session is waiting at select_device, not select_device_type', code: 'WRONG_STEP', details: { current_step: 'select_device' } }

describe('a 409 WRONG_STEP re-syncs to the server\'s step', () => {
  it('reloads the view instead of showing an error (composable)', async () => {
    const calls = serve((call) =>
      call.method === 'POST' ? json(WRONG, 409) : json({ success: true, data: view('select_device', 7, { devices: [DEVICE] }) })
    )
    const session = useRenewalSession(() => 'renewal_2_0123456789ab')
    session.view.value = view('select_device_type', 5)
    const moved = await session.answer('/api/renewal-workflow/step/select-device-type', { device_type: 'smartphone' })
    expect(moved).toBe(false)
    expect(session.view.value?.current_step).toBe('select_device')
    expect(session.refusal.value).toBeNull()
    expect(session.resynced.value).toBe(true)
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api/renewal-workflow/step/select-device-type',
      'GET /api/renewal-workflow/session/renewal_2_0123456789ab'
    ])
  })

  it('other refusals are shown as the API words them, and the step stays', async () => {
    serve(() => json({ success: false, error: '身分證字號格式或檢查碼錯誤 / invalid national ID', code: 'INVALID_INPUT' }, 400))
    const session = useRenewalSession(() => 'renewal_2_0123456789ab')
    session.view.value = view('query_customer', 1)
    await session.answer('/api/renewal-workflow/step/query-customer', { id_number: 'A123456788' })
    expect(session.refusal.value).toMatchObject({ code: 'INVALID_INPUT', message: '身分證字號格式或檢查碼錯誤 / invalid national ID' })
    expect(session.view.value?.current_step).toBe('query_customer')
    expect(session.resynced.value).toBe(false)
  })

  it('the page shows the server\'s step after a stale click, without an error', async () => {
    let server = view('select_device_type', 5, { options: [{ value: 'smartphone', label: '智慧型手機' }], device_allowed: true })
    serve((call) => {
      if (call.method === 'GET') return json({ success: true, data: server })
      server = view('select_device', 7, { devices: [DEVICE] }) // another tab answered meanwhile
      return json(WRONG, 409)
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
    const wrapper = mount(RenewalPage, { props: { sessionId: 'renewal_2_0123456789ab' }, global: { plugins: [i18n, router, ui], stubs: { SideChatPanel: true } } })
    await vi.waitFor(() => expect(wrapper.find('[data-testid="option-smartphone"]').exists()).toBe(true))
    await wrapper.get('[data-testid="option-smartphone"]').trigger('click')
    await flushPromises()
    await vi.waitFor(() => expect(wrapper.find('[data-testid="step-select_device"]').exists()).toBe(true))
    expect(wrapper.find('[data-testid="request-error"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="resync-notice"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="progress-7"]').attributes('data-state')).toBe('current')
    expect(wrapper.get('[data-testid="progress-5"]').attributes('data-state')).toBe('done')
  })

  it('410 SESSION_EXPIRED offers a new session', async () => {
    serve(() => json({ success: false, error: 'session expired', code: 'SESSION_EXPIRED' }, 410))
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
    const wrapper = mount(RenewalPage, { props: { sessionId: 'renewal_2_0123456789ab' }, global: { plugins: [i18n, router, ui], stubs: { SideChatPanel: true } } })
    await vi.waitFor(() => expect(wrapper.find('[data-testid="session-expired"]').exists()).toBe(true))
    expect(wrapper.find('[data-testid="expired-new-session"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="step"]').exists()).toBe(false)
  })
})
