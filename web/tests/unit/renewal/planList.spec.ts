import { afterEach, describe, expect, it, vi } from 'vitest'
import { applyPlanEvent, emptyProgress } from '@/renewal/planStream'
import ListPlansStep from '@/renewal/steps/ListPlansStep.vue'
import { flushPromises, liveStream, mountInSession, serve } from './harness'
import { view } from './fixtures'

afterEach(() => vi.unstubAllGlobals())

const check = (id: string, qualified: boolean, reasons: string[] = []) => ({
  type: 'progress', stage: 'check_promotion_eligibility', status: qualified ? 'qualified' : 'disqualified', promotion_id: id, title: `plan ${id}`, reasons
})

describe('applyPlanEvent', () => {
  it('adds one row per promotion check, keeps stages, and ends at complete', () => {
    let state = emptyProgress()
    const events: [string, Record<string, unknown>][] = [
      ['progress', { stage: 'search_promotions', status: 'running' }],
      ['progress', { stage: 'search_promotions', status: 'completed', count: 2 }],
      ['progress', check('P029', true)],
      ['progress', check('P041', false, ['需具學生身分'])],
      ['progress', check('P041', false, ['需具學生身分'])] // a replayed event does not double the row
    ]
    const sizes: number[] = []
    for (const [event, data] of events) {
      state = applyPlanEvent(state, { id: null, event, data })
      sizes.push(state.rows.length)
    }
    expect(sizes).toEqual([0, 0, 1, 2, 2])
    expect(state.stages.search_promotions).toBe('completed')
    expect(state.candidates).toBe(2)
    expect(state.rows[1]).toEqual({ promotionId: 'P041', title: 'plan P041', qualified: false, reasons: ['需具學生身分'] })
    expect(state.complete).toBe(false)
    expect(applyPlanEvent(state, { id: null, event: 'complete', data: {} }).complete).toBe(true)
    expect(applyPlanEvent(state, { id: null, event: 'error', data: { error: 'boom' } }).error).toBe('boom')
  })
})

describe('ListPlansStep', () => {
  it('shows each promotion row as its event arrives, before the stream completes', async () => {
    const live = liveStream()
    const calls = serve((call) => {
      if (call.path.endsWith('/step/list-plans')) return live.response
      throw new Error(`unexpected ${call.method} ${call.path}`)
    })
    const wrapper = mountInSession(ListPlansStep, {})
    await wrapper.get('[data-testid="plans-search"]').trigger('submit')
    await flushPromises()
    const rows = () => wrapper.findAll('[data-testid="plan-check-row"]')

    live.push('progress', { stage: 'search_promotions', status: 'completed', count: 2 })
    await vi.waitFor(() => expect(wrapper.text()).toContain('2'))
    expect(rows()).toHaveLength(0)
    live.push('progress', check('P029', true))
    await vi.waitFor(() => expect(rows()).toHaveLength(1))
    expect(rows()[0]!.attributes('data-qualified')).toBe('true')
    live.push('progress', check('P041', false, ['需具學生身分']))
    await vi.waitFor(() => expect(rows()).toHaveLength(2))
    expect(rows()[1]!.text()).toContain('需具學生身分')
    expect(rows()[1]!.attributes('data-qualified')).toBe('false')

    live.push('complete', { success: true, data: view('select_plan', 8) })
    live.push('done', { content: '' })
    live.end()
    await flushPromises()
    expect(calls.map((c) => c.path)).toEqual(['/api/renewal-workflow/step/list-plans'])
    expect(calls[0]!.body).toEqual({ session_id: 'renewal_2_0123456789ab' })
  })
})
