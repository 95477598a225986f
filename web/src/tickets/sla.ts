/**
 * How SLA is shown. The ticket's overall verdict (`sla_status`) is the server's, computed at its
 * clock with the rules of docs/tickets.md; the page maps it to a colour and words, never to
 * colour alone. The two deadlines on the detail page also get a state of their own (met, late,
 * running, at risk, overdue) so the agent sees which clock is the problem. Pure functions: the
 * clock is an argument.
 */

export type SlaVerdict = 'within' | 'warning' | 'breached'
export type BadgeColor = 'success' | 'warning' | 'error' | 'neutral'

export interface SlaBadge {
  color: BadgeColor
  /** message key under `tk.sla` */
  key: string
  icon: string
}

const BADGES: Record<SlaVerdict, SlaBadge> = {
  within: { color: 'success', key: 'within', icon: 'i-lucide-circle-check' },
  warning: { color: 'warning', key: 'warning', icon: 'i-lucide-clock-alert' },
  breached: { color: 'error', key: 'breached', icon: 'i-lucide-circle-alert' }
}

/** The badge of a verdict; an unknown word (a newer server) is shown neutral, as itself. */
export function slaBadge(status: string): SlaBadge {
  return (BADGES as Record<string, SlaBadge>)[status] ?? { color: 'neutral', key: 'unknown', icon: 'i-lucide-circle-help' }
}

/** The share of a clock's time after which it is "at risk" (the server's WARNING_SHARE). */
export const WARNING_SHARE = 0.75

export type ClockState = 'met' | 'late' | 'running' | 'at_risk' | 'overdue'

export interface Clock {
  state: ClockState
  color: BadgeColor
  /** seconds left (negative: overdue) while the clock runs; null once it stopped */
  remaining: number | null
}

const CLOCK_COLORS: Record<ClockState, BadgeColor> = { met: 'success', late: 'error', running: 'success', at_risk: 'warning', overdue: 'error' }

/**
 * One deadline: `stoppedAt` is when it was answered (first response, resolution), null while it
 * runs. Times are epoch seconds.
 */
export function clock(startedAt: number, deadline: number, stoppedAt: number | null, now: number): Clock {
  let state: ClockState
  if (stoppedAt !== null) state = stoppedAt <= deadline ? 'met' : 'late'
  else if (now > deadline) state = 'overdue'
  else if (now >= startedAt + (deadline - startedAt) * WARNING_SHARE) state = 'at_risk'
  else state = 'running'
  return { state, color: CLOCK_COLORS[state], remaining: stoppedAt === null ? deadline - now : null }
}

export interface TicketClocks {
  created_at: number
  sla_response_deadline: number
  sla_deadline: number
  first_response_at: number | null
  resolved_at: number | null
  closed_at: number | null
}

/** The response and resolution clocks of a ticket (a resolution answers the customer too; closing stops both). */
export function ticketClocks(ticket: TicketClocks, now: number): { response: Clock; resolution: Clock } {
  const finished = ticket.resolved_at ?? ticket.closed_at
  return {
    response: clock(ticket.created_at, ticket.sla_response_deadline, ticket.first_response_at ?? finished, now),
    resolution: clock(ticket.created_at, ticket.sla_deadline, finished, now)
  }
}
