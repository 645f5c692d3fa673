/**
 * Operator CA rotation (spec 21.4) on real nodes: Digitalpost rotates its operator CA the way an
 * operator does it with the CLI (a new CA key and admission request, `barid federation admit
 * --add-ca`, then `barid operator rotate-ca`, which installs the new CA with a revocation list of
 * its own and certifies a node key under it), and the node moves every mailbox key certificate
 * to the new CA at once, not when each certificate comes due (spec 13.4), and serves and reissues
 * the revocation list of each CA under that CA's key id while it is in service (spec 21.6.2): so
 * peers accept the new node certificate at once, and when governance retires the old CA (`barid
 * federation retire-ca`), senders abroad still reach the mailboxes, and the node's own senders
 * still reach abroad.
 */
import { mkdtemp, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  parseCertificate,
  readEvidenceBundle,
  toBase64Url,
  verifyRevocationList,
  type ParsedCertificate,
} from '../src/core.js'
import type { LookupResult } from '../src/directory/lookup.js'
import {
  issuerOf,
  readMailboxCertificate,
  verifyMailboxCertificate,
} from '../src/keys/key-certificate.js'
import { barid } from '../src/trust/barid-cli.js'
import { endpointOf, OPERATOR_FILES } from '../src/trust/local-federation.js'
import { sealFor } from './clients.js'
import {
  clientFetch,
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  trustFrom,
  verifyBundleOffline,
  type Agency,
  type Citizen,
  type Pair,
} from './harness.js'

type Active = LookupResult & { status: 'active' }

async function lookUp(agency: Agency, address: string): Promise<Active> {
  const r = await agency.client.lookup({ address })
  if (r.status !== 'active') throw new Error(`lookup of ${address}: ${r.status}`)
  return r
}

/** Seals `body` from `from` to the mailbox `to` was looked up as, submits it, gives its id. */
async function send(
  from: Agency,
  to: Active,
  body: string,
  lang: string,
  kind: 'letter' | 'registered' = 'letter',
): Promise<string> {
  const sealed = await sealFor({
    from: { address: from.address, keys: from.keys },
    to: [{ address: to.address, keys: to }],
    kind,
    subject: 'Tax information',
    body,
    lang,
  })
  await from.client.submit(sealed.bytes)
  return sealed.id
}

/** `reader` opens letter `id` (once it arrives), and finds `body` in it. */
async function opens(reader: Citizen, id: string, body: string): Promise<void> {
  const opened = await eventually(() => reader.client.open('/letters', id, reader))
  expect(new TextDecoder().decode(opened.body)).toBe(body)
}

/**
 * Rotates digitalpost.dk's operator CA with the CLI and has both nodes take it up (the node its
 * operator directory, both the new trust list). Gives the old and the new CA.
 */
async function rotateCa(pair: Pair) {
  const dk = pair.configs.dk
  const opDir = dk.operatorDir
  const old = await parseCertificate(await readFile(join(opDir, OPERATOR_FILES.caCert), 'utf8'))
  // The operator: a new CA key and its signing request, in a directory of its own.
  const next = await mkdtemp(join(pair.dir, 'dk-next-ca-'))
  const p = dk.profile
  await barid([
    ...['operator', 'init', '--dir', next, '--operator', p.operator, '--country', p.country],
    ...['--name-ar', p.displayName.ar ?? 'x', '--name-da', p.displayName.da ?? 'x'],
    ...['--name-en', p.displayName.en ?? 'x', '--endpoint', endpointOf(dk.publicUrl)],
  ])
  // Governance: a second CA in the operator's entry.
  const admitted = await pair.federation.federation([
    ...['admit', '--add-ca', '--request', join(next, 'admission-request.json')],
  ])
  // The operator installs it, with its revocation list and a node key certified under it (the
  // node certificate must be issued by the CA in the directory); the old node key retires at once.
  const retireAt = String(Math.floor(Date.now() / 1000))
  await barid([
    ...['operator', 'rotate-ca', '--dir', opDir, '--ca-cert', String(admitted.caCertificate)],
    ...['--ca-key', join(next, OPERATOR_FILES.caKey), '--retire-at', retireAt],
  ])
  await pair.nodes.dk.services.trust.reloadNodeKeys({ force: true })
  for (const side of ['eg', 'dk'] as const) await pair.nodes[side].services.trust.held.reload()
  const now = await parseCertificate(await readFile(String(admitted.caCertificate), 'utf8'))
  expect(toBase64Url(now.subjectKeyId!)).toBe(pair.nodes.dk.services.certifier.caKeyId())
  return { old, now }
}

const kidOf = (ca: ParsedCertificate) => toBase64Url(ca.kid!)

/** GET `/.well-known/barid-revocations/<kid>` of `ca` from digitalpost.dk. */
async function requestList(pair: Pair, ca: ParsedCertificate) {
  const dk = pair.nodes.dk
  return dk.app.request(`${dk.url}/.well-known/barid-revocations/${kidOf(ca)}`)
}

