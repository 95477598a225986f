import { describe, expect, it } from 'vitest'
import { Conversation, compareEventIds } from '@/widget/conversation'
import type { StreamEvent } from '@/api/sse'

let clock = 1796318425000
function ev(event: string, data: Record<string, unknown>, id: string | null = `${clock++}-0`): StreamEvent {
  return { id, event, data: { type: event, ...data } }
}

describe('token streaming', () => {
  it('grows one AI bubble token by token and closes it on done', () => {
    const conv = new Conversation()
    conv.load([], 'bot_active', null, '0')
    const texts: string[] = []
    for (const token of ['（離線助理）我可', '以協助查詢方案、', '帳單']) {
      conv.apply(ev('message', { content: token }))
      texts.push(conv.bubbles[0]!.text)
    }
    expect(conv.bubbles).toHaveLength(1)
    expect(texts).toEqual(['（離線助理）我可', '（離線助理）我可以協助查詢方案、', '（離線助理）我可以協助查詢方案、帳單'])
    expect(conv.bubbles[0]).toMatchObject({ role: 'ai', streaming: true })
    conv.apply(ev('done', { content: '' }))
    expect(conv.bubbles[0]!.streaming).toBe(false)
    conv.apply(ev('message', { content: '第二個回答' }))
    expect(conv.bubbles.map((b) => b.text)).toEqual(['（離線助理）我可以協助查詢方案、帳單', '第二個回答'])
  })

  it('counts a new answer as unread once, not once per token', () => {
    const conv = new Conversation()
    conv.load([], 'bot_active', null, '0')
    const fresh = ['a', 'b', 'c'].map((t) => conv.apply(ev('message', { content: t })))
    expect(fresh).toEqual([true, false, false])
  })
})

describe('dedupe after a reconnect', () => {
  it('ignores events at or before the last id applied, whatever the server replays', () => {
    const conv = new Conversation()
    conv.load([], 'manual_live', '客服小狐', '0')
    const first = ev('manual_message', { role: 'agent', content: '第一則', agent_name: '客服小狐' })
    const second = ev('manual_message', { role: 'agent', content: '第二則', agent_name: '客服小狐' })
    const third = ev('manual_message', { role: 'agent', content: '第三則', agent_name: '客服小狐' })
    conv.apply(first)
    conv.apply(second)
    // the connection drops; the stream comes back and replays from an older id, then the rest
    for (const event of [first, second, third, third]) conv.apply(event)
    expect(conv.bubbles.map((b) => b.text)).toEqual(['第一則', '第二則', '第三則'])
    expect(conv.lastEventId).toBe(third.id)
  })

  it('orders hub ids by time, then sequence (not as strings)', () => {
    expect(compareEventIds('999-0', '1000-0')).toBeLessThan(0)
    expect(compareEventIds('1000-10', '1000-9')).toBeGreaterThan(0)
    expect(compareEventIds('1000-0', '1000-0')).toBe(0)
    expect(compareEventIds('1000-0', '0')).toBeGreaterThan(0)
  })

  it('skips what the session read already holds', () => {
    const conv = new Conversation()
    conv.load([{ id: 'msg_1', role: 'agent', content: '已讀', agent_name: '客服小狐' }], 'manual_live', '客服小狐', '2000-0')
    conv.apply(ev('manual_message', { role: 'agent', content: '已讀' }, '1999-0'))
    conv.apply(ev('manual_message', { role: 'agent', content: '新的' }, '2001-0'))
    expect(conv.bubbles.map((b) => b.text)).toEqual(['已讀', '新的'])
  })

  it("binds the server's echo of the customer's own message to the bubble already shown", () => {
    const conv = new Conversation()
    conv.load([], 'pending_manual', null, '0')
    const own = conv.addOwn('請問還要等多久？')
    conv.apply(ev('manual_message', { role: 'user', content: '請問還要等多久？' }))
    conv.confirmOwn(own)
    expect(conv.bubbles).toHaveLength(1)
    expect(conv.bubbles[0]).toMatchObject({ role: 'user', pending: false })
    // a message typed in another tab is not ours: it shows
    conv.apply(ev('manual_message', { role: 'user', content: '另一個分頁' }))
    expect(conv.bubbles.map((b) => b.text)).toEqual(['請問還要等多久？', '另一個分頁'])
  })
})

describe('status banners', () => {
  it('waiting, agent connected with the name, back to the AI', () => {
    const conv = new Conversation()
    conv.load([], 'bot_active', null, '0')
    conv.apply(ev('status_change', { status: 'pending_manual', reason: 'user_request' }))
    expect(conv.banner).toBe('waiting')
    conv.apply(ev('status_change', { status: 'manual_live', reason: 'agent_takeover', agent_info: { agent_id: 'agent001', agent_name: '客服小狐' } }))
    expect([conv.banner, conv.agentName]).toEqual(['connected', '客服小狐'])
    conv.apply(ev('status_change', { status: 'bot_active', reason: 'released' }))
    expect([conv.banner, conv.agentName, conv.status]).toEqual(['backToAi', null, 'bot_active'])
  })

  it('a cancelled escalation clears the banner; off hours the escalation stays with the AI', () => {
    const conv = new Conversation()
    conv.load([], 'pending_manual', null, '0')
    expect(conv.banner).toBe('waiting')
    conv.apply(ev('status_change', { status: 'bot_active', reason: 'escalation_cancelled' }))
    expect(conv.banner).toBeNull()
    conv.escalated('bot_active')
    expect(conv.banner).toBe('offline')
  })
})
