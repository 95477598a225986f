/**
 * One renewal session as a page holds it. The server's view is the truth: every answer
 * replaces it with the view the server returns; a `409 WRONG_STEP` (another tab or device
 * answered first) reloads it instead of showing an error; `410 SESSION_EXPIRED` offers a new
 * session; every other refusal is shown as the API words it.
 */
import { ref } from 'vue'
import { api, dataOf } from '@/api/client'
import { ApiError } from '@/api/errors'
import { openStream, type StreamEvent } from '@/api/sse'
import type { SessionView } from './types'

export type StepPath =
  | '/api/renewal-workflow/step/query-customer'
  | '/api/renewal-workflow/step/select-phone'
  | '/api/renewal-workflow/step/select-device-type'
  | '/api/renewal-workflow/step/select-device-os'
  | '/api/renewal-workflow/step/select-device'
  | '/api/renewal-workflow/step/select-plan'
  | '/api/renewal-workflow/step/confirm'
  | '/api/renewal-workflow/step/back'
  | '/api/renewal-workflow/submit'
  | '/api/renewal-workflow/abandon'

export type StreamPath = '/api/renewal-workflow/step/list-plans' | '/api/renewal-workflow/step/compare'

export interface Refusal {
  code: string
  message: string
  retryAfter: number | null
}

export function useRenewalSession(sessionId: () => string) {
  const view = ref<SessionView | null>(null)
  const busy = ref(false)
  const refusal = ref<Refusal | null>(null)
  const expired = ref(false)
  const resynced = ref(false)
  const missing = ref(false)

  async function load(): Promise<void> {
    try {
      const result = dataOf(await api.GET('/api/renewal-workflow/session/{session_id}', {
        params: { path: { session_id: sessionId() } }
      }))
      view.value = result.data
    } catch (error) {
      await refuse(error, false)
    }
  }

  /** What a refused call means for the page; WRONG_STEP re-syncs instead of complaining. */
  async function refuse(error: unknown, mayResync = true): Promise<void> {
    if (!(error instanceof ApiError)) {
      refusal.value = { code: 'NETWORK_ERROR', message: String(error), retryAfter: null }
      return
    }
    if (error.code === 'WRONG_STEP' && mayResync) {
      resynced.value = true
      await load()
      return
    }
    if (error.code === 'SESSION_EXPIRED') expired.value = true
    if (error.status === 404) missing.value = true
    refusal.value = { code: error.code, message: error.message, retryAfter: error.retryAfter }
  }

  function clear(): void {
    refusal.value = null
    resynced.value = false
  }

  async function answer(path: StepPath, body: Record<string, unknown> = {}): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    clear()
    try {
      const result = dataOf(await api.POST(path, { body: { session_id: sessionId(), ...body } as never }))
      view.value = (result as { data: SessionView }).data
      return true
    } catch (error) {
      await refuse(error)
      return false
    } finally {
      busy.value = false
    }
  }

  /** A streaming step: events go to `onEvent`; `complete` carries the new view. */
  async function stream(path: StreamPath, body: Record<string, unknown>, onEvent: (event: StreamEvent) => void): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    clear()
    let completed = false
    try {
      await openStream(path, {
        method: 'POST',
        body: { session_id: sessionId(), ...body },
        onEvent: (event) => {
          onEvent(event)
          if (event.event === 'complete') {
            completed = true
            view.value = (event.data as { data: SessionView }).data
          } else if (event.event === 'error') {
            const data = event.data as { error?: string; code?: string }
            refusal.value = { code: data.code ?? 'ERROR', message: data.error ?? '', retryAfter: null }
          }
        }
      })
    } catch (error) {
      await refuse(error)
    } finally {
      busy.value = false
    }
    if (!completed && !expired.value) await load()
    return completed
  }

  return { view, busy, refusal, expired, resynced, missing, load, answer, stream, clear }
}

export type RenewalSession = ReturnType<typeof useRenewalSession>
