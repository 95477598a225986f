import { describe, expect, it } from 'vitest'
import { clock, slaBadge, ticketClocks } from '@/tickets/sla'

describe('SLA badge: the server verdict as colour and words', () => {
  it.each([
    ['within', 'success', 'within'],
    ['warning', 'warning', 'warning'],
    ['breached', 'error', 'breached'],
    ['paused', 'neutral', 'unknown'] // a word a newer server might send: shown as itself, neutral
  ])('%s → %s', (status, color, key) => {
    const badge = slaBadge(status)
    expect(badge.color).toBe(color)
    expect(badge.key).toBe(key)
    expect(badge.icon).toMatch(/^i-lucide-/)
  })
})

// technical/urgent: response 15 min (at risk from 11:15), created at t=1000
const START = 1000
const DUE = START + 15 * 60

describe('one deadline', () => {
  it.each([
    ['fresh', null, START + 60, 'running', 'success'],
    ['just before 75 %', null, START + 674, 'running', 'success'],
    ['at 75 %', null, START + 675, 'at_risk', 'warning'],
    ['at the deadline', null, DUE, 'at_risk', 'warning'],
    ['a second late', null, DUE + 1, 'overdue', 'error'],
    ['answered in time, read later', START + 300, DUE + 9999, 'met', 'success'],
    ['answered on the deadline', DUE, DUE + 1, 'met', 'success'],
    ['answered late', DUE + 1, DUE + 2, 'late', 'error']
  ])('%s', (_name, stopped, now, state, color) => {
    const result = clock(START, DUE, stopped, now)
    expect(result.state).toBe(state)
    expect(result.color).toBe(color)
    expect(result.remaining).toBe(stopped === null ? DUE - now : null)
  })
})

describe('a ticket’s two clocks', () => {
  const base = { created_at: START, sla_response_deadline: DUE, sla_deadline: START + 8 * 3600, first_response_at: null, resolved_at: null, closed_at: null }

  it('a resolution answers the customer too', () => {
    const both = ticketClocks({ ...base, resolved_at: START + 600 }, START + 99999)
    expect([both.response.state, both.resolution.state]).toEqual(['met', 'met'])
  })

  it('closing an unworked ticket stops both clocks at the close', () => {
    const both = ticketClocks({ ...base, closed_at: DUE + 60 }, START + 99999)
    expect([both.response.state, both.resolution.state]).toEqual(['late', 'met'])
  })

  it('answered in time but not resolved: only the resolution clock runs', () => {
    const both = ticketClocks({ ...base, first_response_at: START + 60 }, START + 7 * 3600)
    expect([both.response.state, both.resolution.state]).toEqual(['met', 'at_risk'])
    expect(both.resolution.remaining).toBe(3600)
  })
})
