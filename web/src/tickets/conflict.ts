/**
 * Editing a ticket under optimistic locking (docs/tickets.md): the agent edits what they read
 * (`base`, with its `version`); saving sends only the fields they changed. When someone else
 * saved first the API answers 409 VERSION_CONFLICT; the page reads the ticket again (`theirs`)
 * and shows, per field, the agent's value and the one now stored, so they can re-apply: the
 * form keeps the agent's own edits on top of the fresh ticket, and the next save carries the
 * fresh version. Pure functions.
 */

export const EDITABLE = ['title', 'priority', 'description', 'tags'] as const
export type EditableField = (typeof EDITABLE)[number]

export interface Editable {
  title: string
  priority: string
  description: string
  tags: string[]
}

export interface Change {
  field: EditableField
  /** what the agent had in the form (their edit, or what they read) */
  yours: string
  /** what is stored now */
  theirs: string
  /** the agent edited this field and someone else changed it too */
  clash: boolean
}

function shown(value: string | string[]): string {
  return Array.isArray(value) ? value.join(', ') : value
}

function same(a: string | string[], b: string | string[]): boolean {
  return shown(a) === shown(b)
}

export function pickEditable(ticket: Editable): Editable {
  return { title: ticket.title, priority: ticket.priority, description: ticket.description, tags: [...ticket.tags] }
}

/** The fields the agent changed, as the PATCH body's fields. */
export function edits(base: Editable, form: Editable): Partial<Editable> {
  const out: Partial<Editable> = {}
  for (const field of EDITABLE) {
    if (!same(base[field], form[field])) Object.assign(out, { [field]: field === 'tags' ? [...form.tags] : form[field] })
  }
  return out
}

/**
 * What someone else changed since the agent read the ticket, as seen from the form: one row per
 * field whose stored value moved, with the agent's value beside it (`clash` when the agent had
 * edited that field too). A field both set to the same value is no conflict and not listed.
 */
export function conflictChanges(base: Editable, form: Editable, theirs: Editable): Change[] {
  const mine = edits(base, form)
  return EDITABLE.filter((field) => !same(base[field], theirs[field]) && !same(form[field], theirs[field])).map((field) => ({
    field,
    yours: shown(form[field]),
    theirs: shown(theirs[field]),
    clash: field in mine
  }))
}

/** The form after a reload: the agent's own edits kept on top of the fresh ticket. */
export function rebase(base: Editable, form: Editable, fresh: Editable): Editable {
  const mine = edits(base, form)
  return { ...pickEditable(fresh), ...mine, tags: mine.tags ? [...mine.tags] : [...fresh.tags] }
}