/** The list digitalpost.dk serves for `ca`, verified as signed by `ca`. */
async function servedList(pair: Pair, ca: ParsedCertificate) {
  const res = await requestList(pair, ca)
  expect(res.status).toBe(200)
  const bytes = new Uint8Array(await res.arrayBuffer())
  return verifyRevocationList(bytes, { operator: 'digitalpost.dk', cas: [ca] })
}

/** Governance retires `ca` now; both nodes take the new trust list up. */
async function retire(pair: Pair, ca: { serialNumber: string }) {
  await pair.federation.federation([
    ...['retire-ca', '--operator', 'digitalpost.dk', '--serial', ca.serialNumber],
  ])
  for (const side of ['eg', 'dk'] as const) await pair.nodes[side].services.trust.held.reload()
}

/** `r`'s certificates verify now, after the old CA's retirement, as a sender abroad checks them. */
async function verifiesAbroad(pair: Pair, r: Active, ca: { subjectKeyId?: Uint8Array }) {
  const trust = await trustFrom(pair.federation.trustListFile, pair.federation.governanceKeyFile)
  const at = Math.floor(Date.now() / 1000) + 1
  for (const k of r.keys) {
    expect(issuerOf(await readMailboxCertificate(k.certificate))).toBe(
      toBase64Url(ca.subjectKeyId!),
    )
    const v = await verifyMailboxCertificate(trust, k.certificate, {
      operator: 'digitalpost.dk',
      use: k.use,
      at,
    })
    expect(v.kid).toBe(k.kid)
  }
}

