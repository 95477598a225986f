/**
 * The 10 steps of seed 000 §3.2 as the progress bar shows them. The graph has fewer waiting
 * steps (2-3 are cards shown with step 4; 9 is step 8 answered with a list), so the position
 * comes from the payload's `step_number`, with the comparison counted as step 9 once it exists.
 */
import type { SessionView } from './types'
import { waitingOf } from './types'

export const STEP_KEYS = [
  'id', 'customer', 'lines', 'eligibility', 'deviceType', 'os', 'device', 'plans', 'compare', 'confirm'
] as const

export type StepState = 'done' | 'current' | 'ahead'

/** The step number the session stands at (11 once submitted: everything done). */
export function currentNumber(view: SessionView | null): number {
  if (!view) return 1
  if (view.outcome === 'completed') return 11
  const waiting = waitingOf(view)
  if (!waiting) return 0
  if (waiting.step === 'select_plan' && waiting.show.comparison) return 9
  return waiting.step_number
}

export function stepStates(view: SessionView | null): StepState[] {
  const at = currentNumber(view)
  return STEP_KEYS.map((_, i) => (i + 1 < at ? 'done' : i + 1 === at ? 'current' : 'ahead'))
}
