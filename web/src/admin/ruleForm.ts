/**
 * The auto-reply rule form as pure functions: what each type's condition holds, the bounds
 * the API enforces (docs/agent_tools.md "Validation"), checked before sending so a slip is
 * explained at once, and the body sent. The API stays the judge: its refusals are shown too.
 */
import { RULE_TYPES, type Rule, type RuleCreate, type RuleType } from './api'

export const DELAY_MIN = 0
export const DELAY_MAX = 60
export const CONTENT_MAX = 1000
export const KEYWORDS_MAX = 50
export const KEYWORD_LENGTH_MAX = 50
export const WAIT_MIN = 5
export const WAIT_MAX = 3600
export const RULES_PER_TYPE = 20

export interface RuleDraft {
  type: RuleType
  reply_content: string
  delay_seconds: number
  enabled: boolean
  /** keyword: one per line or comma-separated */
  keywords: string
  /** welcome */
  event: 'first_message' | 'conversation_start'
  /** queue: "" = no minimum */
  min_position: string
  /** timeout: "" = the default (60 s) */
  wait_seconds: string
}

/** Message keys (`adm.rules.err.*`) with their parameters, in the form's field order. */
export type RuleProblem = { field: keyof RuleDraft; key: string; params?: Record<string, number> }

export function emptyDraft(type: RuleType = 'keyword'): RuleDraft {
  return { type, reply_content: '', delay_seconds: 0, enabled: true, keywords: '', event: 'first_message', min_position: '', wait_seconds: '' }
}

export function splitKeywords(text: string): string[] {
  return text.split(/[\n,，、]/).map((k) => k.trim()).filter(Boolean)
}

function integer(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null
}

export function checkRule(draft: RuleDraft): RuleProblem[] {
  const problems: RuleProblem[] = []
  const content = draft.reply_content.trim()
  if (!content || content.length > CONTENT_MAX) problems.push({ field: 'reply_content', key: 'content', params: { max: CONTENT_MAX } })
  const delay = draft.delay_seconds
  if (!Number.isInteger(delay) || delay < DELAY_MIN || delay > DELAY_MAX) {
    problems.push({ field: 'delay_seconds', key: 'delay', params: { min: DELAY_MIN, max: DELAY_MAX } })
  }
  if (draft.type === 'keyword') {
    const words = splitKeywords(draft.keywords)
    if (!words.length || words.length > KEYWORDS_MAX) problems.push({ field: 'keywords', key: 'keywords', params: { max: KEYWORDS_MAX } })
    else if (words.some((w) => w.length > KEYWORD_LENGTH_MAX)) problems.push({ field: 'keywords', key: 'keywordLength', params: { max: KEYWORD_LENGTH_MAX } })
  }
  if (draft.type === 'queue' && draft.min_position.trim() && !(integer(draft.min_position) !== null && integer(draft.min_position)! >= 1)) {
    problems.push({ field: 'min_position', key: 'minPosition' })
  }
  if (draft.type === 'timeout' && draft.wait_seconds.trim()) {
    const wait = integer(draft.wait_seconds)
    if (wait === null || wait < WAIT_MIN || wait > WAIT_MAX) problems.push({ field: 'wait_seconds', key: 'wait', params: { min: WAIT_MIN, max: WAIT_MAX } })
  }
  return problems
}

/** The condition object of the draft's type: only that type's own keys (others are refused). */
export function conditionOf(draft: RuleDraft): Record<string, unknown> {
  switch (draft.type) {
    case 'keyword':
      return { keywords: splitKeywords(draft.keywords) }
    case 'welcome':
      return { event: draft.event }
    case 'queue':
      return draft.min_position.trim() ? { min_position: Number(draft.min_position) } : {}
    case 'timeout':
      return draft.wait_seconds.trim() ? { wait_seconds: Number(draft.wait_seconds) } : {}
    default:
      return {}
  }
}

export function bodyOf(draft: RuleDraft): RuleCreate {
  return {
    type: draft.type,
    reply_content: draft.reply_content.trim(),
    delay_seconds: draft.delay_seconds,
    enabled: draft.enabled,
    trigger_condition: conditionOf(draft)
  }
}

/** A stored rule back into the form, for editing. */
export function draftOf(rule: Rule): RuleDraft {
  const c = rule.trigger_condition
  const type = (RULE_TYPES as readonly string[]).includes(rule.type) ? (rule.type as RuleType) : 'keyword'
  return {
    type,
    reply_content: rule.reply_content,
    delay_seconds: rule.delay_seconds,
    enabled: rule.enabled,
    keywords: Array.isArray(c.keywords) ? c.keywords.map(String).join('\n') : '',
    event: c.event === 'conversation_start' ? 'conversation_start' : 'first_message',
    min_position: typeof c.min_position === 'number' ? String(c.min_position) : '',
    wait_seconds: typeof c.wait_seconds === 'number' ? String(c.wait_seconds) : ''
  }
}

/** Rules grouped by the six types, in the page's order, each group oldest first (the one that wins). */
export function groupRules(rules: Rule[]): { type: RuleType; rules: Rule[]; full: boolean }[] {
  return RULE_TYPES.map((type) => {
    const own = rules.filter((r) => r.type === type).sort((a, b) => a.created_at - b.created_at)
    return { type, rules: own, full: own.length >= RULES_PER_TYPE }
  })
}
