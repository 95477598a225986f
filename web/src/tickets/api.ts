/**
 * The ticket pages' calls, each through the one typed client (`api`), so a renamed field fails
 * the build. Refusals throw `ApiError` with the server's message and code; the pages show the
 * message as the API words it (409 INVALID_TRANSITION, 404 AGENT_NOT_FOUND ...).
 */
import { api, dataOf } from '@/api/client'
import type { components } from '@/api/schema'
import type { ListParams } from './query'

type Schemas = components['schemas']
export type Ticket = Schemas['TicketOut']
export type TicketRow = Schemas['TicketSummary']
export type TicketPage = Schemas['TicketPage']
export type TicketPatch = Schemas['TicketPatch']
export type Activity = Schemas['ActivityOut']
export type Comment = Schemas['CommentOut']
export type Status = Schemas['TicketStatus']
export type Priority = Schemas['TicketPriority']
export type Category = Schemas['TicketCategory']
export type SlaStatus = Schemas['SlaStatus']
export type Account = Schemas['AccountOut']

export async function listTickets(params: ListParams): Promise<TicketPage> {
  return dataOf(await api.GET('/api/tickets', { params: { query: params } })).data
}

export async function readTicket(ticketId: string): Promise<Ticket> {
  return dataOf(await api.GET('/api/tickets/{ticket_id}', { params: { path: { ticket_id: ticketId } } })).data
}

export async function patchTicket(ticketId: string, body: TicketPatch): Promise<Ticket> {
  return dataOf(await api.PATCH('/api/tickets/{ticket_id}', { params: { path: { ticket_id: ticketId } }, body })).data
}

/** Without `version`: the server re-checks the rule on the fresh row (docs/tickets.md). */
export async function changeStatus(ticketId: string, status: Status, comment: string): Promise<Ticket> {
  const body = comment.trim() ? { status, comment: comment.trim() } : { status }
  return dataOf(await api.POST('/api/tickets/{ticket_id}/status', { params: { path: { ticket_id: ticketId } }, body })).data
}

export async function assignTicket(ticketId: string, assigneeId: string): Promise<Ticket> {
  return dataOf(
    await api.POST('/api/tickets/{ticket_id}/assign', { params: { path: { ticket_id: ticketId } }, body: { assignee_id: assigneeId } })
  ).data
}

export async function addComment(ticketId: string, content: string, isInternal: boolean): Promise<Ticket> {
  return dataOf(
    await api.POST('/api/tickets/{ticket_id}/comments', {
      params: { path: { ticket_id: ticketId } },
      body: { content, is_internal: isInternal }
    })
  ).data
}

/** Active agents and admins (admins only: agents type a username instead). */
export async function listAgents(): Promise<Account[]> {
  const page = dataOf(await api.GET('/api/agents', { params: { query: { is_active: true, page_size: 100 } } })).data
  return page.items
}
