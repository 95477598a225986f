/**
 * Loading the statistics routes: typed calls through `api` (the answers' types are generated
 * from the server's schema), errors as the API words them. CSV export downloads through the same client (bearer token) as a Blob.
 */
import { ref, type Ref } from 'vue'
import { api, dataOf } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { Dashboard, ExportQuery, Period, Rankings, StaffList } from './types'

export async function myDashboard(): Promise<Dashboard> {
  return dataOf(await api.GET('/api/statistics/my-dashboard')).data
}

export async function storeRankings(period: Period): Promise<Rankings> {
  const result = await api.GET('/api/statistics/store-rankings', { params: { query: { period } } })
  return dataOf(result).data
}

export async function staffList(period: Period, storeId?: string): Promise<StaffList> {
  const query = storeId ? { period, store_id: storeId } : { period }
  const result = await api.GET('/api/statistics/staff-list', { params: { query } })
  return dataOf(result).data
}

/** The file name of a `Content-Disposition: attachment; filename="..."` header. */
export function fileNameOf(header: string | null, fallback: string): string {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header ?? '')
  return match?.[1] ? decodeURIComponent(match[1]) : fallback
}

/**
 * Download a report's CSV. A plain link cannot carry the Authorization header, so the file is
 * fetched, turned into a Blob and saved through a temporary `blob:` link (a same-document
 * download; the CSP's default-src does not govern it). Answers the saved file's name.
 */
export async function downloadReport(query: ExportQuery): Promise<string> {
  const result = await api.GET('/api/statistics/export', { params: { query }, parseAs: 'blob' })
  const blob = dataOf(result) as Blob
  const name = fileNameOf(result.response.headers.get('Content-Disposition'), `${query.report ?? 'report'}.csv`)
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}

/** A message a person can read for any failure: the API's words, else a network notice. */
export function messageOf(error: unknown, network: string): string {
  if (error instanceof ApiError && error.status > 0) return error.message
  return network
}

/** `data`, `error` and `loading` for one loader; `run` reloads (the last call wins). */
export function useLoad<T>(loader: () => Promise<T>, network: () => string) {
  const data = ref<T | null>(null) as Ref<T | null>
  const error = ref<string | null>(null)
  const loading = ref(false)
  let generation = 0
  async function run(): Promise<void> {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const value = await loader()
      if (mine === generation) data.value = value
    } catch (caught) {
      if (mine === generation) error.value = messageOf(caught, network())
    } finally {
      if (mine === generation) loading.value = false
    }
  }
  return { data, error, loading, run }
}
