/**
 * The shapes the renewal pages read. The session view's `waiting` (the graph's interrupt
 * payload) is an open dictionary in the OpenAPI document, because each step shows different
 * cards; these types name what the pages rely on (graphs/renewal/steps.py and nodes.py).
 */
import type { components } from '@/api/schema'

export type SessionView = components['schemas']['SessionView']
export type HistoryItem = components['schemas']['HistoryItem']

export type StepName =
  | 'query_customer'
  | 'select_phone'
  | 'select_device_type'
  | 'select_device_os'
  | 'select_device'
  | 'list_plans'
  | 'select_plan'
  | 'confirm'
  | 'submit'

export interface Reason {
  code?: string
  message: string
  remedy?: string
}

export interface EligibilityCheck {
  is_eligible: boolean
  reasons: Reason[]
  contract_end_date?: string
  days_until_expiry?: number
  credit_score?: string
  has_outstanding_debt?: boolean
}

export interface Eligibility {
  phone_number: string
  is_eligible: boolean
  single?: EligibilityCheck
  with_device?: EligibilityCheck
}

/** The last refusal at this step, as the graph recorded it. */
export interface StepError {
  code: string
  message: string
  eligibility?: Eligibility
  [key: string]: unknown
}

export interface Waiting {
  step: StepName
  step_number: number
  title: string
  instruction: string
  input_schema: Record<string, unknown>
  back_to: StepName[]
  show: Record<string, unknown>
  error: StepError | null
}

export interface Customer {
  customer_id: string
  name: string
  id_number: string
  phone?: string
  email?: string
}

export interface PhoneLine {
  phone_number: string
  plan_name: string
  plan_type: string
  contract_status: string
  contract_end_date: string
  days_until_expiry: number
  monthly_fee: number
  data_used_gb: number | null
  data_limit_gb: number | null
  voice_used_minutes: number | null
  voice_limit_minutes: number | null
  last_bill_amount: number
  outstanding_balance: number
  is_eligible_for_renewal: boolean
}

export interface Option {
  value: string
  label: string
}

export interface DeviceCard {
  device_id: string
  brand: string
  model: string
  storage: string
  retail_price: number
  contract_prices: Record<string, number>
  is_recommended: boolean
  recommendation_reason: string
  colors: { color: string; available: number }[]
  in_stock: boolean
}

export interface Plan {
  plan_id: string
  name: string
  plan_type: string
  monthly_fee: number
  features: Record<string, string>
  contract_period: number
  gifts: string[]
  description?: string
}

export interface PlanCheck {
  promotion_id: string
  title: string
  is_qualified: boolean
  reasons: (string | Reason)[]
  missing_requirements?: string[]
}

export interface Comparison {
  plan_ids: string[]
  comparison_table: { headers: string[]; rows: string[][] }
  cost_analysis: { plan_id: string; monthly_fee: number; expected_monthly_extra: number; annual_cost: number; covers_usage: boolean }[]
  recommendation: { best_for_customer: string; reason: string; annual_cost: number; criterion?: string }
  narrative: string
}

export interface Summary {
  customer: { customer_id: string; name: string; id_number: string }
  line: { phone_number: string; current_plan: string; contract_end_date: string }
  renewal_type: string
  device: { device_id: string; brand: string; model: string; color: string; storage: string } | null
  plan: { plan_id: string; name: string; monthly_fee: number; contract_period: number; gifts: string[] }
  costs: Record<string, number>
}

export interface Submission {
  reservation: { reservation_id: string; reserved_until: string; status: string } | null
  line_renewal: { renewal_id: string; contract_end: string } | null
  record_id: number
}

export function waitingOf(view: SessionView | null): Waiting | null {
  return (view?.waiting as unknown as Waiting | null | undefined) ?? null
}
