/** Interrupt payloads and views as the API answers them (shapes from a real run). */
import type { SessionView } from '@/renewal/types'

const schema = { type: 'object', properties: {} }

export function waiting(step: string, number: number, show: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { step, step_number: number, title: `title of ${step}`, instruction: `do ${step}`, input_schema: schema, back_to: [], show, error: null, ...extra }
}

export const CUSTOMER = { customer_id: 'C123456', name: '王大明', id_number: 'A12****789' }
export const LINE = {
  phone_number: '0912345678', plan_id: 'P012', plan_name: '5G 極速吃到飽 1399', plan_type: '5G', contract_status: 'expiring',
  contract_end_date: '2027-01-02', days_until_expiry: 30, monthly_fee: 1399, data_used_gb: 85.4, data_limit_gb: null,
  voice_used_minutes: 320, voice_limit_minutes: 500, last_bill_amount: 1399, outstanding_balance: 0, is_eligible_for_renewal: true
}
export const DEVICE = {
  device_id: 'D003', brand: 'Apple', model: 'iPhone 17 Pro', storage: '256GB', retail_price: 39900,
  contract_prices: { '24': 30890 }, is_recommended: true, recommendation_reason: '門市主推機種',
  colors: [{ color: '宇宙橙色', available: 5 }, { color: '深藍色', available: 0 }], in_stock: true
}
export const PLAN = {
  plan_id: 'P029', name: '5G 旗艦吃到飽 1399 搭機專案', plan_type: '5G', monthly_fee: 1399,
  features: { data: 'unlimited' }, contract_period: 30, gifts: []
}
export const SUMMARY = {
  customer: CUSTOMER, line: { phone_number: '0912345678', current_plan: '5G 極速吃到飽 1399', contract_end_date: '2027-01-02' },
  renewal_type: 'with_device', device: { device_id: 'D003', brand: 'Apple', model: 'iPhone 17 Pro', color: '宇宙橙色', storage: '256GB' },
  plan: { plan_id: 'P029', name: PLAN.name, monthly_fee: 1399, contract_period: 30, gifts: [] }, costs: { monthly_fee: 1399, upfront_payment: 22890 }
}

/** (step, number, show, the test id its component carries, what only that component shows) */
export const STEPS: [string, number, Record<string, unknown>, string, string][] = [
  ['query_customer', 1, {}, 'step-query_customer', 'id-input'],
  ['select_phone', 4, { customer: CUSTOMER, phones: [LINE] }, 'step-select_phone', 'choose-line-0912345678'],
  ['select_device_type', 5, { options: [{ value: 'none', label: '不選裝置' }, { value: 'smartphone', label: '智慧型手機' }], device_allowed: true }, 'step-select_device_type', 'option-smartphone'],
  ['select_device_os', 6, { options: [{ value: 'ios', label: 'iOS' }] }, 'step-select_device_os', 'option-ios'],
  ['select_device', 7, { devices: [DEVICE] }, 'step-select_device', 'colour-D003-宇宙橙色'],
  ['list_plans', 8, { renewal_type: 'with_device' }, 'step-list_plans', 'plans-search'],
  ['select_plan', 8, { plans: [PLAN], checks: [], comparison: null }, 'step-select_plan', 'choose-plan-P029'],
  ['confirm', 10, { summary: SUMMARY }, 'step-confirm', 'confirm-submit'],
  ['submit', 10, { summary: SUMMARY }, 'step-submit', 'final-submit']
]

export function view(step: string | null, number = 1, show: Record<string, unknown> = {}, extra: Partial<SessionView> = {}): SessionView {
  return {
    session_id: 'renewal_2_0123456789ab', staff_id: '2', store_id: 'S001', current_step: step,
    waiting: (step ? waiting(step, number, show) : null) as SessionView['waiting'], outcome: null, notice: null, selections: {}, ...extra
  }
}
