// A tiny result collector: each check is a name and a function that throws on failure.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CheckError } from './cbor.mjs'

// BARID_VECTORS_DIR reads the files from another folder (the checker's own test uses it to
// show that a changed vector is caught); by default, the folder above this one.
const DIR = process.env.BARID_VECTORS_DIR ?? fileURLToPath(new URL('..', import.meta.url))
export const vectors = (file) => JSON.parse(readFileSync(join(DIR, file), 'utf8'))

export class Results {
  constructor() {
    this.passed = 0
    this.failures = []
  }
  check(name, fn) {
    try {
      fn()
      this.passed += 1
    } catch (e) {
      this.failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  /** Expects `fn` to fail with exactly `code`. */
  refuses(name, code, fn) {
    this.check(name, () => {
      try {
        fn()
      } catch (e) {
        if (e instanceof CheckError && e.code === code) return
        throw new Error(`expected ${code}, got ${e instanceof CheckError ? e.code : e}`)
      }
      throw new Error(`expected ${code}, but it was accepted`)
    })
  }
}

export const assert = (cond, message) => {
  if (!cond) throw new Error(message)
}
export const assertEqual = (actual, expected, what) => {
  const a = typeof actual === 'string' ? actual : JSON.stringify(actual)
  const e = typeof expected === 'string' ? expected : JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: expected ${e.slice(0, 200)}, got ${a.slice(0, 200)}`)
}
