import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../config/profile.js'
import { BaridError, generateKeyPair, recipientKeys } from '../core.js'
import { createLogger } from '../ops/logger.js'
import { withMailboxes } from '../storage/sqlite/storage-fixtures.js'
import { createLocalFederation } from '../trust/local-federation.js'
import {
  createX509Certifier,
  issuerOf,
  readMailboxCertificate,
  type KeyCertifier,
} from './key-certificate.js'
import { RENEW_WITHIN_DAYS, renewalDecision, renewKey, servedKeys } from './key-renewal.js'
import { loadOperatorCredentials } from './operator-credentials.js'

const DAY = 86_400_000
const NODES = fileURLToPath(new URL('../../../', import.meta.url))
const T = Date.UTC(2030, 0, 1)
let dir: string
let dk: KeyCertifier
/** A second CA of the same operator: the one it rotated to (spec 21.4). */
let dkNext: KeyCertifier
let caNotAfter: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-renewal-'))
  await createLocalFederation({
    dir: join(dir, 'federation'),
    operators: [
      {
        profile: await loadProfile(join(NODES, 'denmark')),
        url: 'http://127.0.0.1:7402',
        operatorDir: join(dir, 'denmark'),
      },
    ],
  })
  const creds = await loadOperatorCredentials(join(dir, 'denmark'), { operator: 'digitalpost.dk' })
  dk = createX509Certifier({ ca: creds.ca })
  caNotAfter = dk.caNotAfter()
  // Another CA key of digitalpost.dk (admitted in a federation of its own: what matters here is
  // only that the node certifies under another CA than the one that issued the stored keys).
  await createLocalFederation({
    dir: join(dir, 'federation-next'),
    operators: [
      {
        profile: await loadProfile(join(NODES, 'denmark')),
        url: 'http://127.0.0.1:7402',
        operatorDir: join(dir, 'denmark-next'),
      },
    ],
  })
  const next = join(dir, 'denmark-next')
  dkNext = createX509Certifier({
    ca: (await loadOperatorCredentials(next, { operator: 'digitalpost.dk' })).ca,
  })
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the renewal window (spec 13.4)', () => {
  it('renews exactly the certificates within 30 days of their notAfter that a valid CA outlasts', () => {
    const time = fc.integer({ min: 0, max: 4000 * DAY })
    fc.assert(
      fc.property(time, time, time, (nowAt, notAfterAt, caAt) => {
        const [now, notAfter, ca] = [T + nowAt, T + notAfterAt, T + caAt]
        const d = renewalDecision({ notAfter, now, caNotAfter: ca })
        const due = notAfter - now <= RENEW_WITHIN_DAYS * DAY
        if (!due) expect(d).toBe('not-due')
        else if (ca <= now) expect(d).toBe('ca-expired')
        else if (ca <= notAfter) expect(d).toBe('ca-ends-first')
        else expect(d).toBe('renew')
        // A renewal always lasts longer than what it replaces, and is never made for nothing.
        if (d === 'renew') expect(Math.min(now + 365 * DAY, ca)).toBeGreaterThan(notAfter)
      }),
      { numRuns: 2000 },
    )
  })

  it('renews a certificate issued under another CA at once, whatever its notAfter, while the current CA is valid', () => {
    const time = fc.integer({ min: 0, max: 4000 * DAY })
    fc.assert(
      fc.property(time, time, time, (nowAt, notAfterAt, caAt) => {
        const [now, notAfter, ca] = [T + nowAt, T + notAfterAt, T + caAt]
        const d = renewalDecision({ notAfter, now, caNotAfter: ca, otherCa: true })
        expect(d).toBe(ca <= now ? 'ca-expired' : 'renew')
      }),
      { numRuns: 2000 },
    )
  })

  it('decides the edges of the window as a table says', () => {
    const ca = T + 3650 * DAY
    const rows: [notAfter: number, now: number, caNotAfter: number, decision: string][] = [
      [T + 365 * DAY, T, ca, 'not-due'],
      [T + 30 * DAY + 1, T, ca, 'not-due'],
      [T + 30 * DAY, T, ca, 'renew'],
      [T + DAY, T, ca, 'renew'],
      [T, T, ca, 'renew'],
      [T - 400 * DAY, T, ca, 'renew'], // expired long ago, never revoked: certified again
      [0, T, ca, 'renew'], // notAfter not read (and the certificate unreadable)
      [T + 10 * DAY, T, T + 10 * DAY, 'ca-ends-first'],
      [T + 10 * DAY, T, T + 5 * DAY, 'ca-ends-first'],
      [T + 10 * DAY, T, T + 10 * DAY + 1, 'renew'],
      [T + 10 * DAY, T, T, 'ca-expired'],
      [T - DAY, T, T - 2 * DAY, 'ca-expired'],
    ]
    for (const [notAfter, now, caNotAfter, decision] of rows)
      expect(renewalDecision({ notAfter, now, caNotAfter })).toBe(decision)
  })
})

