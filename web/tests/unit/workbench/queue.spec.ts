import { describe, expect, it } from 'vitest'
import { applyEvent, badgeTitle, emptyQueue, formatWaiting, loadPage, markSeen, toItem, type QueueState } from '@/workbench/queue'

function change(id: string | null, session: string, status: string, agent?: [string, string]) {
  const data: Record<string, unknown> = { type: 'status_change', session_name: session, status, reason: 'user_request' }
  if (agent) data.agent_info = { agent_id: agent[0], agent_name: agent[1] }
  return { id, event: 'status_change', data }
}

function names(state: QueueState): string[] {
  return state.items.map((item) => item.session_name)
}

describe('queue: live events merged into the page', () => {
  it('a new escalation appears once, first, and counts for the badge', () => {
    const state = emptyQueue()
    loadPage(state, [toItem({ session_name: 's_old', status: 'pending_manual', waiting_seconds: 90 })], 1)
    expect(applyEvent(state, change('1-0', 's_new', 'pending_manual'))).toBe('escalated')
    expect(names(state)).toEqual(['s_new', 's_old'])
    expect(state.total).toBe(2)
    expect(state.items[0]!.placeholder).toBe(true)
    expect(state.unseen.size).toBe(1)
  })

  it.each([
    ['the same event replayed after a reconnect', [change('1-0', 's1', 'pending_manual'), change('1-0', 's1', 'pending_manual')], ['s1'], 1],
    ['two escalation events of one chat (different ids)', [change('1-0', 's1', 'pending_manual'), change('2-0', 's1', 'pending_manual')], ['s1'], 1],
    ['an escalation already in the page (no new arrival)', [change('3-0', 's_old', 'pending_manual')], ['s_old'], 0],
    ['events without ids (no replay guard) still never duplicate a chat', [change(null, 's1', 'pending_manual'), change(null, 's1', 'pending_manual')], ['s1'], 1]
  ])('%s: no duplicate row', (_name, events, expected, unseen) => {
    const state = emptyQueue()
    if (expected.includes('s_old')) loadPage(state, [toItem({ session_name: 's_old', status: 'pending_manual' })], 1)
    for (const event of events) applyEvent(state, event)
    expect(names(state)).toEqual(expected)
    expect(state.unseen.size).toBe(unseen)
  })

  it('a replayed event is reported as nothing new (no second beep)', () => {
    const state = emptyQueue()
    expect(applyEvent(state, change('7-0', 's1', 'pending_manual'))).toBe('escalated')
    expect(applyEvent(state, change('7-0', 's1', 'pending_manual'))).toBeNull()
  })

  it('a takeover updates the row in place with the agent who won and leaves the badge', () => {
    const state = emptyQueue()
    applyEvent(state, change('1-0', 's1', 'pending_manual'))
    expect(applyEvent(state, change('2-0', 's1', 'manual_live', ['agent002', '客服小熊']))).toBe('changed')
    expect(state.items).toHaveLength(1)
    expect(state.items[0]!.status).toBe('manual_live')
    expect(state.items[0]!.assigned_agent).toEqual({ id: 'agent002', name: '客服小熊' })
    expect(state.unseen.size).toBe(0)
  })

  it('a status change of a chat not on this page adds no row (it is not an escalation)', () => {
    const state = emptyQueue()
    expect(applyEvent(state, change('1-0', 's9', 'bot_active'))).toBe('changed')
    expect(state.items).toHaveLength(0)
  })

  it('other event types change nothing', () => {
    const state = emptyQueue()
    expect(applyEvent(state, { id: '1-0', event: 'manual_message', data: { session_name: 's1', role: 'user', content: 'hi' } })).toBeNull()
    expect(applyEvent(state, { id: '2-0', event: 'ticket', data: { session_id: 's1' } })).toBeNull()
    expect(state.items).toHaveLength(0)
  })

  it('a fresh read replaces the rows but keeps unopened escalations counted while they wait', () => {
    const state = emptyQueue()
    applyEvent(state, change('1-0', 's1', 'pending_manual'))
    applyEvent(state, change('2-0', 's2', 'pending_manual'))
    loadPage(state, [toItem({ session_name: 's1', status: 'pending_manual', waiting_seconds: 3 }), toItem({ session_name: 's2', status: 'manual_live' })], 2)
    expect([...state.unseen]).toEqual(['s1'])
    expect(state.items[0]!.placeholder).toBeUndefined()
  })
})

describe('title badge', () => {
  it.each([
    [0, '客服工作台'],
    [1, '(1) 客服工作台'],
    [2, '(2) 客服工作台'],
    [12, '(12) 客服工作台']
  ])('%i unseen → %s', (count, title) => {
    expect(badgeTitle('客服工作台', count)).toBe(title)
  })

  it('counts escalations until opened, taken by someone or cancelled', () => {
    const state = emptyQueue()
    for (const [id, name] of [['1-0', 'a'], ['2-0', 'b'], ['3-0', 'c']] as const) applyEvent(state, change(id, name, 'pending_manual'))
    expect(badgeTitle('W', state.unseen.size)).toBe('(3) W')
    markSeen(state, 'a')
    applyEvent(state, change('4-0', 'b', 'manual_live', ['agent002', 'Bob']))
    expect(badgeTitle('W', state.unseen.size)).toBe('(1) W')
    applyEvent(state, change('5-0', 'c', 'bot_active'))
    expect(badgeTitle('W', state.unseen.size)).toBe('W')
  })
})

describe('toItem and waiting time', () => {
  it('reads a SessionSummary of the API', () => {
    const item = toItem({
      session_name: 's1', status: 'pending_manual', waiting_seconds: 75,
      escalation: { reason: 'keyword', severity: 'high', summary: '摘要' },
      user_profile: { nickname: '<b>王</b>', vip: true }, assigned_agent: null, last_message_preview: 'hi'
    })
    expect(item).toMatchObject({ reason: 'keyword', severity: 'high', summary: '摘要', nickname: '<b>王</b>', vip: true, tags: null })
  })

  it.each([
    [0, 's', '0'], [59, 's', '59'], [60, 'm', '1'], [3599, 'm', '59'], [3600, 'h', '1:00'], [3_900, 'h', '1:05']
  ])('%i s → %s %s', (seconds, unit, value) => {
    expect(formatWaiting(seconds)).toEqual({ unit, value })
  })
})
