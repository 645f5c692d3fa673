import { describe, expect, it } from 'vitest'
import { fromHex } from '../bytes.js'
import { readVectors } from '../../test/vectors-file.js'
import type { CertificateRole } from '../x509/roles.js'
import { verifyDiscoveryDocument } from './discovery-document.js'
import { findRevoked, verifyRevocationList } from './revocation-list.js'
import { TrustStore } from './trust-store.js'
import { verifyTrustList } from './trust-list.js'
import type { TrustList } from './types.js'
import { makeVectors } from './vectors.js'
import { codeOf } from '../../test/code-of.js'

interface Vectors {
  now: number
  keys: Record<string, { kty: string; crv: string; x: string }>
  certificates: Record<string, string>
  valid: {
    name: string
    hex: string
    held?: string
    sequence: number
    rollover?: string
    signer?: string
    operators?: string[]
    status?: { operator: string; at: number; state: string }[]
    peers?: {
      certificate: string
      operator: string
      role: CertificateRole
      at: number
      reason?: string
    }[]
  }[]
  invalid: { name: string; hex: string; held?: string; now?: number; reason: string }[]
  discovery: {
    list: string
    operator: string
    hex: string
    valid: { now: number }[]
    invalid: { name: string; hex?: string; now: number; operator?: string; reason: string }[]
  }
  revocations: {
    operator: string
    hex: string
    revoked: { serial: string; at: number }[]
    invalid: { operator: string; reason: string }[]
  }
}

const v = readVectors('trust-list') as Vectors
const governance = () => {
  const { kty, crv, x } = v.keys.governance!
  return [{ kty, crv, x }]
}

async function lists(): Promise<Map<string, TrustList>> {
  const out = new Map<string, TrustList>()
  for (const entry of v.valid) {
    const held = entry.held === undefined ? undefined : out.get(entry.held)
    out.set(
      entry.name,
      await verifyTrustList(fromHex(entry.hex), {
        governanceKeys: governance(),
        now: v.now + 3600,
        ...(held ? { current: held } : {}),
      }),
    )
  }
  return out
}

describe('spec/vectors/trust-list.json', () => {
  it('is exactly what the generator makes today', async () => {
    expect(await makeVectors()).toEqual(v)
  })

  it('has every valid list verify, with its sequence, rollover and signer', async () => {
    const verified = await lists()
    for (const entry of v.valid) {
      const list = verified.get(entry.name)!
      expect(list.sequence, entry.name).toBe(entry.sequence)
      if (entry.rollover) expect(list.rollover?.kidBase64Url).toBe(entry.rollover)
      if (entry.signer) expect(list.signer.kidBase64Url).toBe(entry.signer)
      if (entry.operators) expect(list.operators.map((o) => o.id)).toEqual(entry.operators)
    }
  })

  it('answers every status and peer query of the valid lists as the vectors say', async () => {
    const verified = await lists()
    for (const entry of v.valid) {
      const store = await TrustStore.open(verified.get(entry.name)!, { now: () => v.now })
      for (const q of entry.status ?? [])
        expect(store.stateAt(q.operator, q.at), JSON.stringify(q)).toBe(q.state)
      for (const q of entry.peers ?? []) {
        const code = await codeOf(
          store.validatePeerChain(fromHex(v.certificates[q.certificate]!), {
            operator: q.operator,
            role: q.role,
            at: q.at,
            offline: true,
          }),
        )
        expect(code, JSON.stringify(q)).toBe(q.reason ?? 'accepted')
      }
    }
  })

  it('has every must-fail list refused with its reason code', async () => {
    const verified = await lists()
    for (const entry of v.invalid) {
      const held = entry.held === undefined ? undefined : verified.get(entry.held)
      const code = await codeOf(
        verifyTrustList(fromHex(entry.hex), {
          governanceKeys: governance(),
          now: entry.now ?? v.now,
          ...(held ? { current: held } : {}),
        }),
      )
      expect(code, entry.name).toBe(entry.reason)
    }
  })

  it('has the discovery document and the revocation list verify, and their must-fail cases refused', async () => {
    const store = await TrustStore.open((await lists()).get(v.discovery.list)!, {
      now: () => v.now,
    })
    for (const c of v.discovery.valid) {
      expect(
        await codeOf(
          verifyDiscoveryDocument(fromHex(v.discovery.hex), {
            operator: v.discovery.operator,
            trust: store,
            now: c.now,
          }),
        ),
      ).toBe('accepted')
    }
    for (const c of v.discovery.invalid) {
      const code = await codeOf(
        verifyDiscoveryDocument(fromHex(c.hex ?? v.discovery.hex), {
          operator: c.operator ?? v.discovery.operator,
          trust: store,
          now: c.now,
        }),
      )
      expect(code, c.name).toBe(c.reason)
    }
    const crl = await verifyRevocationList(fromHex(v.revocations.hex), {
      operator: v.revocations.operator,
      cas: store.casOf(v.revocations.operator),
    })
    for (const r of v.revocations.revoked) expect(findRevoked(crl, r.serial)?.at).toBe(r.at)
    for (const c of v.revocations.invalid) {
      expect(
        await codeOf(
          verifyRevocationList(fromHex(v.revocations.hex), {
            operator: c.operator,
            cas: store.casOf(c.operator),
          }),
        ),
      ).toBe(c.reason)
    }
  })
})
