/** Start a renewal session (the server picks the staff member's store) and return its id. */
import { api, dataOf } from '@/api/client'

export async function startSession(): Promise<string> {
  return dataOf(await api.POST('/api/renewal-workflow/start', { body: {} })).data.session_id
}
