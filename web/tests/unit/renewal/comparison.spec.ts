import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, provide } from 'vue'
import { mount } from '@vue/test-utils'
import { SESSION } from '@/renewal/context'
import SelectPlanStep from '@/renewal/steps/SelectPlanStep.vue'
import { waitingOf } from '@/renewal/types'
import { useRenewalSession } from '@/renewal/useRenewalSession'
import { flushPromises, liveStream, plugins, serve } from './harness'
import { PLAN, view } from './fixtures'

afterEach(() => vi.unstubAllGlobals())

const OTHER = { ...PLAN, plan_id: 'P032', name: '5G 999 超值搭機', monthly_fee: 999 }
const COMPARISON = {
  plan_ids: ['P029', 'P032'],
  comparison_table: { headers: ['項目', PLAN.name, OTHER.name], rows: [['預估年費', 'NT$16,788', 'NT$14,148']] },
  cost_analysis: [
    { plan_id: 'P029', monthly_fee: 1399, expected_monthly_extra: 0, annual_cost: 16788, covers_usage: true },
    { plan_id: 'P032', monthly_fee: 999, expected_monthly_extra: 180, annual_cost: 14148, covers_usage: false }
  ],
  recommendation: { best_for_customer: 'P032', reason: '預估年費最低', annual_cost: 14148 },
  narrative: '（離線助理）建議 P032'
}

describe('SelectPlanStep comparison', () => {
  it('streams the narrative token by token, then shows the table with the recommendation', async () => {
    const live = liveStream()
    const calls = serve(() => live.response)
    // as RenewalPage does: the step is rendered from the session's current view
    const Host = defineComponent({
      setup() {
        const session = useRenewalSession(() => 'renewal_2_0123456789ab')
        session.view.value = view('select_plan', 8, { plans: [PLAN, OTHER], checks: [], comparison: null })
        provide(SESSION, session)
        return () => h(SelectPlanStep, { waiting: waitingOf(session.view.value)! })
      }
    })
    const wrapper = mount(Host, { global: { plugins: plugins() } })
    const compare = wrapper.get('[data-testid="compare-submit"]')
    expect(compare.attributes('disabled')).toBeDefined() // fewer than 2 ticked
    for (const id of ['P029', 'P032']) await wrapper.get(`[data-testid="compare-${id}"]`).trigger('click')
    expect(compare.text()).toContain('（2）')
    await compare.trigger('click')
    await flushPromises()

    live.push('message', { content: '（離線助理）' })
    await vi.waitFor(() => expect(wrapper.get('[data-testid="narrative-live"]').text()).toBe('（離線助理）'))
    live.push('message', { content: '建議 P032' })
    await vi.waitFor(() => expect(wrapper.get('[data-testid="narrative-live"]').text()).toBe('（離線助理）建議 P032'))
    expect(wrapper.find('[data-testid="comparison-table"]').exists()).toBe(false)

    const done = view('select_plan', 8, { plans: [PLAN, OTHER], checks: [], comparison: COMPARISON })
    live.push('complete', { success: true, data: done })
    live.push('done', { content: '' })
    live.end()
    await vi.waitFor(() => expect(wrapper.find('[data-testid="comparison-table"]').exists()).toBe(true))
    expect(calls[0]!.body).toEqual({ session_id: 'renewal_2_0123456789ab', compare: ['P029', 'P032'] })
    expect(wrapper.get('[data-testid="annual-costs"]').text()).toContain('NT$14,148')
    expect(wrapper.findAll('[data-testid="recommended-plan"]')).toHaveLength(1)
    expect(wrapper.get('[data-testid="recommendation"]').text()).toContain(OTHER.name)
  })
})
