/** The seed's error envelope, as every API route answers it. */
export interface ErrorEnvelope {
  success: false
  error: string
  code: string
  details?: Record<string, unknown> | null
  fields?: { field: string | null; message: string }[]
}

/** A refused request: the server's message and code, never a stack or raw body. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>
  readonly fields: { field: string | null; message: string }[]
  readonly retryAfter: number | null

  constructor(status: number, body: Partial<ErrorEnvelope> | null, retryAfter: number | null = null) {
    super(body?.error ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = body?.code ?? (status === 0 ? 'NETWORK_ERROR' : 'ERROR')
    this.details = body?.details ?? {}
    this.fields = body?.fields ?? []
    this.retryAfter = retryAfter
  }
}

export function isEnvelope(value: unknown): value is ErrorEnvelope {
  return typeof value === 'object' && value !== null && 'code' in value && 'error' in value
}
