import Database from 'better-sqlite3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../core.js'
import { storeFaultCode } from './store-fault.js'

describe('storeFaultCode', () => {
  it('names the faults of a full, failing or read-only store, from SQLite and the file system', () => {
    const sqlite = (code: string) => new Database.SqliteError('failed', code)
    const system = (code: string) => Object.assign(new Error('failed'), { code, syscall: 'write' })
    expect(storeFaultCode(sqlite('SQLITE_FULL'))).toBe('SQLITE_FULL')
    expect(storeFaultCode(sqlite('SQLITE_IOERR_FSYNC'))).toBe('SQLITE_IOERR_FSYNC')
    expect(storeFaultCode(sqlite('SQLITE_READONLY_DBMOVED'))).toBe('SQLITE_READONLY_DBMOVED')
    expect(storeFaultCode(system('ENOSPC'))).toBe('ENOSPC')
    expect(storeFaultCode(system('EROFS'))).toBe('EROFS')
  })

  it('leaves out what is not the store: constraints, bugs and typed refusals', () => {
    const sqlite = (code: string) => new Database.SqliteError('failed', code)
    expect(storeFaultCode(sqlite('SQLITE_CONSTRAINT_UNIQUE'))).toBeUndefined()
    expect(storeFaultCode(sqlite('SQLITE_FULLNESS'))).toBeUndefined()
    expect(storeFaultCode(new TypeError('x is undefined'))).toBeUndefined()
    expect(storeFaultCode(new BaridError('ERR_LETTER_MALFORMED', 'x'))).toBeUndefined()
  })

  it('answers a code or nothing for any thrown value, never throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const code = storeFaultCode(v)
        expect(code === undefined || typeof code === 'string').toBe(true)
      }),
    )
  })
})
