/**
 * The list's filters, kept in the page's URL (a reload, a shared link or "back" from a ticket
 * shows the same list) and turned into the query of `GET /api/tickets`. Pure functions.
 *
 * The created range is picked as local (Asia/Taipei) calendar days, inclusive; the API takes
 * ISO instants, `created_from` inclusive and `created_to` exclusive, so the "to" day becomes
 * the next day's midnight in Taipei.
 */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

export const STATUSES = ['pending', 'in_progress', 'waiting_customer', 'waiting_parts', 'resolved', 'closed'] as const
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const
export const CATEGORIES = ['technical', 'after_sales', 'pre_sales', 'order_modify', 'shipping', 'compliance', 'returns', 'warranty'] as const
export const SLA_STATUSES = ['within', 'warning', 'breached'] as const
export const SORT_FIELDS = ['ticket_number', 'priority', 'sla_deadline', 'created_at', 'updated_at'] as const
export const PAGE_SIZE = 20

export type StatusValue = (typeof STATUSES)[number]
export type PriorityValue = (typeof PRIORITIES)[number]
export type CategoryValue = (typeof CATEGORIES)[number]
export type SlaValue = (typeof SLA_STATUSES)[number]
export type SortField = (typeof SORT_FIELDS)[number]
export type Sort = SortField | `-${SortField}`

export interface Filters {
  status: StatusValue | ''
  priority: PriorityValue | ''
  category: CategoryValue | ''
  sla: SlaValue | ''
  assignee: string
  keyword: string
  from: string // YYYY-MM-DD, Taipei
  to: string // YYYY-MM-DD, Taipei, inclusive
  sort: Sort
  page: number
}

export interface ListParams {
  status?: StatusValue
  priority?: PriorityValue
  category?: CategoryValue
  sla_status?: SlaValue
  assignee_id?: string
  keyword?: string
  created_from?: string
  created_to?: string
  sort: Sort
  page: number
  page_size: number
}

export const DEFAULT_SORT: Sort = '-created_at'
const DAY = /^\d{4}-\d{2}-\d{2}$/
const USERNAME = /^[A-Za-z0-9_.-]{1,32}$/

export function emptyFilters(): Filters {
  return { status: '', priority: '', category: '', sla: '', assignee: '', keyword: '', from: '', to: '', sort: DEFAULT_SORT, page: 1 }
}

function one(value: LocationQuery[string] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

function pick<T extends string>(value: string, allowed: readonly T[]): T | '' {
  return (allowed as readonly string[]).includes(value) ? (value as T) : ''
}

function isSort(value: string): value is Sort {
  return (SORT_FIELDS as readonly string[]).includes(value.replace(/^-/, ''))
}

/** The URL's query as filters; anything unknown or malformed falls back to "no filter". */
export function fromRoute(query: LocationQuery): Filters {
  const sort = one(query.sort)
  const page = Number.parseInt(one(query.page), 10)
  const day = (value: string) => (DAY.test(value) ? value : '')
  return {
    status: pick(one(query.status), STATUSES),
    priority: pick(one(query.priority), PRIORITIES),
    category: pick(one(query.category), CATEGORIES),
    sla: pick(one(query.sla), SLA_STATUSES),
    assignee: one(query.assignee).slice(0, 32),
    keyword: one(query.keyword).slice(0, 100),
    from: day(one(query.from)),
    to: day(one(query.to)),
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    page: Number.isFinite(page) && page >= 1 ? page : 1
  }
}

/** The filters as the URL's query: only what differs from the defaults. */
export function toRoute(filters: Filters): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  for (const key of ['status', 'priority', 'category', 'sla', 'assignee', 'keyword', 'from', 'to'] as const) {
    const value = filters[key].trim()
    if (value) query[key] = value
  }
  if (filters.sort !== DEFAULT_SORT) query.sort = filters.sort
  if (filters.page > 1) query.page = String(filters.page)
  return query
}

/** Midnight of a Taipei calendar day (`days` later) as an ISO instant with its offset. */
export function taipeiMidnight(day: string, days = 0): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number]
  const shifted = new Date(Date.UTC(year, month - 1, date + days))
  return `${shifted.toISOString().slice(0, 10)}T00:00:00+08:00`
}

/** The query of `GET /api/tickets` for these filters. */
export function toParams(filters: Filters): ListParams {
  const params: ListParams = { sort: filters.sort, page: filters.page, page_size: PAGE_SIZE }
  if (filters.status) params.status = filters.status
  if (filters.priority) params.priority = filters.priority
  if (filters.category) params.category = filters.category
  if (filters.sla) params.sla_status = filters.sla
  const assignee = filters.assignee.trim()
  if (USERNAME.test(assignee)) params.assignee_id = assignee
  const keyword = filters.keyword.trim()
  if (keyword) params.keyword = keyword.slice(0, 100)
  if (filters.from) params.created_from = taipeiMidnight(filters.from)
  if (filters.to) params.created_to = taipeiMidnight(filters.to, 1)
  return params
}

/** Clicking a column: the first click sorts by it (descending for times, ascending otherwise), the next flips it. */
export function nextSort(current: Sort, field: SortField): Sort {
  if (current === field) return `-${field}`
  if (current === `-${field}`) return field
  return field === 'created_at' || field === 'updated_at' || field === 'ticket_number' ? `-${field}` : field
}

export function sortDirection(current: Sort, field: SortField): 'ascending' | 'descending' | 'none' {
  if (current === field) return 'ascending'
  if (current === `-${field}`) return 'descending'
  return 'none'
}
