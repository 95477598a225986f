import { describe, expect, it } from 'vitest'
import { pickLocale, translator } from '@/widget/messages'
import { readOptions } from '@/widget/options'

describe('language from the browser', () => {
  it.each([
    [['zh-TW'], 'zh-TW'],
    [['zh-HK'], 'zh-TW'],
    [['zh-Hant-TW'], 'zh-TW'],
    [['zh'], 'zh-TW'],
    [['zh-CN'], 'zh-CN'],
    [['zh-SG'], 'zh-CN'],
    [['zh-Hans-HK'], 'zh-CN'],
    [['zh_cn'], 'zh-CN'],
    [['en-US'], 'en'],
    [['ja-JP'], 'en'],
    [[], 'zh-TW']
  ])('%j → %s', (languages, expected) => {
    expect(pickLocale(...languages)).toBe(expected)
  })

  it("the embed's data-lang wins over the browser's language", () => {
    expect(readOptions('?lang=en', ['zh-TW']).locale).toBe('en')
    expect(readOptions('', ['zh-CN', 'en']).locale).toBe('zh-CN')
  })

  it('each language has its own text, names filled in as given', () => {
    expect(translator('zh-TW')('askHuman')).toBe('轉接真人客服')
    expect(translator('zh-CN')('askHuman')).toBe('转人工客服')
    expect(translator('en')('connected', { name: '客服小狐' })).toBe('客服小狐 has joined the chat')
  })

  it('refuses a colour that is not a hex colour and cuts a long greeting', () => {
    expect(readOptions('?color=%23ff0000', []).color).toBe('#ff0000')
    expect(readOptions('?color=red;background:url(x)', []).color).toBeNull()
    expect(readOptions(`?greeting=${'很'.repeat(300)}`, []).greeting).toHaveLength(200)
  })

  it('passes the tenant\'s site key on, and none when the embed gave none', () => {
    expect(readOptions('?site_key=sk_demo', []).siteKey).toBe('sk_demo')
    expect(readOptions('', []).siteKey).toBeNull()
  })
})
