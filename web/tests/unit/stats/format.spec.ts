import { describe, expect, it } from 'vitest'
import { formatCompact, formatCost, formatCount, formatDay, formatMinutes, formatRate, formatTimestamp } from '@/stats/format'

describe('number formatting', () => {
  it.each([
    [formatCount, 12345, 'en', '12,345'],
    [formatCount, 12345, 'zh-TW', '12,345'],
    [formatCount, 2.6, 'en', '3'],
    [formatRate, 0.3333, 'en', '33.3%'],
    [formatRate, 1, 'zh-TW', '100%'],
    [formatRate, 0, 'en', '0%'],
    [formatCost, 12.5, 'en', '$12.50'],
    [formatCost, 0.00123, 'en', '$0.0012'],
    [formatCost, 0, 'en', '$0.00'],
    [formatCompact, 9999, 'en', '9,999'],
    [formatCompact, 1_234_567, 'en', '1.2M'],
    [formatCompact, 1_234_567, 'zh-TW', '123.5萬']
  ] as const)('%o(%s, %s) → %s', (format, value, locale, expected) => {
    expect(format(value, locale)).toBe(expected)
  })

  it('writes logged-in minutes as hours:minutes', () => {
    expect([0, 5, 59.6, 95, 600].map(formatMinutes)).toEqual(['0:00', '0:05', '1:00', '1:35', '10:00'])
  })

  it('reads a day as a calendar day in every time zone, and says never for no login', () => {
    expect(formatDay('2026-12-03', 'en')).toBe('12/3')
    expect(formatDay('2026-12-03', 'zh-TW')).toBe('12/3')
    expect(formatDay('garbage', 'en')).toBe('garbage')
    expect(formatTimestamp(null, 'en')).toBe('—')
    // 2026-12-03T00:30:00Z is 08:30 in Taipei
    expect(formatTimestamp(Date.UTC(2026, 11, 3, 0, 30) / 1000, 'en')).toContain('08:30')
  })
})
