import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/errors'
import { fieldName, formErrors } from '@/admin/fieldErrors'

const KNOWN = ['username', 'password', 'name', 'email', 'role', 'max_sessions'] as const
const refusal = (status: number, code: string, error: string, extra: object = {}) => new ApiError(status, { error, code, ...extra })

describe('API refusals mapped onto form fields', () => {
  it.each([
    ['username', 'username'],
    ['body.username', 'username'],
    ['$.email', 'email'],
    ['hours.mon.0', 'hours'],
    ['', null],
    [null, null]
  ])('fieldName(%j) = %j', (raw, expected) => {
    expect(fieldName(raw)).toBe(expected)
  })

  it.each([
    {
      name: '422 fields[] land under each named field',
      error: refusal(422, 'VALIDATION_ERROR', 'invalid request', {
        fields: [{ field: 'username', message: 'bad pattern' }, { field: 'max_sessions', message: '≤ 100' }]
      }),
      fields: { username: 'bad pattern', max_sessions: '≤ 100' },
      form: null
    },
    {
      name: 'two messages for one field are both kept',
      error: refusal(422, 'VALIDATION_ERROR', 'x', { fields: [{ field: 'email', message: 'a' }, { field: 'email', message: 'b' }] }),
      fields: { email: 'a; b' },
      form: null
    },
    {
      name: '400 INVALID_PASSWORD names its field in details',
      error: refusal(400, 'INVALID_PASSWORD', 'password: 密碼需至少 8 個字元', { details: { field: 'password' } }),
      fields: { password: 'password: 密碼需至少 8 個字元' },
      form: null
    },
    {
      name: '409 USERNAME_TAKEN belongs to the login name',
      error: refusal(409, 'USERNAME_TAKEN', 'agent701 is taken'),
      fields: { username: 'agent701 is taken' },
      form: null
    },
    {
      name: '409 LAST_ADMIN belongs to no field',
      error: refusal(409, 'LAST_ADMIN', 'the last active admin cannot be removed'),
      fields: {},
      form: 'the last active admin cannot be removed'
    },
    {
      name: 'a field the form does not show becomes a form message',
      error: refusal(422, 'VALIDATION_ERROR', 'invalid request: store_id: extra', { fields: [{ field: 'store_id', message: 'extra' }] }),
      fields: {},
      form: 'invalid request: store_id: extra'
    }
  ])('$name', ({ error, fields, form }) => {
    expect(formErrors(error, KNOWN, 'offline')).toEqual({ fields, form })
  })

  it('renames an API field to the form field (reset-password: new_password → password)', () => {
    const error = refusal(400, 'INVALID_PASSWORD', 'too short', { details: { field: 'new_password' } })
    expect(formErrors(error, ['password'], 'offline', { new_password: 'password' })).toEqual({ fields: { password: 'too short' }, form: null })
  })

  it('a network failure or a non-API error says the network notice', () => {
    expect(formErrors(new ApiError(0, null), KNOWN, 'offline')).toEqual({ fields: {}, form: 'offline' })
    expect(formErrors(new TypeError('fetch failed'), KNOWN, 'offline')).toEqual({ fields: {}, form: 'offline' })
  })
})
