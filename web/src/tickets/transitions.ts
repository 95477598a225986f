/**
 * The status buttons of a ticket. Which moves are allowed is the server's word: every ticket it
 * answers carries `allowed_transitions` (api/tickets/transitions.py), and the page offers exactly
 * those, in the workflow's order, never a move the API would refuse for the status it sent. A
 * move refused anyway (another agent moved the ticket meanwhile) shows the API's message and
 * the ticket is read again. Pure.
 */

export const WORKFLOW = ['pending', 'in_progress', 'waiting_customer', 'waiting_parts', 'resolved', 'closed'] as const
export type TicketStatus = (typeof WORKFLOW)[number]

export interface StatusAction {
  target: TicketStatus
  /** message key under `tk.actions` */
  key: string
  /** the main way forward (one solid button), the rest are outlined */
  primary: boolean
}

/** The usual next step from each status (drawn solid). */
const FORWARD: Partial<Record<TicketStatus, TicketStatus>> = {
  pending: 'in_progress',
  in_progress: 'resolved',
  waiting_customer: 'in_progress',
  waiting_parts: 'in_progress',
  resolved: 'closed'
}

function known(value: string): value is TicketStatus {
  return (WORKFLOW as readonly string[]).includes(value)
}

/** The buttons for a ticket in `status` whose answer allowed `allowed`. */
export function statusActions(status: string, allowed: readonly string[]): StatusAction[] {
  const targets = WORKFLOW.filter((target) => target !== status && allowed.includes(target))
  return targets.map((target) => {
    const reopen = target === 'in_progress' && (status === 'resolved' || status === 'closed')
    return {
      target,
      key: reopen ? 'reopen' : target,
      primary: known(status) && FORWARD[status] === target
    }
  })
}
