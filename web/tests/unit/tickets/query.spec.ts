import { describe, expect, it } from 'vitest'
import { emptyFilters, fromRoute, nextSort, taipeiMidnight, toParams, toRoute } from '@/tickets/query'

describe('list filters ↔ URL ↔ API query', () => {
  it.each([
    ['2026-12-03', 0, '2026-12-03T00:00:00+08:00'],
    ['2026-12-31', 1, '2027-01-01T00:00:00+08:00'],
    ['2028-02-28', 1, '2028-02-29T00:00:00+08:00']
  ])('Taipei midnight of %s (+%i days)', (day, plus, expected) => {
    expect(taipeiMidnight(day, plus)).toBe(expected)
  })

  it('the "to" day is inclusive: the API gets the next midnight (exclusive)', () => {
    const params = toParams({ ...emptyFilters(), from: '2026-12-01', to: '2026-12-03' })
    expect(params).toMatchObject({ created_from: '2026-12-01T00:00:00+08:00', created_to: '2026-12-04T00:00:00+08:00' })
  })

  it('only set filters are sent; a malformed username is not', () => {
    expect(toParams({ ...emptyFilters(), sla: 'breached', keyword: '  TK-2026 ', assignee: 'a b' })).toEqual({
      sla_status: 'breached', keyword: 'TK-2026', sort: '-created_at', page: 1, page_size: 20
    })
  })

  it.each([
    [{ status: 'in_progress', sla: 'breached', page: '3', sort: 'priority' }, { status: 'in_progress', sla: 'breached', page: 3, sort: 'priority' }],
    [{ status: 'bogus', sla: 'late', page: '-1', sort: 'drop table', from: '12/03/2026' }, { status: '', sla: '', page: 1, sort: '-created_at', from: '' }]
  ])('reads the URL, ignoring what it does not know: %o', (query, expected) => {
    expect(fromRoute(query)).toMatchObject(expected)
  })

  it('round-trips through the URL, leaving defaults out', () => {
    const filters = { ...emptyFilters(), status: 'resolved' as const, keyword: '帳單', page: 2 }
    expect(toRoute(filters)).toEqual({ status: 'resolved', keyword: '帳單', page: '2' })
    expect(fromRoute(toRoute(filters) as Record<string, string>)).toEqual(filters)
    expect(toRoute(emptyFilters())).toEqual({})
  })

  it.each([
    ['-created_at', 'priority', 'priority'],
    ['priority', 'priority', '-priority'],
    ['-priority', 'priority', 'priority'],
    ['priority', 'updated_at', '-updated_at']
  ] as const)('sorting from %s by %s → %s', (current, field, expected) => {
    expect(nextSort(current, field)).toBe(expected)
  })
})
