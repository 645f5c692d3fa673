/**
 * A federation request signed with a key just before its retirement and arriving just after
 * (spec 11.2 step 4, 21.4): the receiver judges the key's retirement at the signature's
 * `created` time, not at its own clock. Real logic throughout: a federation made with the
 * operator CLI, a rotation with `barid operator rotate-node`, the rotated node's discovery
 * document, core's discovery client and trust store, the node's trust directory, and
 * `verifyRequest`; only the clocks are injected.
 */
import fc from 'fast-check'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../config/profile.js'
import {
  DiscoveryClient,
  TrustStore,
  createDiscoveryDocument,
  isBaridError,
  verifyTrustList,
  type KeyPair,
} from '../core.js'
import { loadNodeKeyRing } from '../keys/node-key-ring.js'
import { barid } from '../trust/barid-cli.js'
import { createLocalFederation } from '../trust/local-federation.js'
import { openPeerMemory } from '../trust/peer-memory.js'
import { contentDigest } from './content-digest.js'
import { signRequest, verifyRequest } from './http-signatures.js'
import { createTrustDirectory, type TrustDirectory } from './peer-directory-trust.js'

const NODES = fileURLToPath(new URL('../../../', import.meta.url))
const EG_URL = 'http://127.0.0.1:7401'
const DK_URL = 'http://127.0.0.1:7402'
/** The freshness window W of spec 11.2 (60 s recommended). */
const W = 60

let dir: string
/** Egypt Post's retirement time of its old key (Unix seconds). */
let R: number
let oldKey: KeyPair
let newKey: KeyPair
let directory: TrustDirectory
/** Denmark's clock (Unix seconds), as its trust store and discovery client read it. */
let now = 0

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-request-retired-'))
  const eg = join(dir, 'eg')
  const dk = join(dir, 'dk')
  const fed = await createLocalFederation({
    dir: join(dir, 'federation'),
    operators: [
      { profile: await loadProfile(join(NODES, 'egypt-post')), url: EG_URL, operatorDir: eg },
      { profile: await loadProfile(join(NODES, 'denmark')), url: DK_URL, operatorDir: dk },
    ],
  })
  const start = Math.floor(Date.now() / 1000)
  R = start + 600
  await barid(['operator', 'rotate-node', '--dir', eg, '--retire-at', String(R)])
  const ring = await loadNodeKeyRing(eg, { operator: 'post.eg', now: start })
  oldKey = ring.retired[0]!.keyPair!
  newKey = ring.current.keyPair
  // Egypt Post's discovery document, as its node publishes it after the rotation (spec 22.8).
  const doc = await createDiscoveryDocument(
    {
      operator: 'post.eg',
      issued: start,
      expires: start + 86_400,
      keys: ring.all().map((k) => ({
        certificate: k.certificate.der,
        ...(k.retired === undefined ? {} : { retired: k.retired }),
      })),
    },
    { keyPair: ring.signingAt(start).keyPair, certificate: ring.signingAt(start).certificate.der },
  )
  const list = await verifyTrustList(new Uint8Array(await readFile(fed.trustListFile)), {
    governanceKeys: [JSON.parse(await readFile(fed.governanceKeyFile, 'utf8'))],
    now: start,
  })
  const clock = () => now
  const store = await TrustStore.open(list, { now: clock })
  const served = `${EG_URL}/.well-known/barid-node`
  const discovery = new DiscoveryClient({
    trust: store,
    now: clock,
    maxAge: 86_400,
    fetch: async (url) =>
      url === served
        ? new Response(doc.slice(), { headers: { 'content-type': 'application/cose' } })
        : new Response('not found', { status: 404 }),
  })
  const own = await loadNodeKeyRing(dk, { operator: 'digitalpost.dk', now: start })
  directory = createTrustDirectory({
    self: 'digitalpost.dk',
    store,
    discovery,
    own: () => own,
    memory: await openPeerMemory({ file: join(dir, 'peers.json') }),
  })
}, 60_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const URL_ = `${DK_URL}/v1/federation/transactions/Q0rQ8KfB7Yq3pPqhVh1Kxg`
const body = new TextEncoder().encode('{"letters":[]}')

/** Egypt Post signs at `created`; Denmark verifies at `at` (both Unix seconds). */
async function deliver(key: KeyPair, created: number, at: number): Promise<string> {
  const req = { method: 'PUT', url: URL_, contentDigest: contentDigest(body) }
  const h = await signRequest(req, { privateKey: key.privateKey, keyid: key.kidBase64Url, created })
  now = at
  try {
    const v = await verifyRequest(req, h.signatureInput, h.signature, {
      authority: '127.0.0.1:7402',
      windowSeconds: W,
      now: at,
      requireContentDigest: true,
      // As verify-middleware.ts wires it: the directory judges retirement at `created`.
      resolveKey: async (kid, signedAt) =>
        (await directory.requestKey(kid, signedAt * 1000))?.key.key.publicKey,
      checkNonce: () => undefined,
    })
    return v.keyid === key.kidBase64Url ? 'accepted' : 'wrong key'
  } catch (e) {
    return isBaridError(e) ? e.code : String(e)
  }
}

describe('request signatures across a node key retirement (spec 11.2 step 4)', () => {
  it('accepts a request signed with the old key just before its retirement and arriving just after', async () => {
    expect(await deliver(oldKey, R - 1, R + 2)).toBe('accepted')
    expect(await deliver(oldKey, R - W, R)).toBe('accepted')
  })

  it('refuses a request the old key signed at or after its retirement, even when the receiver’s clock is behind', async () => {
    expect(await deliver(oldKey, R, R)).toBe('ERR_KEY_RETIRED')
    expect(await deliver(oldKey, R + 1, R - 5)).toBe('ERR_KEY_RETIRED')
    expect(await deliver(oldKey, R + W, R + W)).toBe('ERR_KEY_RETIRED')
  })

  it('never lets a signature older than the freshness window reach the retirement check', async () => {
    // An old key's holder cannot backdate: `created` more than W before now is stale first.
    expect(await deliver(oldKey, R - W - 1, R)).toBe('ERR_FED_SIGNATURE_STALE')
    expect(await deliver(oldKey, R - 1, R + W)).toBe('ERR_FED_SIGNATURE_STALE')
  })

  it('decides by created alone for any signing and arrival times within the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -3 * W, max: 3 * W }),
        fc.integer({ min: -W, max: W }),
        async (createdOffset, delay) => {
          const created = R + createdOffset
          expect(await deliver(oldKey, created, created + delay)).toBe(
            created < R ? 'accepted' : 'ERR_KEY_RETIRED',
          )
          expect(await deliver(newKey, created, created + delay)).toBe('accepted')
        },
      ),
      { numRuns: 40 },
    )
  })

  it('still judges a request without its signing time at the receiver’s clock', async () => {
    now = R + 1
    const kid = oldKey.kidBase64Url
    await expect(directory.requestKey(kid)).rejects.toMatchObject({ code: 'ERR_KEY_RETIRED' })
    now = R - 1
    expect((await directory.requestKey(kid))?.peer.operator).toBe('post.eg')
  })
})
