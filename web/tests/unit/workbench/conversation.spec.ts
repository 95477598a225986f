import { describe, expect, it } from 'vitest'
import { applyEvent, fromSession, heldBy } from '@/workbench/conversation'
import { fillVariables } from '@/workbench/variables'

const history = [
  { id: 'msg_1', role: 'user', content: '我的網路斷線', timestamp: 100 },
  { id: 'msg_2', role: 'assistant', content: '請重新開機', timestamp: 101 },
  { id: 'msg_3', role: 'system', content: '已為您轉接人工客服', timestamp: 102 }
]

function message(id: string | null, role: string, content: string) {
  return { id, event: 'manual_message', data: { type: 'manual_message', role, content, timestamp: 200 } }
}

function read() {
  return fromSession('s1', { status: 'pending_manual', history, assigned_agent: null }, '100-0')
}

describe('conversation', () => {
  it('starts from the history in its order', () => {
    const conversation = read()
    expect(conversation.entries.map((entry) => entry.content)).toEqual(['我的網路斷線', '請重新開機', '已為您轉接人工客服'])
    expect(conversation.lastEventId).toBe('100-0')
  })

  it('appends live messages in arrival order and remembers the last id', () => {
    const conversation = read()
    applyEvent(conversation, message('101-0', 'system', '客服小狐 已加入'))
    applyEvent(conversation, message('102-0', 'agent', '您好'))
    applyEvent(conversation, message('103-0', 'user', '<img src=x onerror=alert(1)>'))
    expect(conversation.entries.slice(3).map((entry) => [entry.role, entry.content])).toEqual([
      ['system', '客服小狐 已加入'],
      ['agent', '您好'],
      ['user', '<img src=x onerror=alert(1)>']
    ])
    expect(conversation.lastEventId).toBe('103-0')
  })

  it.each([
    ['the same event twice (a replay racing a live delivery)', ['102-0', '102-0'], 1],
    ['a replay of several after a reconnect', ['102-0', '103-0', '102-0', '103-0', '104-0'], 3],
    ['distinct ids', ['102-0', '103-0'], 2]
  ])('dedupes by event id: %s', (_name, ids, appended) => {
    const conversation = read()
    for (const id of ids) applyEvent(conversation, message(id, 'user', `m${id}`))
    expect(conversation.entries).toHaveLength(history.length + appended)
    const keys = conversation.entries.map((entry) => entry.key)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('a duplicate changes nothing and says so', () => {
    const conversation = read()
    expect(applyEvent(conversation, message('5-0', 'user', 'a'))).toBe('message')
    expect(applyEvent(conversation, message('5-0', 'user', 'a'))).toBeNull()
  })

  it('status changes move the header, not the log; the holder may write', () => {
    const conversation = read()
    const moved = applyEvent(conversation, {
      id: '110-0', event: 'status_change',
      data: { status: 'manual_live', reason: 'agent_takeover', agent_info: { agent_id: 'agent001', agent_name: '客服小狐' } }
    })
    expect(moved).toBe('status')
    expect(conversation.entries).toHaveLength(history.length)
    expect(conversation.header).toEqual({ status: 'manual_live', assignedAgent: { id: 'agent001', name: '客服小狐' } })
    expect(heldBy(conversation, 'agent001')).toBe(true)
    expect(heldBy(conversation, 'agent002')).toBe(false)
    applyEvent(conversation, { id: '111-0', event: 'status_change', data: { status: 'bot_active', reason: 'released' } })
    expect(heldBy(conversation, 'agent001')).toBe(false)
  })

  it('resync asks for a reload; other events are ignored', () => {
    const conversation = read()
    expect(applyEvent(conversation, { id: null, event: 'resync', data: {} })).toBe('resync')
    expect(applyEvent(conversation, { id: '9-0', event: 'message', data: { content: 'token' } })).toBeNull()
    expect(conversation.entries).toHaveLength(history.length)
  })
})

describe('quick reply variables', () => {
  it.each([
    ['您好，關於{product_name}', { '{product_name}': 'iPhone 16' }, '您好，關於iPhone 16'],
    ['您好，關於{product_name}', { product_name: 'iPhone 16' }, '您好，關於iPhone 16'],
    ['{a} 與 {a}', { '{a}': 'x' }, 'x 與 x'],
    ['關於{product_name}', { '{product_name}': '' }, '關於{product_name}']
  ])('%s + %o → %s', (content, values, expected) => {
    expect(fillVariables(content, values)).toBe(expected)
  })
})
