import { afterEach, describe, expect, it, vi } from 'vitest'
import StepRenderer from '@/renewal/steps/StepRenderer.vue'
import { mountInSession } from './harness'
import { STEPS, waiting } from './fixtures'

afterEach(() => vi.unstubAllGlobals())

describe('StepRenderer', () => {
  it.each(STEPS)('renders %s (step %i) with its own component and nothing else', (step, number, show, testId, marker) => {
    const wrapper = mountInSession(StepRenderer, { waiting: waiting(step, number, show) })
    expect(wrapper.find(`[data-testid="${testId}"]`).exists()).toBe(true)
    expect(wrapper.find(`[data-testid="${marker}"]`).exists()).toBe(true)
    const others = STEPS.filter((s) => s[3] !== testId).flatMap((s) => [s[3], s[4]])
    for (const other of others) expect(wrapper.find(`[data-testid="${other}"]`).exists()).toBe(false)
    expect(wrapper.get('[data-testid="step-title"]').text()).toBe(`${number}. title of ${step}`)
    expect(wrapper.find('[data-testid="step-error"]').exists()).toBe(false)
  })

  it('shows the last refusal with each reason and its remedy', () => {
    const error = {
      code: 'NOT_ELIGIBLE',
      message: '此門號目前無法續約：尚有未繳帳款 NT$1,498',
      eligibility: {
        phone_number: '0933222111', is_eligible: false,
        single: { is_eligible: false, reasons: [{ code: 'OUTSTANDING_BALANCE', message: '尚有未繳帳款 NT$1,498', remedy: '請客戶先繳清欠款' }] }
      }
    }
    const wrapper = mountInSession(StepRenderer, { waiting: waiting('select_phone', 4, { customer: null, phones: [] }, { error }) })
    const alert = wrapper.get('[data-testid="step-error"]')
    expect(alert.text()).toContain('此門號目前無法續約：尚有未繳帳款 NT$1,498')
    expect(wrapper.findAll('[data-testid="eligibility-reason"]')).toHaveLength(1)
    expect(wrapper.get('[data-testid="eligibility-remedy"]').text()).toBe('請客戶先繳清欠款')
    expect(wrapper.find('[data-testid="step-select_phone"]').exists()).toBe(true) // the step still waits
  })

  it('renders typed text as text, never as HTML', () => {
    const error = { code: 'INVALID_INPUT', message: '<img src=x onerror=alert(1)>' }
    const wrapper = mountInSession(StepRenderer, { waiting: waiting('query_customer', 1, {}, { error }) })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.get('[data-testid="step-error"]').text()).toContain('<img src=x onerror=alert(1)>')
  })
})