describe('operator CA rotation (spec 21.4, 13.4)', () => {
  it('serves the keys of a mailbox under the new CA as soon as the operator rotates its CA, and a letter from abroad reaches it once the old CA is retired', async () => {
    await using pair = await startPair({ config: { trust: { discoveryCooldownSeconds: 1 } } })
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const before = await lookUp(eta, lars.address)

    const { old, now } = await rotateCa(pair)
    // No renewal run, and the certificates a year from expiry: the lookup from Egypt renews.
    const after = await lookUp(eta, lars.address)
    expect(after.keys.map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid))
    expect(after.keys.map((k) => k.jwk)).toEqual(before.keys.map((k) => k.jwk))
    await retire(pair, old)
    await verifiesAbroad(pair, after, now)

    const id = await send(eta, after, 'Oplysninger fra Egypten.', 'da')
    await opens(lars, id, 'Oplysninger fra Egypten.')
  })

  it('moves every key to the new CA in one renewal run without waiting for expiry, so its senders still reach abroad once the old CA is retired', async () => {
    await using pair = await startPair({ config: { trust: { discoveryCooldownSeconds: 1 } } })
    const dk = pair.nodes.dk
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const mona = await makeCitizen(pair, 'eg', 'mona', 'eg:nid:29001011234567')

    const { old, now } = await rotateCa(pair)
    // Skattestyrelsen's two keys and Lars's two, none of them near expiry.
    expect(await dk.renewal.runOnce()).toMatchObject({ otherCa: 4, renewed: 4, more: false })
    expect(await dk.renewal.runOnce()).toMatchObject({ due: 0, otherCa: 0, renewed: 0 })
    const mailbox = await dk.services.storage.getMailboxByAddress(skat.address)
    for (const k of await dk.services.storage.listMailboxKeys(mailbox!.id)) {
      expect(k.certIssuer).toBe(toBase64Url(now.subjectKeyId!))
      expect(issuerOf(await readMailboxCertificate(k.certificate))).toBe(k.certIssuer)
    }
    await retire(pair, old)

    // The sender certificate Skattestyrelsen's letter carries to Egypt is the renewed one.
    const to = await lookUp(skat, mona.address)
    const id = await send(skat, to, 'From Denmark.', 'en')
    await opens(mona, id, 'From Denmark.')
  })

  it('serves and reissues the revocation list of each CA under its own key id while the CA is in service, so peers accept the new node certificate at once', async () => {
    await using pair = await startPair({ config: { trust: { discoveryCooldownSeconds: 1 } } })
    const dk = pair.nodes.dk
    const opDir = pair.configs.dk.operatorDir
    const ca = await parseCertificate(await readFile(join(opDir, OPERATOR_FILES.caCert), 'utf8'))
    // An operator directory of an earlier version: one list, revocations.cose, served as the
    // list of the CA that signed it.
    const own = join(opDir, OPERATOR_FILES.revocations(kidOf(ca)))
    await rename(own, join(opDir, OPERATOR_FILES.legacyRevocations))
    const before = await servedList(pair, ca)
    expect(before).toMatchObject({ operator: 'digitalpost.dk' })

    const { old, now } = await rotateCa(pair)
    // Each CA's list under its own key id: the old one goes on from the list it had.
    expect(await servedList(pair, old)).toMatchObject({ sequence: before.sequence })
    expect(await servedList(pair, now)).toMatchObject({ sequence: 1, revoked: [] })
    // Egypt checks the new node certificate against the new CA's list, fetched from Denmark.
    const node = await readFile(join(opDir, OPERATOR_FILES.nodeCert), 'utf8')
    const checked = await pair.nodes.eg.services.trust.held.store.validatePeerChain(node, {
      operator: 'digitalpost.dk',
    })
    expect(toBase64Url(checked.ca.kid!)).toBe(kidOf(now))

    // The old CA's list comes due: the node reissues it, and only it.
    await barid(['operator', 'revoke', '--dir', opDir, `--ca=${kidOf(old)}`, '--days', '1'])
    const due = await servedList(pair, old)
    const run = await dk.services.trust.renewRevocationLists()
    expect(run).toEqual({ reissued: [kidOf(old)], failed: [] })
    const reissued = await servedList(pair, old)
    expect(reissued.sequence).toBe(due.sequence + 1)
    expect(reissued.nextUpdate).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400)

    // Retired, the old CA's last list is still served as it is (spec 21.6.2), never reissued.
    await retire(pair, old)
    expect(await servedList(pair, old)).toMatchObject({ sequence: reissued.sequence })
    await barid(['operator', 'revoke', '--dir', opDir, '--days', '1'])
    expect(await dk.services.trust.renewRevocationLists()).toEqual({
      reissued: [kidOf(now)],
      failed: [],
    })
  })

  it('renews a sender certificate still under the old CA as its letter leaves, without a renewal run, so the letter reaches abroad once the old CA is retired', async () => {
    await using pair = await startPair({ config: { trust: { discoveryCooldownSeconds: 1 } } })
    const dk = pair.nodes.dk
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    const mona = await makeCitizen(pair, 'eg', 'mona', 'eg:nid:29001011234567')

    const { old, now } = await rotateCa(pair)
    await retire(pair, old)
    // No renewal run, and no lookup of Skattestyrelsen's keys: its signing key is still under the
    // retired CA until the letter leaves.
    const mailbox = await dk.services.storage.getMailboxByAddress(skat.address)
    const signing = () =>
      dk.services.storage
        .listMailboxKeys(mailbox!.id)
        .then((keys) => keys.find((k) => k.kid === skat.keys.sign.kidBase64Url)!)
    expect((await signing()).certIssuer).toBe(toBase64Url(old.subjectKeyId!))

    const to = await lookUp(skat, mona.address)
    const id = await send(skat, to, 'From Denmark, under the new CA.', 'en')
    const state = await eventually(async () => {
      const r = (await skat.client.status(id)).recipients[0]!
      expect(r.state).not.toBe('pending')
      return r
    })
    expect(state).toMatchObject({ state: 'delivered', code: null })
    expect((await signing()).certIssuer).toBe(toBase64Url(now.subjectKeyId!))
    await opens(mona, id, 'From Denmark, under the new CA.')
  })

  it('keeps the last list of a CA governance retired across a restart: served, not reissued, and in the evidence bundles of records signed under it', async () => {
    await using pair = await startPair({ config: { trust: { discoveryCooldownSeconds: 1 } } })
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    const mona = await makeCitizen(pair, 'eg', 'mona', 'eg:nid:29001011234567')
    // A registered letter whose first record Denmark signs under its first CA.
    const id = await send(skat, await lookUp(skat, mona.address), 'Afgørelse.', 'da', 'registered')
    await eventually(async () =>
      expect((await skat.client.status(id)).recipients[0]!.state).toBe('delivered'),
    )
    // Times are in seconds: the old node key must retire after the second it signed in.
    await new Promise((r) => setTimeout(r, 1100))
    const { old } = await rotateCa(pair)
    const last = await servedList(pair, old)
    await retire(pair, old)
    // Restarted, Denmark has only its operator directory and data directory to go by.
    await pair.stop('dk')
    await pair.start('dk')
    const res = await clientFetch(pair, 'dk')(
      `${pair.nodes.dk.url}/v1/sender/letters/${id}/evidence-bundle?recipient=${mona.address}`,
      { headers: { authorization: `Bearer ${skat.apiKey}` } },
    )
    expect(res.status).toBe(200)
    const bytes = new Uint8Array(await res.arrayBuffer())
    const lists = readEvidenceBundle(bytes).revocationLists
    const signed = await Promise.all(
      lists.map((l) =>
        verifyRevocationList(l, { operator: 'digitalpost.dk', cas: [old] }).then(
          (v) => v.sequence,
          () => undefined,
        ),
      ),
    )
    expect(signed).toContain(last.sequence)
    expect(await verifyBundleOffline(pair, bytes)).toBe(0)
    expect(await servedList(pair, old)).toMatchObject({ sequence: last.sequence })
    expect(await pair.nodes.dk.services.trust.renewRevocationLists()).toEqual({
      reissued: [],
      failed: [],
    })
  })
})
