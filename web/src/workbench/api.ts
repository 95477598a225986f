/**
 * The workbench's calls, each through the one typed client (`api`), so a renamed field fails
 * the build. Answers are unwrapped to what the page shows; refusals throw `ApiError` with the
 * server's message and code (the page shows them as the API words them).
 */
import { api, dataOf } from '@/api/client'
import type { components } from '@/api/schema'
import { toItem, type QueueItem } from './queue'

type Schemas = components['schemas']
export type QuickReply = Schemas['QuickReplyOut']
export type QuickReplyUsed = Schemas['QuickReplyUsed']
export type Tag = Schemas['TagOut']
export type SessionTag = Schemas['SessionTagOut']
export type Ticket = Schemas['TicketOut']
export type TicketCreate = Schemas['TicketCreate']
export type SessionDetail = Schemas['SessionDetail']
export type Agent = Schemas['UserOut']
export type QueueStatus = 'bot_active' | 'pending_manual' | 'manual_live' | 'closed'

export interface QueueQuery {
  status: QueueStatus | null
  keyword: string
  tagId: string | null
  page: number
  pageSize: number
}

/** A page of the queue: status, keyword and tag filtered by the server, each row with its tags. */
export async function readQueue(query: QueueQuery): Promise<{ items: QueueItem[]; total: number }> {
  const listed = dataOf(
    await api.GET('/api/sessions', {
      params: {
        query: {
          status: query.status ?? undefined,
          keyword: query.keyword.trim() || undefined,
          tag: query.tagId ? [query.tagId] : undefined,
          page: query.page,
          page_size: query.pageSize
        }
      }
    })
  ).data
  return { items: listed.items.map((row) => toItem(row)), total: listed.total }
}

export async function sessionTags(sessionName: string): Promise<SessionTag[]> {
  return dataOf(await api.GET('/api/sessions/{session_name}/tags', { params: { path: { session_name: sessionName } } })).data.tags
}

export async function addTag(sessionName: string, tagId: string): Promise<SessionTag[]> {
  return dataOf(
    await api.POST('/api/sessions/{session_name}/tags', {
      params: { path: { session_name: sessionName } },
      body: { tag_id: tagId }
    })
  ).data.tags
}

export async function removeTag(sessionName: string, tagId: string): Promise<void> {
  await api.DELETE('/api/sessions/{session_name}/tags/{tag_id}', {
    params: { path: { session_name: sessionName, tag_id: tagId } }
  })
}

export async function allTags(): Promise<Tag[]> {
  const listed = dataOf(await api.GET('/api/tags')).data
  return [...listed.system_tags, ...listed.custom_tags]
}

export async function session(sessionName: string): Promise<SessionDetail> {
  return dataOf(await api.GET('/api/sessions/{session_name}', { params: { path: { session_name: sessionName } } })).data
}

export async function takeover(sessionName: string): Promise<void> {
  await api.POST('/api/sessions/{session_name}/takeover', { params: { path: { session_name: sessionName } }, body: {} })
}

export async function send(sessionName: string, content: string): Promise<void> {
  await api.POST('/api/manual/messages', { body: { session_name: sessionName, role: 'agent', content } })
}

export async function release(sessionName: string): Promise<void> {
  await api.POST('/api/sessions/{session_name}/release', {
    params: { path: { session_name: sessionName } },
    body: { reason: 'resolved' }
  })
}

export async function close(sessionName: string): Promise<void> {
  await api.POST('/api/sessions/{session_name}/close', { params: { path: { session_name: sessionName } } })
}

export async function transfer(sessionName: string, toAgent: string): Promise<void> {
  await api.POST('/api/sessions/{session_name}/transfer', {
    params: { path: { session_name: sessionName } },
    body: { to_agent_id: toAgent }
  })
}

export async function agentProfile(username?: string): Promise<Agent> {
  return dataOf(await api.GET('/api/agent/profile', { params: { query: username ? { username } : {} } })).agent
}

export async function quickReplies(keyword: string): Promise<QuickReply[]> {
  const query = keyword.trim() ? { keyword: keyword.trim() } : {}
  return dataOf(await api.GET('/api/quick-replies', { params: { query } })).data.items
}

export async function useQuickReply(replyId: string, sessionName: string): Promise<QuickReplyUsed> {
  return dataOf(
    await api.POST('/api/quick-replies/{reply_id}/use', {
      params: { path: { reply_id: replyId } },
      body: { session_name: sessionName }
    })
  ).data
}

export async function sessionTicket(sessionName: string): Promise<Ticket | null> {
  return dataOf(await api.GET('/api/sessions/{session_name}/ticket', { params: { path: { session_name: sessionName } } })).data
}

export async function createTicket(body: TicketCreate): Promise<Ticket> {
  return dataOf(await api.POST('/api/tickets', { body })).data
}

/** The calling agent's availability (online / busy / offline). */
export async function setMyStatus(status: 'online' | 'busy' | 'offline'): Promise<Agent> {
  return dataOf(await api.PUT('/api/agent/status', { body: { status } })).agent
}
