import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { BaridError } from '../errors.js'
import { readVectors } from '../../test/vectors-file.js'
import { importTestKey, type TestKey } from '../../test/keys.js'
import type { LetterHeader } from './header.js'
import { inspectLetter } from './inspect.js'
import { openLetter } from './open.js'
import type { ResolveSenderKey } from './read.js'
import { keepCommitted, makeVectors } from './vectors.js'

interface ValidVector {
  name: string
  deterministic: boolean
  input: {
    random: { ephemeralKeys: string[] }
    body: string
    subject?: string
    attachments: {
      id: string
      key: string
      filename: string
      mediaType: string
      size: number
      sha256: string
    }[]
  }
  header: Record<string, unknown>
  intermediates?: {
    protectedHeader: string
    recipients: { key: string; ephemeralKey: string; wrappedCek: string }[]
  }
  letter: string
  digest: string
  openers: string[]
}
interface InvalidVector {
  name: string
  check: 'inspect' | 'open'
  key?: string
  now?: number
  letter: string
  reason: string
}
interface LetterVectors {
  now: number
  keys: { name: string; kid: string; jwk: JsonWebKey }[]
  directory: { kid: string; address: string; key: string }[]
  valid: ValidVector[]
  invalid: InvalidVector[]
}

const file = readVectors('letter') as LetterVectors

async function loadKeys(v: LetterVectors): Promise<Map<string, TestKey>> {
  const out = new Map<string, TestKey>()
  for (const k of v.keys) {
    const sign = v.directory.some((d) => d.key === k.name)
    const key = await importTestKey(k.jwk, sign ? 'sign' : 'agree')
    expect(toHex(key.kid), `kid of ${k.name}`).toBe(k.kid)
    out.set(k.name, key)
  }
  return out
}

function resolverFor(v: LetterVectors, keys: Map<string, TestKey>): ResolveSenderKey {
  return async (kid: Uint8Array, header: LetterHeader) => {
    const entry = v.directory.find((d) => d.kid === toHex(kid))
    if (entry === undefined) throw new BaridError('ERR_KEY_NOT_FOUND', 'unknown kid')
    if (entry.address !== header.sender)
      throw new BaridError('ERR_SENDER_MISMATCH', "kid is not the sender's")
    return keys.get(entry.key)!.publicKey
  }
}

function headerJson(h: LetterHeader): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      ...h,
      attachments: h.attachments.map((a) => ({ ...a, sha256: toHex(a.sha256) })),
      keyCommitment: toHex(h.keyCommitment),
    }),
  ) as Record<string, unknown>
}

describe('spec/vectors/letter.json', () => {
  it('is what the generator makes today (ES256 letters: every byte but the randomised signature)', async () => {
    const made = JSON.parse(JSON.stringify(await makeVectors())) as LetterVectors
    const randomised = made.valid.flatMap((v, i) => (v.deterministic ? [] : [i]))
    expect(randomised.length).toBeGreaterThan(0)
    expect(keepCommitted(made, file)).toEqual(randomised)
    expect(made).toEqual(file)
  })

  it('has every valid letter verify, show its header, and open for each of its openers', async () => {
    const keys = await loadKeys(file)
    const resolveSenderKey = resolverFor(file, keys)
    for (const v of file.valid) {
      const bytes = fromHex(v.letter)
      const seen = await inspectLetter(bytes, { resolveSenderKey, now: file.now })
      expect(headerJson(seen.header), v.name).toEqual(v.header)
      expect(toHex(seen.digest)).toBe(v.digest)
      for (const name of v.openers) {
        const k = keys.get(name)!
        const opened = await openLetter(bytes, {
          key: { privateKey: k.privateKey, kid: k.kid },
          resolveSenderKey,
          now: file.now,
        })
        expect(toHex(opened.body), `${v.name} by ${name}`).toBe(v.input.body)
        expect(opened.subject).toBe(v.input.subject)
        expect(
          opened.attachments.map((a) => ({ ...a, key: toHex(a.key), sha256: toHex(a.sha256) })),
        ).toEqual(
          v.input.attachments.map((a) => ({
            id: a.id,
            size: a.size,
            sha256: a.sha256,
            key: a.key,
            filename: a.filename,
            mediaType: a.mediaType,
          })),
        )
      }
    }
  })

  it('has a must-fail letter for every code spec 5.11 gives a reader of a letter it holds', () => {
    const reasons = new Set(file.invalid.map((v) => v.reason))
    // ERR_KEY_INVALID needs a reader key on another curve than its entry, which a kid prevents.
    for (const code of [
      'ERR_INPUT_TOO_LARGE',
      'ERR_LETTER_MALFORMED',
      'ERR_UNSUPPORTED_VERSION',
      'ERR_UNSUPPORTED_ALGORITHM',
      'ERR_COSE_CRITICAL_UNKNOWN',
      'ERR_KEY_NOT_FOUND',
      'ERR_SENDER_MISMATCH',
      'ERR_LETTER_TAMPERED',
      'ERR_LETTER_EXPIRED',
      'ERR_LETTER_CLOCK_SKEW',
      'ERR_NOT_A_RECIPIENT',
    ])
      expect(reasons.has(code), code).toBe(true)
    expect(file.invalid.map((v) => v.name)).toContain('es256-high-s-signature')
  })

  it('gives the intermediates of every valid letter, its protected header first', () => {
    for (const v of file.valid) {
      const i = v.intermediates
      expect(i, v.name).toBeDefined()
      // The letter is d2 84 59 <2-byte length> P ...: P is the first member of the COSE_Sign1.
      expect(v.letter.slice(10, 10 + i!.protectedHeader.length), v.name).toBe(i!.protectedHeader)
      expect(i!.recipients.map((r) => r.ephemeralKey)).toEqual(v.input.random.ephemeralKeys)
      for (const r of i!.recipients) expect(v.letter, `${v.name} ${r.key}`).toContain(r.wrappedCek)
    }
  })

  it('has every invalid letter refused with its reason code', async () => {
    const keys = await loadKeys(file)
    const resolveSenderKey = resolverFor(file, keys)
    for (const v of file.invalid) {
      let code = 'accepted'
      try {
        const bytes = fromHex(v.letter)
        const now = v.now ?? file.now
        if (v.check === 'inspect') await inspectLetter(bytes, { resolveSenderKey, now })
        else {
          const k = keys.get(v.key!)!
          await openLetter(bytes, {
            key: { privateKey: k.privateKey, kid: k.kid },
            resolveSenderKey,
            now,
          })
        }
      } catch (e) {
        code = e instanceof BaridError ? e.code : `not a BaridError: ${String(e)}`
      }
      expect(code, v.name).toBe(v.reason)
    }
  })
})
