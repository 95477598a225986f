import { describe, expect, it } from 'vitest'
import type { Rule } from '@/admin/api'
import { bodyOf, checkRule, conditionOf, draftOf, emptyDraft, groupRules, splitKeywords, type RuleDraft } from '@/admin/ruleForm'

const draft = (over: Partial<RuleDraft>): RuleDraft => ({ ...emptyDraft('keyword'), reply_content: '您好', keywords: '價格', ...over })
const keys = (d: RuleDraft) => checkRule(d).map((p) => `${p.field}:${p.key}`)

describe('auto-reply rule form bounds', () => {
  it.each([
    [{ delay_seconds: 0 }, []],
    [{ delay_seconds: 60 }, []],
    [{ delay_seconds: 61 }, ['delay_seconds:delay']],
    [{ delay_seconds: -1 }, ['delay_seconds:delay']],
    [{ delay_seconds: 1.5 }, ['delay_seconds:delay']],
    [{ delay_seconds: Number.NaN }, ['delay_seconds:delay']],
    [{ reply_content: '   ' }, ['reply_content:content']],
    [{ reply_content: 'x'.repeat(1000) }, []],
    [{ reply_content: 'x'.repeat(1001) }, ['reply_content:content']],
    [{ keywords: '' }, ['keywords:keywords']],
    [{ keywords: Array.from({ length: 50 }, (_, i) => `k${i}`).join(',') }, []],
    [{ keywords: Array.from({ length: 51 }, (_, i) => `k${i}`).join(',') }, ['keywords:keywords']],
    [{ keywords: 'x'.repeat(51) }, ['keywords:keywordLength']],
    [{ type: 'offline' as const, keywords: '' }, []],
    [{ type: 'queue' as const, min_position: '0' }, ['min_position:minPosition']],
    [{ type: 'queue' as const, min_position: '3' }, []],
    [{ type: 'timeout' as const, wait_seconds: '4' }, ['wait_seconds:wait']],
    [{ type: 'timeout' as const, wait_seconds: '3601' }, ['wait_seconds:wait']],
    [{ type: 'timeout' as const, wait_seconds: '' }, []],
    [{ type: 'timeout' as const, wait_seconds: '120' }, []]
  ])('%j → %j', (over, expected) => {
    expect(keys(draft(over))).toEqual(expected)
  })

  it('splits keywords on new lines and both kinds of comma, dropping blanks', () => {
    expect(splitKeywords('價格, price\n多少錢，、 \n')).toEqual(['價格', 'price', '多少錢'])
  })

  it.each([
    [draft({ keywords: '價格\nprice' }), { keywords: ['價格', 'price'] }],
    [draft({ type: 'welcome', event: 'conversation_start' }), { event: 'conversation_start' }],
    [draft({ type: 'queue', min_position: '' }), {}],
    [draft({ type: 'queue', min_position: '2' }), { min_position: 2 }],
    [draft({ type: 'timeout', wait_seconds: '90' }), { wait_seconds: 90 }],
    [draft({ type: 'busy', keywords: 'ignored' }), {}]
  ])('sends only the type’s own condition keys (%#)', (d, expected) => {
    expect(conditionOf(d)).toEqual(expected)
  })

  it('the body carries the trimmed reply, delay and enabled; a stored rule comes back as the same draft', () => {
    const d = draft({ reply_content: '  請稍候 {queue_position}  ', type: 'queue', min_position: '2', delay_seconds: 5, enabled: false, keywords: '' })
    const body = bodyOf(d)
    expect(body).toEqual({ type: 'queue', reply_content: '請稍候 {queue_position}', delay_seconds: 5, enabled: false, trigger_condition: { min_position: 2 } })
    const stored: Rule = { ...body, trigger_condition: body.trigger_condition ?? {}, id: 'rule_1', created_at: 1, updated_at: 1, created_by: 'admin', variables: [] }
    expect(draftOf(stored)).toEqual({ ...d, reply_content: '請稍候 {queue_position}' })
  })

  it('groups rules by the six types, oldest first, and marks a type with 20 rules as full', () => {
    const rule = (type: string, created_at: number): Rule => ({
      id: `${type}-${created_at}`, type, created_at, updated_at: created_at, created_by: 'admin', delay_seconds: 0, enabled: true, reply_content: 'x', trigger_condition: {}, variables: []
    })
    const rules = [rule('keyword', 3), rule('keyword', 1), rule('welcome', 2), ...Array.from({ length: 20 }, (_, i) => rule('busy', i))]
    const groups = groupRules(rules)
    expect(groups.map((g) => g.type)).toEqual(['welcome', 'keyword', 'offline', 'busy', 'queue', 'timeout'])
    expect(groups[1]!.rules.map((r) => r.created_at)).toEqual([1, 3])
    expect(groups.map((g) => g.full)).toEqual([false, false, false, true, false, false])
  })
})