/** The row of an encryption key certified as `c`, registered at `at`, its issuer not given. */
function encKeyRow(
  mailboxId: number,
  c: { kid: string; jwk: unknown; certificate: string; notAfter: number },
  at: number,
) {
  return {
    mailboxId,
    kid: c.kid,
    use: 'enc' as const,
    jwk: JSON.stringify(c.jwk),
    certificate: c.certificate,
    label: null,
    createdAt: at,
    revokedAt: null,
    certNotAfter: c.notAfter,
  }
}

/** A mailbox with `n` encryption keys registered one after the other at `at`, oldest first. */
async function mailboxWithKeys(n: number, at: number) {
  const { storage, ids } = await withMailboxes(1)
  const mb = { id: ids[0]!, address: 'm0@digitalpost.dk' }
  const kids: string[] = []
  for (let i = 0; i < n; i++) {
    const key = await generateKeyPair('X25519')
    const c = await dk.certify({ sub: mb.address, use: 'enc', jwk: key.publicJwk, now: at })
    await storage.addMailboxKey({ ...encKeyRow(mb.id, c, at), certIssuer: c.issuer })
    kids.push(c.kid)
  }
  return { storage, mb, kids }
}

const log = createLogger({ level: 'silent' })

describe('serving renewed certificates (spec 13.4, 11.6)', () => {
  it('renews a certificate due when it would serve it, keeping the key and kid', async () => {
    const { storage, mb, kids } = await mailboxWithKeys(2, T)
    await using _ = storage
    const before = await storage.listMailboxKeys(mb.id)
    const now = T + 400 * DAY
    const served = await servedKeys({ storage, certifier: dk, now: () => now, log }, mb)
    expect(served.map((k) => k.kid)).toEqual([kids[1], kids[0]])
    for (const k of served) {
      const was = before.find((b) => b.kid === k.kid)!
      expect(k.jwk).toBe(was.jwk)
      expect(k.certificate).not.toBe(was.certificate)
      const cert = await readMailboxCertificate(k.certificate)
      expect(cert.notAfter.getTime()).toBe(k.certNotAfter)
      expect(k.certNotAfter).toBe(Math.min(now + 365 * DAY, caNotAfter))
    }
    // Stored: the next reader (and the worker) finds them renewed, and renews nothing again.
    expect(await storage.listMailboxKeys(mb.id)).toEqual(served)
    const again = await servedKeys({ storage, certifier: dk, now: () => now, log }, mb)
    expect(again).toEqual(served)
  })

  it('leaves out a key whose certificate expired and cannot be renewed, and the four newest of the rest receive', async () => {
    // Six keys registered at T; the second newest had a certificate of a day (as if issued
    // under a CA that ended then), now expired.
    const { storage, mb, kids } = await mailboxWithKeys(6, T)
    await using _ = storage
    const short = createX509Certifier({
      ca: (await loadOperatorCredentials(join(dir, 'denmark'), { operator: 'digitalpost.dk' }))
        .ca,
      lifetimeDays: 1,
    })
    const k5 = (await storage.listMailboxKeys(mb.id)).find((k) => k.kid === kids[4])!
    const c = await short.certify({ sub: mb.address, use: 'enc', jwk: JSON.parse(k5.jwk), now: T })
    const expiring = { certificate: c.certificate, certNotAfter: c.notAfter }
    await storage.renewKeyCertificate({ ...k5, previous: k5.certificate, ...expiring })
    // The CA cannot sign now (its key unavailable): no renewal is possible.
    const broken: KeyCertifier = {
      caNotAfter: () => caNotAfter,
      caKeyId: () => dk.caKeyId(),
      certify: () => Promise.reject(new BaridError('ERR_INTERNAL', 'the CA key is unavailable')),
    }
    const now = T + 2 * DAY
    const served = await servedKeys({ storage, certifier: broken, now: () => now, log }, mb)
    expect(served.map((k) => k.kid)).toEqual([kids[5], kids[3], kids[2], kids[1], kids[0]])
    expect(recipientKeys(served).map((k) => k.kid)).toEqual([kids[5], kids[3], kids[2], kids[1]])
    for (const k of served) expect(k.certNotAfter).toBeGreaterThan(now)
  })

  it('reads the notAfter of a key stored before it was kept, and renews it only if due', async () => {
    const { storage, mb } = await mailboxWithKeys(0, T)
    await using _ = storage
    const key = await generateKeyPair('X25519')
    const c = await dk.certify({ sub: mb.address, use: 'enc', jwk: key.publicJwk, now: T })
    const row = { mailboxId: mb.id, kid: c.kid, use: 'enc' as const, jwk: JSON.stringify(c.jwk) }
    const stored = { certificate: c.certificate, label: null, createdAt: T, revokedAt: null }
    await storage.addMailboxKey({ ...row, ...stored })
    const [old] = await storage.listMailboxKeys(mb.id)
    expect(old!.certNotAfter).toBe(0)
    const svc = { storage, certifier: dk, now: () => T + DAY }
    expect((await renewKey(svc, old!, mb.address)).outcome).toBe('not-due')
    const [read] = await storage.listMailboxKeys(mb.id)
    expect(read).toMatchObject({ certificate: c.certificate, certNotAfter: c.notAfter })
    // Due later: renewed, once; a renewal made from the stale row loses to it.
    const later = { ...svc, now: () => T + 350 * DAY }
    expect((await renewKey(later, read!, mb.address)).outcome).toBe('renewed')
    expect((await renewKey(later, read!, mb.address)).outcome).toBe('superseded')
    const [renewed] = await storage.listMailboxKeys(mb.id)
    expect(renewed!.certNotAfter).toBe(T + 350 * DAY + 365 * DAY)
    expect((await renewKey(later, renewed!, mb.address)).outcome).toBe('not-due')
  })

  it('does not renew a revoked key', async () => {
    const { storage, mb, kids } = await mailboxWithKeys(1, T)
    await using _ = storage
    const [k] = await storage.listMailboxKeys(mb.id)
    await storage.revokeMailboxKey(mb.id, kids[0]!, T + DAY)
    const svc = { storage, certifier: dk, now: () => T + 350 * DAY }
    expect((await renewKey(svc, k!, mb.address)).outcome).toBe('superseded')
    expect(await storage.keysDueForRenewal({ before: T + 400 * DAY, limit: 10 })).toEqual([])
    const [revoked] = await storage.listMailboxKeys(mb.id, { includeRevoked: true })
    expect(revoked!.certificate).toBe(k!.certificate)
  })

  it('renews at once, when it would serve them, the certificates issued under a CA the operator rotated away from', async () => {
    const { storage, mb, kids } = await mailboxWithKeys(2, T)
    await using _ = storage
    const before = await storage.listMailboxKeys(mb.id)
    // A day on: nowhere near the renewal window, but the node now certifies under its next CA.
    const now = T + DAY
    const svc = { storage, certifier: dkNext, now: () => now, log }
    expect(dkNext.caKeyId()).not.toBe(dk.caKeyId())
    const served = await servedKeys(svc, mb)
    expect(served.map((k) => k.kid)).toEqual([kids[1], kids[0]])
    for (const k of served) {
      const was = before.find((b) => b.kid === k.kid)!
      expect(k.jwk).toBe(was.jwk)
      expect(k.certIssuer).toBe(dkNext.caKeyId())
      const cert = await readMailboxCertificate(k.certificate)
      expect(issuerOf(cert)).toBe(dkNext.caKeyId())
      expect(cert.notAfter.getTime()).toBe(k.certNotAfter)
    }
    expect(await storage.listMailboxKeys(mb.id)).toEqual(served)
    // Once moved, nothing is renewed again, and no key is left under another CA.
    expect(await servedKeys(svc, mb)).toEqual(served)
    expect(await storage.keysIssuedElsewhere({ issuer: dkNext.caKeyId(), limit: 10 })).toEqual([])
  })

  it('reads the issuer of a key stored before it was kept, and renews it only if another CA issued it', async () => {
    const { storage, mb } = await mailboxWithKeys(0, T)
    await using _ = storage
    const key = await generateKeyPair('X25519')
    const c = await dk.certify({ sub: mb.address, use: 'enc', jwk: key.publicJwk, now: T })
    // As stored before the issuer was kept: no certIssuer (the column's default).
    await storage.addMailboxKey(encKeyRow(mb.id, c, T))
    const [old] = await storage.listMailboxKeys(mb.id)
    expect(old!.certIssuer).toBe('')
    expect(await storage.keysIssuedElsewhere({ issuer: dk.caKeyId(), limit: 10 })).toHaveLength(1)
    // Under the CA that issued it: the issuer is recorded, and the certificate kept.
    const svc = { storage, certifier: dk, now: () => T + DAY }
    expect((await renewKey(svc, old!, mb.address)).outcome).toBe('not-due')
    const [read] = await storage.listMailboxKeys(mb.id)
    expect(read).toMatchObject({ certificate: c.certificate, certIssuer: dk.caKeyId() })
    expect(await storage.keysIssuedElsewhere({ issuer: dk.caKeyId(), limit: 10 })).toEqual([])
    // Under the next CA: renewed, once.
    const next = { ...svc, certifier: dkNext }
    expect((await renewKey(next, read!, mb.address)).outcome).toBe('renewed')
    const [renewed] = await storage.listMailboxKeys(mb.id)
    expect(renewed!.certIssuer).toBe(dkNext.caKeyId())
    expect((await renewKey(next, renewed!, mb.address)).outcome).toBe('not-due')
  })
})

