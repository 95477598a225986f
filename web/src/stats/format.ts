/**
 * Number formatting for the statistics pages, in the page's locale. Pure functions (the
 * locale is an argument) so tables, tiles, chart labels and the unit tests agree.
 */

const cache = new Map<string, Intl.NumberFormat>()

function formatter(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let found = cache.get(key)
  if (!found) {
    found = new Intl.NumberFormat(locale, options)
    cache.set(key, found)
  }
  return found
}

/** Whole counts with grouping: 12,345. */
export function formatCount(value: number, locale: string): string {
  return formatter(locale, { maximumFractionDigits: 0 }).format(value)
}

/** A 0..1 rate as a percentage with at most one decimal: 0.3333 → 33.3%. */
export function formatRate(value: number, locale: string): string {
  return formatter(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value)
}

/**
 * US dollars. AI costs per staff member are often fractions of a cent, so small amounts keep
 * four decimals (US$0.0012) instead of rounding to a misleading US$0.00.
 */
export function formatCost(value: number, locale: string): string {
  const digits = value !== 0 && Math.abs(value) < 1 ? 4 : 2
  return formatter(locale, {
    style: 'currency',
    currency: 'USD',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  }).format(value)
}

/** Large counts in short form for chart labels: 1,234,567 → 1.2M (en) / 123.5萬 (zh). */
export function formatCompact(value: number, locale: string): string {
  if (Math.abs(value) < 10_000) return formatCount(value, locale)
  return formatter(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value)
}

/** Minutes logged in as hours and minutes: 95 → "1:35". */
export function formatMinutes(value: number): string {
  const total = Math.round(value)
  const hours = Math.floor(total / 60)
  const minutes = total % 60
  return `${hours}:${String(minutes).padStart(2, '0')}`
}

/** "2026-12-03" → the locale's short month/day ("12/3"), read as a calendar day (no zone shift). */
export function formatDay(iso: string, locale: string): string {
  const [year, month, day] = iso.split('-').map(Number)
  if (!year || !month || !day) return iso
  const date = new Date(Date.UTC(year, month - 1, day))
  return new Intl.DateTimeFormat(locale, { month: 'numeric', day: 'numeric', timeZone: 'UTC' }).format(date)
}

/** A unix timestamp (seconds) as local date and time, or an em dash when never. */
export function formatTimestamp(seconds: number | null, locale: string): string {
  if (seconds === null) return '—'
  return new Intl.DateTimeFormat(locale, {
    month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Taipei'
  }).format(new Date(seconds * 1000))
}
