import fc from 'fast-check'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../config/profile.js'
import {
  TrustStore,
  fromBase64Url,
  generateKeyPair,
  isBaridError,
  toBase64Url,
  verifyTrustList,
  type KeyPair,
} from '../core.js'
import { createLocalFederation, type LocalFederation } from '../trust/local-federation.js'
import {
  createX509Certifier,
  verifyMailboxCertificate,
  type KeyCertifier,
} from './key-certificate.js'
import { loadOperatorCredentials } from './operator-credentials.js'

const NODES = fileURLToPath(new URL('../../../', import.meta.url))
let dir: string
let fed: LocalFederation
let dk: KeyCertifier
let eg: KeyCertifier
let store: TrustStore
let larsEnc: KeyPair
let larsSig: KeyPair
const lars = 'lars.jensen@digitalpost.dk'
const now = () => Math.floor(Date.now() / 1000)

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    return isBaridError(e) ? e.code : `not a BaridError: ${String(e)}`
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-keycert-'))
  const op = async (folder: string, port: number) => ({
    profile: await loadProfile(join(NODES, folder)),
    url: `http://127.0.0.1:${port}`,
    operatorDir: join(dir, folder),
  })
  fed = await createLocalFederation({
    dir: join(dir, 'federation'),
    operators: [await op('egypt-post', 7401), await op('denmark', 7402)],
  })
  const ca = async (folder: string, operator: string) =>
    (await loadOperatorCredentials(join(dir, folder), { operator })).ca
  dk = createX509Certifier({ ca: await ca('denmark', 'digitalpost.dk') })
  eg = createX509Certifier({ ca: await ca('egypt-post', 'post.eg') })
  const list = await verifyTrustList(new Uint8Array(await readFile(fed.trustListFile)), {
    governanceKeys: [
      JSON.parse(await readFile(fed.governanceKeyFile, 'utf8')) as Record<string, unknown>,
    ],
    now: now(),
  })
  store = await TrustStore.open(list)
  ;[larsEnc, larsSig] = await Promise.all([
    generateKeyPair('X25519', { extractable: true }),
    generateKeyPair('Ed25519', { extractable: true }),
  ])
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mailbox key certificates (spec 13.4)', () => {
  it("binds a device key to its mailbox with an X.509 certificate from the operator's CA", async () => {
    const c = await dk.certify({ sub: lars, use: 'enc', jwk: larsEnc.publicJwk, now: Date.now() })
    expect(c.kid).toBe(larsEnc.kidBase64Url)
    const k = await verifyMailboxCertificate(store, c.certificate, {
      operator: 'digitalpost.dk',
      use: 'enc',
      at: now(),
    })
    expect(k).toMatchObject({ address: lars, use: 'enc', kid: larsEnc.kidBase64Url })
    expect(k.certificate.role).toBe('mailbox-encryption')
    const s = await dk.certify({ sub: lars, use: 'sig', jwk: larsSig.publicJwk, now: Date.now() })
    const ks = await verifyMailboxCertificate(store, s.certificate, {
      operator: 'digitalpost.dk',
      use: 'sig',
      at: now(),
    })
    expect(ks.certificate.role).toBe('mailbox-signing')
  })

  it('refuses a certificate with any byte changed, with a typed error', async () => {
    const { certificate } = await dk.certify({
      sub: lars,
      use: 'sig',
      jwk: larsSig.publicJwk,
      now: Date.now(),
    })
    const der = fromBase64Url(certificate)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: der.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (i, x) => {
          const bad = der.slice()
          bad[i] = bad[i]! ^ x
          const code = await codeOf(
            verifyMailboxCertificate(store, toBase64Url(bad), {
              operator: 'digitalpost.dk',
              use: 'sig',
              at: now(),
            }),
          )
          expect(code).toMatch(/^ERR_/)
        },
      ),
      { numRuns: 40 },
    )
  })

  it("refuses a certificate for another operator's mailbox, another use, or after it expired", async () => {
    const { certificate } = await dk.certify({
      sub: lars,
      use: 'enc',
      jwk: larsEnc.publicJwk,
      now: Date.now(),
    })
    const check = (o: { operator?: string; use?: 'enc' | 'sig'; at?: number }) =>
      codeOf(
        verifyMailboxCertificate(store, certificate, {
          operator: o.operator ?? 'digitalpost.dk',
          use: o.use ?? 'enc',
          at: o.at ?? now(),
        }),
      )
    expect(await check({ operator: 'post.eg' })).toBe('ERR_CERT_OPERATOR_MISMATCH')
    expect(['ERR_CERT_EXT_KEY_USAGE', 'ERR_CERT_KEY_USAGE', 'ERR_CERT_PROFILE']).toContain(
      await check({ use: 'sig' }),
    )
    expect(await check({ at: now() + 400 * 86_400 })).toBe('ERR_CERT_EXPIRED')
    for (const junk of [42, '', 'not base64url!', toBase64Url(new Uint8Array([0x30, 0x03]))])
      expect(
        await codeOf(
          verifyMailboxCertificate(store, junk, {
            operator: 'digitalpost.dk',
            use: 'enc',
            at: now(),
          }),
        ),
      ).toMatch(/^ERR_CERT_MALFORMED$|^ERR_INPUT_TOO_LARGE$/)
  })

  it("refuses to certify a key of the wrong kind, or another operator's mailbox", async () => {
    expect(
      await codeOf(dk.certify({ sub: lars, use: 'sig', jwk: larsEnc.publicJwk, now: Date.now() })),
    ).toMatch(/^ERR_(KEY_INVALID|UNSUPPORTED_ALGORITHM)$/)
    expect(
      await codeOf(eg.certify({ sub: lars, use: 'enc', jwk: larsEnc.publicJwk, now: Date.now() })),
    ).toBe('ERR_CERT_PROFILE')
  })

  it('refuses certificates of a withdrawn operator from the withdrawal on, not before', async () => {
    const before = now()
    const { certificate } = await dk.certify({
      sub: lars,
      use: 'sig',
      jwk: larsSig.publicJwk,
      now: Date.now(),
    })
    const ownStore = await TrustStore.open(store.list)
    await fed.federation([
      'withdraw',
      '--operator',
      'digitalpost.dk',
      '--effective',
      String(before + 10),
    ])
    await ownStore.update(new Uint8Array(await readFile(fed.trustListFile)))
    const at = (t: number) =>
      codeOf(
        verifyMailboxCertificate(ownStore, certificate, {
          operator: 'digitalpost.dk',
          use: 'sig',
          at: t,
        }),
      )
    expect(await at(before + 9)).toBe('accepted')
    expect(await at(before + 10)).toBe('ERR_OPERATOR_WITHDRAWN')
  })
})
