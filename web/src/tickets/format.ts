/** Times on the ticket pages: epoch seconds shown in Taipei time, in the page's locale. */

const cache = new Map<string, Intl.DateTimeFormat>()

function formatter(locale: string, withYear: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withYear}`
  let found = cache.get(key)
  if (!found) {
    found = new Intl.DateTimeFormat(locale, {
      ...(withYear ? { year: 'numeric' } : {}),
      month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Taipei'
    })
    cache.set(key, found)
  }
  return found
}

/** A short time for tables ("12/3 14:05"); with the year on the detail page. */
export function formatTime(seconds: number | null | undefined, locale: string, withYear = false): string {
  if (seconds === null || seconds === undefined) return '—'
  return formatter(locale, withYear).format(new Date(seconds * 1000))
}

/** A duration as the largest two units: 1 d 3 h, 2 h 5 min, 4 min. */
export function durationParts(seconds: number): { d: number; h: number; m: number } {
  const total = Math.max(0, Math.floor(Math.abs(seconds) / 60))
  return { d: Math.floor(total / 1440), h: Math.floor((total % 1440) / 60), m: total % 60 }
}
