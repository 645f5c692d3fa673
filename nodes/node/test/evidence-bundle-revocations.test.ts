/**
 * The revocation lists in an exported evidence bundle (spec 21.7), on two real nodes: the sender's
 * node puts in the newest list it holds of every CA that issued a certificate in the bundle (its
 * own CA for its records, the recipient operator's CA for the records that node signed), so that
 * the real `barid evidence verify` checks revocation offline, and a certificate its CA revoked
 * from before a record's time makes that verification fail. When the list of one such CA can be
 * had neither from what the node holds nor from its operator, the export is refused and names
 * that CA rather than answering a bundle the verifier would refuse.
 */
import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '@barid/cli'
import {
  createEvidenceBundle,
  readEvidenceBundle,
  toBase64Url,
  verifyRevocationList,
} from '../src/core.js'
import { peerRevocationDir } from '../src/trust/peer-revocations.js'
import type { Pair } from './harness.js'
import { clientFetch, eventually, etaToLars, startPair } from './harness.js'

/** Runs `barid` in-process in the pair's folder; gives the exit code and its JSON answer. */
async function barid(pair: Pair, args: string[]) {
  let out = ''
  const code = await runCli([...args, '--json'], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (out += s),
    cwd: pair.dir,
  })
  const line = out
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'))
  return { code, json: (line === undefined ? {} : JSON.parse(line)) as Record<string, unknown> }
}

/** Sends a registered letter from Egypt to Denmark and waits until it is delivered. */
async function delivered(pair: Pair) {
  const { eta, lars, send } = await etaToLars(pair, { inProcess: true })
  const id = await send('Afgørelse')
  await eventually(async () =>
    expect((await eta.client.status(id)).recipients[0]!.state).toBe('delivered'),
  )
  return { eta, lars, id }
}

async function exportBundle(pair: Pair, apiKey: string, id: string, recipient: string) {
  return clientFetch(pair, 'eg')(
    `${pair.nodes.eg.url}/v1/sender/letters/${id}/evidence-bundle?recipient=${recipient}`,
    { headers: { authorization: `Bearer ${apiKey}` } },
  )
}

async function verifyOffline(pair: Pair, bytes: Uint8Array) {
  const file = join(pair.dir, `bundle-${randomUUID()}.cbor`)
  await writeFile(file, bytes)
  const f = pair.federation
  return barid(pair, [
    'evidence',
    'verify',
    file,
    '--trust-list',
    f.trustListFile,
    '--governance-key',
    f.governanceKeyFile,
  ])
}

/** The operator whose CA signed each list of the bundle, checked against the trust list. */
async function listOperators(pair: Pair, lists: readonly Uint8Array[]) {
  const store = pair.nodes.eg.services.trust.held.store
  const found: string[] = []
  for (const bytes of lists)
    for (const operator of ['post.eg', 'digitalpost.dk'])
      try {
        await verifyRevocationList(bytes, { operator, cas: store.casOf(operator) })
        found.push(operator)
      } catch {
        // Not this operator's list.
      }
  return found.sort()
}

describe('revocation lists in an exported evidence bundle', () => {
  it('carries the list of each issuing CA and verifies offline with revocation checked', async () => {
    await using pair = await startPair()
    const { eta, lars, id } = await delivered(pair)

    const res = await exportBundle(pair, eta.apiKey, id, lars.address)
    expect(res.status).toBe(200)
    const bytes = new Uint8Array(await res.arrayBuffer())
    const bundle = readEvidenceBundle(bytes)
    expect(await listOperators(pair, bundle.revocationLists)).toEqual([
      'digitalpost.dk',
      'post.eg',
    ])
    const ok = await verifyOffline(pair, bytes)
    expect(ok.code).toBe(0)
    expect(ok.json.revocation).toBe('checked')
    // Why every issuing CA needs its list: with one left out, the verifier refuses the bundle.
    for (const kept of bundle.revocationLists) {
      const partial = createEvidenceBundle({ ...bundle, revocationLists: [kept] })
      const r = await verifyOffline(pair, partial)
      expect(r.code).toBe(1)
      expect(r.json.error).toMatchObject({ code: 'ERR_CERT_REVOCATION_UNAVAILABLE' })
    }
  })

  it('fails offline verification with ERR_CERT_REVOKED once a signer certificate is revoked in its CA list', async () => {
    await using pair = await startPair()
    const before = new Date(Date.now() - 60_000).toISOString()
    const { eta, lars, id } = await delivered(pair)
    const first = await exportBundle(pair, eta.apiKey, id, lars.address)
    expect((await verifyOffline(pair, new Uint8Array(await first.arrayBuffer()))).code).toBe(0)

    // Denmark revokes its node certificate from before the letter; Egypt learns the new list
    // (as its refresh would) and puts it in the next bundle: the records Denmark signed fail.
    const dkDir = pair.configs.dk.operatorDir
    const dkCert = join(dkDir, 'node.crt.pem')
    const revokeDk = ['operator', 'revoke', '--dir', dkDir, '--cert', dkCert, '--at', before]
    expect((await barid(pair, revokeDk)).code).toBe(0)
    const dkCa = pair.nodes.dk.services.trust.credentials.ca.certificate
    const served = await pair.nodes.dk.services.trust.revocationList(toBase64Url(dkCa.kid!))
    await pair.nodes.eg.services.trust.revocation.install(served!, {
      operator: 'digitalpost.dk',
      cas: [dkCa],
    })
    const revoked = await exportBundle(pair, eta.apiKey, id, lars.address)
    const r = await verifyOffline(pair, new Uint8Array(await revoked.arrayBuffer()))
    expect(r.code).toBe(1)
    expect(r.json.error).toMatchObject({ code: 'ERR_CERT_REVOKED', details: { record: 1 } })

    // Egypt revokes its own node certificate too: its own record, the first, now fails.
    const egDir = pair.configs.eg.operatorDir
    const egCert = join(egDir, 'node.crt.pem')
    const revokeEg = ['operator', 'revoke', '--dir', egDir, '--cert', egCert, '--at', before]
    expect((await barid(pair, revokeEg)).code).toBe(0)
    const own = await exportBundle(pair, eta.apiKey, id, lars.address)
    const o = await verifyOffline(pair, new Uint8Array(await own.arrayBuffer()))
    expect(o.json.error).toMatchObject({ code: 'ERR_CERT_REVOKED', details: { record: 0 } })
  })

  it('refuses the export naming the CA whose list it neither holds nor can fetch', async () => {
    await using pair = await startPair()
    const { eta, lars, id } = await delivered(pair)
    // Egypt restarts without the lists it kept, while Denmark is down.
    await pair.stop('eg')
    await pair.stop('dk')
    await rm(peerRevocationDir(pair.configs.eg.dataDir), { recursive: true, force: true })
    await pair.start('eg')
    const res = await exportBundle(pair, eta.apiKey, id, lars.address)
    expect(res.status).toBe(503)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('ERR_CERT_REVOCATION_UNAVAILABLE')
    const kid = toBase64Url(
      pair.nodes.eg.services.trust.held.store.casOf('digitalpost.dk')[0]!.kid!,
    )
    expect(body.error.message).toContain('digitalpost.dk')
    expect(body.error.message).toContain(kid)
  })
})
