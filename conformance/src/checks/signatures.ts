/**
 * @module checks/signatures
 * Refusals of federation requests that fail authentication (spec 11.1, 11.2), each with the
 * code the spec gives, against both nodes. The target is a directory lookup: signed, harmless,
 * idempotent. A request built without overrides must pass, so each refusal is the override's.
 */
import { jsonBytes } from '../peer/client.js'
import { newOperator } from '../peer/identity.js'
import { contentDigest, authorityOf } from '../peer/signatures.js'
import type { NodeHandle, World } from '../world/world.js'
import { expectRefusal, expectStatus, type Check } from './check.js'
import { federationEntry } from '../peer/identity.js'

const LOOKUP = '/v1/federation/directory/lookup'

function lookupBody(node: NodeHandle): Uint8Array {
  return jsonBytes({ address: `nobody@${node.operator}` })
}

async function eachNode(world: World, f: (n: NodeHandle) => Promise<void>): Promise<void> {
  for (const n of [world.a, world.b]) await f(n)
}

function refusal(
  id: string,
  title: string,
  clauses: string[],
  codes: string[],
  o: (world: World, n: NodeHandle) => Promise<Parameters<World['fed']>[4]>,
  level?: 'SHOULD',
): Check {
  return {
    id,
    title,
    group: 'signatures',
    clauses,
    kind: 'example',
    ...(level ? { level } : {}),
    async run({ world }) {
      await eachNode(world, async (n) => {
        const r = await world.fed(n, 'POST', LOOKUP, lookupBody(n), await o(world, n))
        expectRefusal(r, codes, clauses[0]!, `node ${n.name}: ${title}`)
      })
    },
  }
}

