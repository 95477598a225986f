import { describe, expect, it } from 'vitest'
import messages from '@/admin/messages'

type Tree = { [key: string]: string | Tree }
const keys = (tree: Tree, prefix = ''): string[] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)))

describe('admin strings', () => {
  it('every locale has the same keys as zh-TW, none empty, all under adm.', () => {
    const base = keys(messages['zh-TW']).sort()
    expect(base.length).toBeGreaterThan(100)
    expect(base.every((k) => k.startsWith('adm.'))).toBe(true)
    for (const locale of ['zh-CN', 'en'] as const) expect(keys(messages[locale]).sort()).toEqual(base)
  })
})
