/**
 * @module checks/vectors
 * Wire formats against `spec/vectors/` (spec 30.1): the must-fail sealed letters of
 * `letter.json` that an operator detects (`check: "inspect"`) are relayed to node A by the
 * harness peer, with a valid certification of the key that signed each, and must be refused
 * with the vector's `reason` (11.4 step 2 comes before every routing check). Vectors whose
 * reason depends on the vector's own clock, or that only a recipient can detect, are left out.
 */
import {
  BARID_LETTER_LABEL,
  decodeSign1,
  fromHex,
  importKeyPair,
  parseLetterHeader,
} from '@barid/core'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { certifyKey } from '../peer/identity.js'
import { letterEntry } from '../peer/letters.js'
import { fail, type Check } from './check.js'
import { sendTx } from './fixtures.js'

const VECTORS = fileURLToPath(new URL('../../../spec/vectors/', import.meta.url))

interface LetterVectors {
  keys: { name: string; jwk: Record<string, unknown> }[]
  directory: { kid: string; address: string; key: string }[]
  invalid: { name: string; check: string; letter: string; reason: string }[]
}

/** Reasons that depend on the vector's clock or on the sender directory, not on the letter. */
const CLOCK_OR_DIRECTORY = new Set([
  'ERR_LETTER_EXPIRED',
  'ERR_LETTER_CLOCK_SKEW',
  'ERR_SENDER_MISMATCH',
  'ERR_KEY_NOT_FOUND',
])

const KID_LABEL = 4

/** The sender the letter claims, when its structure lets it be read. */
function senderOf(bytes: Uint8Array): string | undefined {
  try {
    return parseLetterHeader(decodeSign1(bytes).protectedHeader.get(BARID_LETTER_LABEL)).sender
  } catch {
    return undefined
  }
}

/** The signing kid (hex), when the structure lets it be read. */
function kidOf(bytes: Uint8Array): string | undefined {
  try {
    const kid = decodeSign1(bytes).protectedHeader.get(KID_LABEL)
    return kid instanceof Uint8Array ? Buffer.from(kid).toString('hex') : undefined
  } catch {
    return undefined
  }
}

export const vectorChecks: Check[] = [
  {
    id: 'vectors.letters.must-fail',
    title: 'must-fail letter vectors relayed by a peer are refused with their reason',
    group: 'vectors',
    clauses: ['10.5-1', '11.4-6', '11.4-14'],
    kind: 'vector',
    async run({ world }) {
      const v = JSON.parse(readFileSync(join(VECTORS, 'letter.json'), 'utf8')) as LetterVectors
      const cases = v.invalid.filter(
        (c) => c.check === 'inspect' && !CLOCK_OR_DIRECTORY.has(c.reason),
      )
      if (cases.length === 0) fail('letter.json has no applicable must-fail vectors')
      const wrong: string[] = []
      for (const c of cases) {
        const bytes = fromHex(c.letter)
        const kid = kidOf(bytes)
        const dir = v.directory.find((d) => d.kid === kid) ?? v.directory[0]!
        const jwk = v.keys.find((k) => k.name === dir.key)!.jwk
        const pair = await importKeyPair(jwk)
        // X.509: a certificate names a mailbox of the peer's own operator, so the vector's sender
        // (another operator's) cannot be certified; a failure found after the key is resolved is
        // then reported as ERR_SENDER_MISMATCH, which is accepted too.
        const sub =
          world.mode === 'jws'
            ? (senderOf(bytes) ?? dir.address)
            : `vectors@${world.peer.id.operator}`
        const accept = world.mode === 'jws' ? [c.reason] : [c.reason, 'ERR_SENDER_MISMATCH']
        const certificate = await certifyKey(world.peer.id, {
          sub,
          use: 'sig',
          key: pair,
          nowMs: world.clock.now(),
        })
        const entry = letterEntry({
          bytes,
          recipients: [`vector-recipient@${world.a.operator}`],
          deliverBeforeMs: world.clock.now() + 3600_000,
          senderCertificate: certificate,
        })
        const r = await sendTx(world, world.a, { letters: [entry] })
        const l = r.answer?.letters?.[0]
        const status = l?.recipients?.[0]?.status
        if (r.status !== 200 || status === 'delivered' || !accept.includes(l?.code ?? ''))
          wrong.push(
            `${c.name}: expected ${c.reason}, got ${r.status === 200 ? `${status} ${l?.code ?? ''}` : `HTTP ${r.status} ${r.code ?? ''}`}`,
          )
      }
      if (wrong.length > 0)
        fail(`${wrong.length} of ${cases.length} vectors: ${wrong.join('; ')}`, '11.4-6')
    },
  },
]