export const signatureChecks: Check[] = [
  {
    id: 'fed.sig.baseline',
    title: 'a correctly signed federation request is accepted',
    group: 'signatures',
    clauses: ['11.2-1', '11.2-7', '11.2-12', '11.6-3'],
    kind: 'example',
    async run({ world }) {
      await eachNode(world, async (n) => {
        const r = await world.fed(n, 'POST', LOOKUP, lookupBody(n))
        expectStatus(r, 200, '11.2-1', `node ${n.name}: a well-signed lookup`)
      })
    },
  },
  refusal(
    'fed.sig.missing',
    'a request without a signature is refused',
    ['11.2-1', '11.2-6'],
    ['ERR_FED_SIGNATURE_MISSING'],
    async () => ({ unsigned: true }),
  ),
  refusal(
    'fed.sig.corrupt',
    'a signature changed by one bit is refused',
    ['11.2-12'],
    ['ERR_FED_SIGNATURE_INVALID'],
    async () => ({ corrupt: true }),
  ),
  refusal(
    'fed.sig.unknown-key',
    'a signature by a key no operator holds is refused',
    ['11.2-11'],
    ['ERR_FED_KEY_UNKNOWN'],
    async () => ({ as: await newOperator('stranger.test') }),
  ),
  refusal(
    'fed.sig.withdrawn',
    'a request signed by a withdrawn operator is refused',
    ['11.1-1', '11.2-11', '11.2-18'],
    ['ERR_FED_KEY_UNKNOWN', 'ERR_OPERATOR_WITHDRAWN'],
    async (w) => ({ as: w.withdrawn }),
  ),
  refusal(
    'fed.sig.stale',
    'a signature created 301 s ago is refused',
    ['11.2-8', '11.2-9'],
    ['ERR_FED_SIGNATURE_STALE'],
    async (w) => ({ created: w.clock.seconds() - 301 }),
  ),
  refusal(
    'fed.sig.future',
    'a signature created 301 s ahead is refused',
    ['11.2-8', '11.2-9'],
    ['ERR_FED_SIGNATURE_STALE'],
    async (w) => ({ created: w.clock.seconds() + 301 }),
  ),
  refusal(
    'fed.sig.window',
    'a signature created 120 s ago is refused (a 60 s window)',
    ['11.2-10'],
    ['ERR_FED_SIGNATURE_STALE'],
    async (w) => ({ created: w.clock.seconds() - 120 }),
    'SHOULD',
  ),
  refusal(
    'fed.sig.expires',
    'a signature past its expires is refused',
    ['11.2-4', '11.2-8'],
    ['ERR_FED_SIGNATURE_STALE'],
    async (w) => ({ sign: { expires: w.clock.seconds() - 5 } }),
  ),
  refusal(
    'fed.sig.alg',
    'a signature whose alg is not ed25519 is refused',
    ['11.2-3', '11.2-7'],
    ['ERR_UNSUPPORTED_ALGORITHM'],
    async () => ({ sign: { alg: 'rsa-pss-sha512' } }),
  ),
  refusal(
    'fed.sig.components',
    'a signature not covering content-digest is refused',
    ['11.2-7', '11.2-2'],
    ['ERR_FED_SIGNATURE_INVALID'],
    async () => ({ sign: { components: ['@method', '@authority', '@path', '@query'] } }),
  ),
  refusal(
    'fed.sig.parameter',
    'a signature with a parameter outside the profile is refused',
    ['11.2-7'],
    ['ERR_FED_SIGNATURE_INVALID'],
    async () => ({ sign: { extra: { foo: 'bar' } } }),
  ),
  refusal(
    'fed.sig.tag',
    'a signature with another tag is refused',
    ['11.2-7'],
    ['ERR_FED_SIGNATURE_INVALID'],
    async () => ({ sign: { tag: 'other-protocol' } }),
  ),
  refusal(
    'fed.sig.destination',
    'a request signed for the other node is refused',
    ['11.2-5'],
    ['ERR_FED_SIGNATURE_INVALID'],
    async (w, n) => ({ sign: { authority: authorityOf((n === w.a ? w.b : w.a).url) } }),
  ),
  refusal(
    'fed.sig.content-digest',
    'content that does not match the signed Content-Digest is refused',
    ['11.2-14'],
    ['ERR_FED_CONTENT_DIGEST'],
    async () => ({
      contentDigest: await contentDigest(jsonBytes({ address: 'someone.else@example.test' })),
    }),
  ),
  {
    id: 'fed.sig.replay',
    title: 'the same signed request sent twice is refused the second time',
    group: 'signatures',
    clauses: ['11.2-13'],
    kind: 'example',
    async run({ world }) {
      await eachNode(world, async (n) => {
        const first = await world.fed(n, 'POST', LOOKUP, lookupBody(n))
        expectStatus(first, 200, '11.2-13', `node ${n.name}: the first request`)
        const again = await world.fed(n, 'POST', LOOKUP, lookupBody(n), {
          replayHeaders: first.sent,
        })
        expectRefusal(again, 'ERR_FED_REPLAY', '11.2-13', `node ${n.name}: the replayed request`)
      })
    },
  },
  {
    id: 'fed.sig.before-content',
    title: 'an unsigned request is refused before its content is read',
    group: 'signatures',
    clauses: ['11.2-15'],
    kind: 'example',
    level: 'SHOULD',
    async run({ world }) {
      await eachNode(world, async (n) => {
        const r = await world.fed(
          n,
          'PUT',
          '/v1/federation/transactions/unsigned-junk',
          new TextEncoder().encode('{"letters": [[[not json'),
          { unsigned: true },
        )
        expectRefusal(
          r,
          'ERR_FED_SIGNATURE_MISSING',
          '11.2-15',
          `node ${n.name}: unsigned request with malformed content`,
        )
      })
    },
  },
  {
    id: 'fed.sig.retired-key',
    title: 'a request-signing key past its retiredAt no longer verifies',
    group: 'signatures',
    clauses: ['11.1-3', '11.2-18'],
    kind: 'example',
    async run({ world }) {
      const retired = {
        ...world.federation,
        operators: world.federation.operators.map((o) =>
          o.operator === world.peer.id.operator
            ? federationEntry(world.peer.id, {
                baseUrl: world.peer.url,
                requestRetiredAt: new Date(world.clock.now() - 3600_000).toISOString(),
              })
            : o,
        ),
      }
      await world.install(retired)
      try {
        await eachNode(world, async (n) => {
          const r = await world.fed(n, 'POST', LOOKUP, lookupBody(n))
          expectRefusal(
            r,
            ['ERR_FED_KEY_UNKNOWN', 'ERR_KEY_RETIRED'],
            '11.1-3',
            `node ${n.name}: a retired key`,
          )
          // 401 like every signature refusal, so that a sender retries (14.3), not gives up.
          expectStatus(r, 401, '11.1-3', `node ${n.name}: a retired key`)
        })
      } finally {
        await world.install()
      }
    },
  },
  {
    id: 'fed.sig.retired-at-created',
    title:
      'a request signed before its key was retired is accepted: retirement is judged at created',
    group: 'signatures',
    clauses: ['11.2-19', '11.2-18'],
    kind: 'example',
    async run({ world }) {
      // Retired 2 s ago, signed 5 s ago: well inside any signature window (11.2-10).
      const retiredAt = new Date(world.clock.now() - 2000).toISOString()
      await world.install({
        ...world.federation,
        operators: world.federation.operators.map((o) =>
          o.operator === world.peer.id.operator
            ? federationEntry(world.peer.id, {
                baseUrl: world.peer.url,
                requestRetiredAt: retiredAt,
              })
            : o,
        ),
      })
      try {
        await eachNode(world, async (n) => {
          const r = await world.fed(n, 'POST', LOOKUP, lookupBody(n), {
            created: world.clock.seconds() - 5,
          })
          expectStatus(r, 200, '11.2-19', `node ${n.name}: signed before the key's retiredAt`)
        })
      } finally {
        await world.install()
      }
    },
  },
]
