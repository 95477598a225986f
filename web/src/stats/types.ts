/**
 * The shapes of `/api/statistics/*` answers. The server publishes them as `data: object`
 * (`StatsBody`), so the generated schema cannot type them; these mirror
 * `api/statistics/service.py` (`Numbers.out`, `person`) and `reports.py`.
 */
import type { paths } from '@/api/schema'

export type Period = 'today' | 'week' | 'month'
export type ExportQuery = NonNullable<paths['/api/statistics/export']['get']['parameters']['query']>
export type Report = NonNullable<ExportQuery['report']>

/** One staff member's (or a sum of) numbers over some days. */
export interface Numbers {
  logins: number
  login_minutes: number
  last_login_at: number | null
  customers_served: number
  sessions_started: number
  sessions_completed: number
  sessions_abandoned: number
  sales_confirmed: number
  conversion_rate: number
  ai_calls: number
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  ai_cost: number
  ai_usage_by_type: Record<string, number>
}

export interface Person {
  staff_id: number
  username: string
  display_name: string
  role: string
  store_id: string | null
  status: string
  is_active: boolean
}

export interface Dashboard {
  staff: Partial<Person>
  date: string
  week_start: string
  today: Numbers
  this_week: Numbers
  days: (Numbers & { date: string })[]
}

export interface RankedStore extends Numbers {
  rank: number
  store_id: string
  store_name: string
  city: string
  staff_count: number
}

export interface Rankings {
  period: Period
  start: string
  end: string
  items: RankedStore[]
}

export interface StaffList {
  period: Period
  start: string
  end: string
  store_id: string | null
  items: (Person & Numbers)[]
}
