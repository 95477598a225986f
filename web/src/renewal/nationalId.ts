/**
 * Taiwan national ID check, the same rule as core/national_id.py: a letter (area code) + 1/2 +
 * 8 digits; the area code's two digits weigh 1 and 9, the next eight digits 8..1, the check
 * digit 1, and the total is a multiple of 10. The page only hints; the server decides.
 */
const AREA_CODES: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33
}
const FORMAT = /^[A-Z][12][0-9]{8}$/

export type IdCheck = 'empty' | 'incomplete' | 'format' | 'checksum' | 'ok'

export function normaliseId(value: string): string {
  return value.trim().toUpperCase()
}

export function checkNationalId(raw: string): IdCheck {
  const id = normaliseId(raw)
  if (!id) return 'empty'
  if (id.length < 10) return /^[A-Z]([12][0-9]{0,8})?$/.test(id) ? 'incomplete' : 'format'
  if (!FORMAT.test(id)) return 'format'
  const area = AREA_CODES[id[0]!]!
  const digits = [Math.floor(area / 10), area % 10, ...id.slice(1).split('').map(Number)]
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
  const total = digits.reduce((sum, digit, i) => sum + digit * weights[i]!, 0)
  return total % 10 === 0 ? 'ok' : 'checksum'
}

/** A12****789, as the server masks it; shorter inputs are masked whole. */
export function maskId(raw: string): string {
  const id = normaliseId(raw)
  if (id.length < 7) return '*'.repeat(id.length)
  return id.slice(0, 3) + '*'.repeat(id.length - 6) + id.slice(-3)
}
