import { describe, expect, it } from 'vitest'
import type { ChatReport } from '@/admin/api'
import { agentSeries, conversationSeries, escalationSeries, messageSeries, spreadSeries } from '@/admin/reportSeries'

const empty = { count: 0, mean: null, p50: null, p95: null, max: null }
const REPORT: ChatReport = {
  period: 'daily', date: '2026-11-18', from: '2026-11-18', to: '2026-11-18', timezone: 'Asia/Taipei', generated_at: 0,
  conversations: { started: 4, active: 5, escalated: 3, closed: 1, messages: { user: 9, assistant: 7, agent: 4 } },
  escalations: { total: 4, by_reason: { vip: 1, keyword: 2, user_request: 1 } },
  takeover_wait_seconds: { count: 3, mean: 40, p50: 30, p95: 90, max: 90 },
  service_time_seconds: empty,
  resolution_time_seconds: empty,
  sla: null,
  ai_quality: { answers: 7, avg_response_time_ms: 120, p95_response_time_ms: 300, success_rate: 0.4, escalation_rate: 0.6, avg_messages_before_escalation: 2 },
  agents: [{ agent_id: 'agent002', sessions_taken: 1, messages: 1 }, { agent_id: 'agent001', sessions_taken: 2, messages: 3 }]
}

describe('report → chart series', () => {
  it('escalation reasons: most frequent first, ties by name', () => {
    expect(escalationSeries(REPORT)).toEqual({ labels: ['keyword', 'user_request', 'vip'], values: [2, 1, 1] })
  })

  it('a time section: mean, p50, p95, max; an empty window draws zeros', () => {
    expect(spreadSeries(REPORT.takeover_wait_seconds)).toEqual({ labels: ['mean', 'p50', 'p95', 'max'], values: [40, 30, 90, 90] })
    expect(spreadSeries(REPORT.service_time_seconds).values).toEqual([0, 0, 0, 0])
  })

  it('messages per role in speaker order, a missing role as 0', () => {
    expect(messageSeries(REPORT)).toEqual({ labels: ['user', 'assistant', 'agent', 'system'], values: [9, 7, 4, 0] })
  })

  it('agents by id, the chosen metric', () => {
    expect(agentSeries(REPORT, 'sessions_taken')).toEqual({ labels: ['agent001', 'agent002'], values: [2, 1] })
    expect(agentSeries(REPORT, 'messages').values).toEqual([3, 1])
  })

  it('the conversation funnel', () => {
    expect(conversationSeries(REPORT)).toEqual({ labels: ['started', 'active', 'escalated', 'closed'], values: [4, 5, 3, 1] })
  })
})
