/**
 * Where the console keeps its tokens: localStorage, as seed 003's front-end example does, so a
 * reload or a second tab stays logged in. The CSP forbids inline and foreign scripts and every
 * typed text is rendered as text, which is what keeps a script from reading them; logout
 * revokes both tokens on the server (denylist), not only here.
 */
export interface StoredTokens {
  access: string
  refresh: string
}

const KEY = 'switchboard.staff.tokens'

export function loadTokens(): StoredTokens | null {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return null
    const parsed = JSON.parse(raw) as Partial<StoredTokens>
    return parsed.access && parsed.refresh ? { access: parsed.access, refresh: parsed.refresh } : null
  } catch {
    return null
  }
}

export function saveTokens(tokens: StoredTokens | null): void {
  if (tokens) localStorage.setItem(KEY, JSON.stringify(tokens))
  else localStorage.removeItem(KEY)
}
