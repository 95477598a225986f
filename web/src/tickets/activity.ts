/**
 * The activity log as the page lists it: newest first, each row with who, what (the server's
 * sentence), when, and the field changes (`details.changes`: {field: {before, after}}) and the
 * note of a status change (`details.comment`). Pure.
 */

export interface ActivityRow {
  action: string
  description: string
  operator_name: string
  timestamp: number
  details?: Record<string, unknown> | null
}

export interface FieldChange {
  field: string
  before: string
  after: string
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  if (Array.isArray(value)) return value.map(text).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export function fieldChanges(details: Record<string, unknown> | null | undefined): FieldChange[] {
  const changes = details?.changes
  if (typeof changes !== 'object' || changes === null) return []
  return Object.entries(changes as Record<string, unknown>).map(([field, change]) => {
    const pair = (typeof change === 'object' && change !== null ? change : {}) as Record<string, unknown>
    return { field, before: text(pair.before), after: text(pair.after) }
  })
}

export function noteOf(details: Record<string, unknown> | null | undefined): string | null {
  const note = details?.comment
  return typeof note === 'string' && note ? note : null
}

export function newestFirst<T extends ActivityRow>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => b.timestamp - a.timestamp)
}