describe('finding the keys under another CA (storage)', () => {
  it('pages through exactly the unrevoked keys of open mailboxes whose issuer is not the given one, in (issuer, id) order', async () => {
    const issuer = fc.constantFrom('', '-', 'A', 'M', 'M0', 'z')
    const row = fc.record({ issuer, revoked: fc.boolean(), closed: fc.boolean() })
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        issuer,
        fc.integer({ min: 1, max: 7 }),
        async (rows, current, limit) => {
          const { storage, ids } = await withMailboxes(2)
          await using _ = storage
          await storage.setMailboxStatus(ids[1]!, 'closed')
          const expected: { issuer: string; id: number; kid: string }[] = []
          for (const [i, r] of rows.entries()) {
            const kid = `k${i}`
            await storage.addMailboxKey({
              mailboxId: ids[r.closed ? 1 : 0]!,
              kid,
              use: 'enc',
              jwk: '{}',
              certificate: 'c',
              label: null,
              createdAt: T,
              revokedAt: null,
              certIssuer: r.issuer,
            })
            if (r.revoked) await storage.revokeMailboxKey(ids[r.closed ? 1 : 0]!, kid, T)
            if (!r.revoked && !r.closed && r.issuer !== current)
              expected.push({ issuer: r.issuer, id: i + 1, kid })
          }
          expected.sort((a, b) =>
            a.issuer < b.issuer ? -1 : a.issuer > b.issuer ? 1 : a.id - b.id,
          )
          const seen: string[] = []
          let after: { certIssuer: string; id: number } | undefined
          for (let pages = 0; pages <= rows.length + 1; pages++) {
            const page = await storage.keysIssuedElsewhere({ issuer: current, limit, after })
            expect(page.length).toBeLessThanOrEqual(limit)
            seen.push(...page.map((k) => k.kid))
            const last = page.at(-1)
            if (page.length < limit || last === undefined) break
            after = { certIssuer: last.certIssuer, id: last.id }
          }
          expect(seen).toEqual(expected.map((e) => e.kid))
        },
      ),
      { numRuns: 60 },
    )
  })
})
