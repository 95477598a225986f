import { describe, expect, it } from 'vitest'
import { checkNationalId, maskId } from '@/renewal/nationalId'

describe('Taiwan national ID check digit (same rule as core/national_id.py)', () => {
  it.each([
    ['A123456789', 'ok'], // the golden customer
    ['F224680133', 'ok'],
    ['E120597367', 'ok'],
    ['Q122334456', 'ok'],
    [' a123456789 ', 'ok'], // typed in lower case with spaces: normalised first
    ['A123456788', 'checksum'],
    ['A123456780', 'checksum'],
    ['F224680134', 'checksum'],
    ['A323456789', 'format'], // second digit must be 1 or 2
    ['1234567890', 'format'],
    ['AB23456789', 'format'],
    ['A1234567890', 'format'], // eleven characters
    ['A１23456789', 'format'], // a full-width digit
    ['A12', 'incomplete'],
    ['A', 'incomplete'],
    ['A3', 'format'],
    ['', 'empty'],
    ['   ', 'empty']
  ])('%j → %s', (id, expected) => {
    expect(checkNationalId(id)).toBe(expected)
  })

  it('masks as the server does', () => {
    expect(maskId('A123456789')).toBe('A12****789')
    expect(maskId('a123456789')).toBe('A12****789')
    expect(maskId('A1234')).toBe('*****')
  })
})
