import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { isBaridError } from '../errors.js'
import { importKeyPair, type KeyUse } from '../keys/index.js'
import type { ParsedCertificate } from './certificate.js'
import { parseCertificate } from './parse.js'
import type { CertificateRole } from './roles.js'
import { validateChain, type RevocationPolicy } from './validate.js'
import { makeVectors } from './vectors.js'
import { readVectors } from '../../test/vectors-file.js'

interface Chain {
  name: string
  role: CertificateRole
  leaf: string
  intermediates: string[]
  anchors: string[]
  at: string
  maxLength?: number
  revocation?: { policy: RevocationPolicy; revokedSerials: string[]; unknownSerials: string[] }
  reason?: string
  path?: string[]
}

interface Vectors {
  keys: { name: string; algorithm: string; privateJwk: unknown; kidBase64Url: string }[]
  certificates: { name: string; der: string; role: string | null; kidBase64Url: string | null }[]
  validChains: Chain[]
  invalidChains: Chain[]
  malformed: { name: string; der: string; reason: string }[]
}

const stored = readVectors('certificates') as Vectors

function run(v: Chain) {
  const der = (name: string) => {
    const c = stored.certificates.find((x) => x.name === name)
    if (c === undefined) throw new Error(`no certificate ${name}`)
    return fromHex(c.der)
  }
  const rev = v.revocation
  return validateChain({
    leaf: der(v.leaf),
    intermediates: v.intermediates.map(der),
    anchors: v.anchors.map(der),
    role: v.role,
    at: new Date(v.at),
    ...(v.maxLength === undefined ? {} : { maxLength: v.maxLength }),
    ...(rev === undefined
      ? {}
      : {
          revocationPolicy: rev.policy,
          checkRevocation: async (c: ParsedCertificate) =>
            rev.revokedSerials.includes(c.serialNumber)
              ? 'revoked'
              : rev.unknownSerials.includes(c.serialNumber)
                ? 'unknown'
                : 'good',
        }),
  })
}

describe('certificate vectors', () => {
  it('regenerate to exactly spec/vectors/certificates.json', async () => {
    expect(JSON.parse(JSON.stringify(await makeVectors(stored)))).toEqual(stored)
  })

  it('give each fixed key its stated key id', async () => {
    for (const k of stored.keys) {
      const use: KeyUse =
        k.algorithm === 'X25519' || k.algorithm === 'ECDH-P256' ? 'encrypt' : 'sign'
      expect((await importKeyPair(k.privateJwk, { use })).kidBase64Url).toBe(k.kidBase64Url)
    }
  })

  it.each(stored.validChains.map((v) => [v.name, v] as const))(
    'validate the valid chain %s',
    async (_n, v) => {
      const result = await run(v)
      const names = result.path.map(
        (c) => stored.certificates.find((x) => x.der === toHex(c.der))?.name,
      )
      expect(names).toEqual(v.path)
    },
  )

  it.each(stored.invalidChains.map((v) => [v.name, v] as const))(
    'reject the invalid chain %s with its reason',
    async (_n, v) => {
      const err = await run(v).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isBaridError(err) ? err.code : err).toBe(v.reason)
    },
  )

  it('reject each malformed certificate with its reason', async () => {
    for (const m of stored.malformed) {
      const err = await parseCertificate(fromHex(m.der)).catch((e: unknown) => e)
      expect(isBaridError(err) ? err.code : err).toBe(m.reason)
    }
  })
})
