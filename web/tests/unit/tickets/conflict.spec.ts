import { describe, expect, it } from 'vitest'
import { conflictChanges, edits, rebase, type Editable } from '@/tickets/conflict'

const read: Editable = { title: '帳單金額異常', priority: 'high', description: '多扣 200 元', tags: ['billing'] }

function mine(change: Partial<Editable>): Editable {
  return { ...read, ...change }
}

describe('what I changed (the PATCH fields)', () => {
  it.each([
    ['nothing', {}, {}],
    ['the title', { title: '帳單多扣' }, { title: '帳單多扣' }],
    ['priority and tags', { priority: 'urgent', tags: ['billing', 'vip'] }, { priority: 'urgent', tags: ['billing', 'vip'] }],
    ['tags set to the same list', { tags: ['billing'] }, {}]
  ])('%s', (_name, change, expected) => {
    expect(edits(read, mine(change))).toEqual(expected)
  })
})

describe('after a 409 VERSION_CONFLICT: what changed, yours → theirs', () => {
  it.each([
    [
      'both edited the title',
      { title: '我的標題' },
      { title: '別人的標題' },
      [{ field: 'title', yours: '我的標題', theirs: '別人的標題', clash: true }]
    ],
    [
      'they raised the priority, I edited the title',
      { title: '我的標題' },
      { priority: 'urgent' },
      [{ field: 'priority', yours: 'high', theirs: 'urgent', clash: false }]
    ],
    ['both wrote the same title: no conflict to show', { title: '同一個' }, { title: '同一個' }, []],
    [
      'they changed tags and description',
      {},
      { description: '已補充', tags: ['billing', 'vip'] },
      [
        { field: 'description', yours: '多扣 200 元', theirs: '已補充', clash: false },
        { field: 'tags', yours: 'billing', theirs: 'billing, vip', clash: false }
      ]
    ],
    ['only a status or assignment moved (no editable field): nothing listed', { title: '我的' }, {}, []]
  ])('%s', (_name, myChange, theirChange, expected) => {
    expect(conflictChanges(read, mine(myChange), { ...read, ...theirChange })).toEqual(expected)
  })

  it('the form keeps my edits on top of the fresh ticket, so saving again re-applies them', () => {
    const theirs = { ...read, title: '別人的標題', priority: 'urgent' }
    const form = rebase(read, mine({ title: '我的標題', description: '我補充的' }), theirs)
    expect(form).toEqual({ title: '我的標題', priority: 'urgent', description: '我補充的', tags: ['billing'] })
    expect(edits(theirs, form)).toEqual({ title: '我的標題', description: '我補充的' })
  })
})
