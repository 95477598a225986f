/**
 * The shapes of `/api/statistics/*` answers, straight from the generated OpenAPI types
 * (`api/statistics/schemas.py` on the server): a renamed field fails `vue-tsc`.
 */
import type { components, paths } from '@/api/schema'

type Schemas = components['schemas']

export type Period = 'today' | 'week' | 'month'
export type ExportQuery = NonNullable<paths['/api/statistics/export']['get']['parameters']['query']>
export type Report = NonNullable<ExportQuery['report']>

/** One staff member's (or a sum of) numbers over some days. */
export type Numbers = Schemas['Numbers']
export type StaffNumbers = Schemas['StaffNumbers']
export type Person = Omit<StaffNumbers, keyof Numbers>
export type Dashboard = Schemas['Dashboard']
export type RankedStore = Schemas['RankedStore']
export type Rankings = Schemas['Rankings']
export type StaffList = Schemas['StaffList']

