/** The session a RenewalPage holds, handed to its step components without prop drilling. */
import { inject, type InjectionKey } from 'vue'
import type { RenewalSession } from './useRenewalSession'

export const SESSION: InjectionKey<RenewalSession> = Symbol('renewal-session')

export function useSession(): RenewalSession {
  const session = inject(SESSION)
  if (!session) throw new Error('renewal step rendered outside RenewalPage')
  return session
}

export function money(value: unknown): string {
  return typeof value === 'number' ? `NT$${value.toLocaleString('en-US')}` : '—'
}
