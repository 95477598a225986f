import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, authorizedFetch, onSessionEnded } from '@/api/client'
import { ApiError } from '@/api/errors'
import { loadTokens, saveTokens } from '@/auth/tokens'

type Handler = (request: Request) => Response | Promise<Response>

function envelope(status: number, code: string, error = code): Response {
  return new Response(JSON.stringify({ success: false, error, code }), {
    status,
    headers: { 'Content-Type': 'application/json' }
  })
}

function ok(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

describe('the API client', () => {
  let seen: Request[]
  let handler: Handler
  beforeEach(() => {
    seen = []
    saveTokens({ access: 'old-access', refresh: 'the-refresh' })
    vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
      const request = typeof input === 'string' ? new Request(new URL(input, 'http://console.test'), init) : input
      seen.push(request.clone())
      return handler(request)
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    saveTokens(null)
  })

  it('sends the bearer token and refreshes an expired one once, then repeats the call', async () => {
    handler = (request) => {
      if (request.url.endsWith('/api/auth/refresh')) return ok({ data: { access_token: 'new-access' } })
      return request.headers.get('Authorization') === 'Bearer new-access' ? ok({ ok: true }) : envelope(401, 'TOKEN_EXPIRED')
    }
    const response = await authorizedFetch('http://console.test/api/auth/me')
    expect(response.status).toBe(200)
    expect(seen.map((r) => [new URL(r.url).pathname, r.headers.get('Authorization')])).toEqual([
      ['/api/auth/me', 'Bearer old-access'],
      ['/api/auth/refresh', null],
      ['/api/auth/me', 'Bearer new-access']
    ])
    expect(loadTokens()).toEqual({ access: 'new-access', refresh: 'the-refresh' })
  })

  it('ends the session on a revoked token without trying to refresh', async () => {
    handler = () => envelope(401, 'TOKEN_REVOKED')
    const ended: string[] = []
    const stop = onSessionEnded((reason) => ended.push(reason))
    const response = await authorizedFetch('http://console.test/api/auth/me')
    stop()
    expect(response.status).toBe(401)
    expect(ended).toEqual(['TOKEN_REVOKED'])
    expect(loadTokens()).toBeNull()
    expect(seen).toHaveLength(1)
  })

  it('turns a refusal into an ApiError with the envelope and Retry-After', async () => {
    handler = () =>
      new Response(JSON.stringify({ success: false, error: '帳號已鎖定', code: 'ACCOUNT_LOCKED' }), {
        status: 423,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '900' }
      })
    const call = api.POST('/api/auth/login', { body: { employee_code: 'E1001', password: 'x' } })
    await expect(call).rejects.toBeInstanceOf(ApiError)
    await expect(api.POST('/api/auth/login', { body: { employee_code: 'E1001', password: 'x' } })).rejects.toMatchObject({
      status: 423,
      code: 'ACCOUNT_LOCKED',
      message: '帳號已鎖定',
      retryAfter: 900
    })
  })
})
