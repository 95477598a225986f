/**
 * Which form field an API refusal belongs to, so the message appears under that field and
 * not only in a banner. The API names fields three ways: 422 `fields[].field` (the schema),
 * 400 `details.field` (INVALID_PASSWORD and other rule checks), and codes that always concern
 * one field (409 USERNAME_TAKEN). Anything else is a form-level message.
 */
import { ApiError } from '@/api/errors'

export interface FormErrors {
  /** field name → the API's message for it */
  fields: Record<string, string>
  /** what belongs to no field (or to a field the form does not show) */
  form: string | null
}

const CODE_FIELDS: Record<string, string> = {
  USERNAME_TAKEN: 'username',
  INVALID_PASSWORD: 'password',
  INVALID_SHORTCUT: 'shortcut',
  SHORTCUT_CONFLICT: 'shortcut',
  INVALID_VARIABLE: 'content'
}

/** `body.username`, `username.0`, `$.username` → `username`. */
export function fieldName(raw: string | null | undefined): string | null {
  if (!raw) return null
  const parts = raw.split(/[.[\]]/).filter((p) => p && p !== 'body' && p !== '$' && !/^\d+$/.test(p))
  return parts[0] ?? null
}

/**
 * Map a refusal onto the form's `known` fields. `aliases` renames API fields to form fields
 * (`new_password` → `password`). A refusal that names no known field becomes `form`.
 */
export function formErrors(error: unknown, known: readonly string[], network: string, aliases: Record<string, string> = {}): FormErrors {
  if (!(error instanceof ApiError) || error.status === 0) return { fields: {}, form: network }
  const fields: Record<string, string> = {}
  const place = (raw: string | null, message: string): boolean => {
    const name = fieldName(raw)
    const field = name ? (aliases[name] ?? name) : null
    if (!field || !known.includes(field)) return false
    fields[field] = fields[field] ? `${fields[field]}; ${message}` : message
    return true
  }
  let placed = false
  for (const item of error.fields) placed = place(item.field, item.message) || placed
  if (!placed) {
    const detail = typeof error.details.field === 'string' ? error.details.field : null
    placed = place(detail ?? CODE_FIELDS[error.code] ?? null, error.message)
  }
  return { fields, form: placed ? null : error.message }
}
