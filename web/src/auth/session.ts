/** The logged-in staff member: login, logout, who they are and what they may open. */
import { computed, ref } from 'vue'
import { api, dataOf, endSession } from '@/api/client'
import type { components } from '@/api/schema'
import { loadTokens, saveTokens } from './tokens'

export type User = components['schemas']['UserOut']
export type Role = 'sales' | 'manager' | 'admin' | 'agent'

export const user = ref<User | null>(null)
export const isManager = computed(() => user.value?.role === 'manager' || user.value?.role === 'admin')

export async function login(employeeCode: string, password: string): Promise<User> {
  const result = dataOf(await api.POST('/api/auth/login', { body: { employee_code: employeeCode, password } }))
  saveTokens({ access: result.data.access_token, refresh: result.data.refresh_token })
  user.value = result.data.user
  return result.data.user
}

/** Who the stored token belongs to (after a reload); null when there is no live session. */
export async function restore(): Promise<User | null> {
  if (user.value) return user.value
  if (!loadTokens()) return null
  try {
    user.value = dataOf(await api.GET('/api/auth/me')).data
    return user.value
  } catch {
    return null
  }
}

export async function logout(): Promise<void> {
  try {
    await api.POST('/api/auth/logout')
  } catch {
    // the server may already consider the session over; the local one ends anyway
  }
  user.value = null
  endSession('LOGOUT')
}
