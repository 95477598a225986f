/**
 * The list-plans stream folded into what the page shows: the stages (contract, basic
 * eligibility, search) and one row per promotion as its check arrives, qualified or not with
 * the reasons. Pure, so the rows can be tested event by event.
 */
import type { StreamEvent } from '@/api/sse'

export interface PlanRow {
  promotionId: string
  title: string
  qualified: boolean
  reasons: string[]
}

export interface PlanProgress {
  stages: Record<string, 'running' | 'completed'>
  candidates: number | null
  rows: PlanRow[]
  complete: boolean
  error: string | null
}

export function emptyProgress(): PlanProgress {
  return { stages: {}, candidates: null, rows: [], complete: false, error: null }
}

function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason
  if (reason && typeof reason === 'object' && 'message' in reason) return String((reason as { message: unknown }).message)
  return String(reason)
}

export function applyPlanEvent(state: PlanProgress, event: StreamEvent): PlanProgress {
  const data = event.data
  if (event.event === 'complete') return { ...state, complete: true }
  if (event.event === 'error') return { ...state, error: String(data.error ?? data.content ?? 'error') }
  if (event.event !== 'progress') return state
  const stage = String(data.stage ?? '')
  if (stage === 'check_promotion_eligibility') {
    const row: PlanRow = {
      promotionId: String(data.promotion_id ?? ''),
      title: String(data.title ?? ''),
      qualified: data.status === 'qualified',
      reasons: Array.isArray(data.reasons) ? data.reasons.map(reasonText) : []
    }
    const rows = state.rows.filter((r) => r.promotionId !== row.promotionId)
    return { ...state, rows: [...rows, row] }
  }
  const status = data.status === 'running' ? 'running' : 'completed'
  const candidates = stage === 'search_promotions' && typeof data.count === 'number' ? data.count : state.candidates
  return { ...state, stages: { ...state.stages, [stage]: status }, candidates }
}
