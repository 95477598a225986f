/**
 * The one typed API client. Paths, bodies and answers come from `schema.d.ts`, generated from
 * the server's OpenAPI document at build time (`api/web/build.py`), so a renamed field fails
 * `vue-tsc`, not a page. Every call carries the bearer token; an expired access token is
 * refreshed once and the call repeated; a refused refresh ends the session (back to login,
 * then back to the page the staff member was on).
 */
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError, isEnvelope } from './errors'
import { loadTokens, saveTokens } from '@/auth/tokens'

export type { paths }

type SessionEndedListener = (reason: string) => void
const listeners = new Set<SessionEndedListener>()

/** Called when the server refuses the session (expired refresh, revoked, deleted account). */
export function onSessionEnded(listener: SessionEndedListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

const SESSION_CODES = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN', 'TOKEN_REVOKED', 'UNAUTHORIZED'])
let refreshing: Promise<string | null> | null = null

/** A fresh access token from the refresh token, or null when the session is over. */
export async function refreshAccess(): Promise<string | null> {
  const tokens = loadTokens()
  if (!tokens) return null
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refresh })
      })
      if (!response.ok) return null
      const body = (await response.json()) as { data: { access_token: string } }
      saveTokens({ access: body.data.access_token, refresh: tokens.refresh })
      return body.data.access_token
    } catch {
      return null
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

export function endSession(reason: string): void {
  saveTokens(null)
  for (const listener of listeners) listener(reason)
}

/** fetch with the bearer token, one refresh-and-retry on an expired token. */
export async function authorizedFetch(input: Request | string, init?: RequestInit): Promise<Response> {
  const request = typeof input === 'string' ? new Request(input, init) : input
  const retry = request.clone()
  const token = loadTokens()?.access
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  const response = await fetch(request)
  if (response.status !== 401 || !token) return response
  const body = (await response.clone().json().catch(() => null)) as unknown
  const code = isEnvelope(body) ? body.code : ''
  if (!SESSION_CODES.has(code)) return response
  const fresh = code === 'TOKEN_EXPIRED' ? await refreshAccess() : null
  if (!fresh) {
    endSession(code)
    return response
  }
  retry.headers.set('Authorization', `Bearer ${fresh}`)
  return fetch(retry)
}

const throwOnError: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined
    const body = (await response.clone().json().catch(() => null)) as unknown
    const retryAfter = Number(response.headers.get('Retry-After')) || null
    throw new ApiError(response.status, isEnvelope(body) ? body : null, retryAfter)
  }
}

export const api = createClient<paths>({ baseUrl: '', fetch: authorizedFetch })
api.use(throwOnError)

/** The `data` of a successful envelope (openapi-fetch has already thrown for errors). */
export function dataOf<T>(result: { data?: T }): T {
  if (result.data === undefined) throw new ApiError(0, { error: 'empty answer', code: 'EMPTY' })
  return result.data
}
