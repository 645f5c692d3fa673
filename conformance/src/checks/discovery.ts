/**
 * @module checks/discovery
 * The discovery document (spec 11.3, 30.3), unknown paths (10.1), request ids (10.3) and the
 * test-control interface's own authentication (30.4).
 */
import { MAX_LETTER_BYTES } from '@barid/core'
import { call } from '../http/http.js'
import { ensure, expectRefusal, type Check } from './check.js'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
/** A feature name of 11.3. */
const FEATURE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** What is wrong with a self-description's `features` (11.3), or undefined when nothing is. */
function featuresProblem(features: unknown): string | undefined {
  if (features === undefined) return undefined
  if (!Array.isArray(features)) return `features is ${typeof features}, not a list`
  if (features.length > 64) return `features lists ${features.length} names, more than 64`
  const bad = features.find(
    (f) => typeof f !== 'string' || f.length > 64 || !FEATURE_NAME.test(f),
  ) as unknown
  if (bad !== undefined) return `features holds ${JSON.stringify(bad)?.slice(0, 80)}, not a name`
  if (new Set(features).size !== features.length) return 'features lists a name twice'
  return undefined
}

export const discoveryChecks: Check[] = [
  {
    id: 'discovery.document',
    title: 'the self-description has the fields of 11.3, and the keys it points to verify',
    group: 'discovery',
    clauses: ['11.3-2', '11.3-4', '11.3-5', '11.3-6', '15.1-2', '30.3-1'],
    kind: 'example',
    async run({ world }) {
      for (const n of [world.a, world.b]) {
        const d = n.discovery
        const p = d.payload
        const where = `node ${n.name}`
        ensure(
          p.v === 1 && typeof p.operator === 'string' && /^[A-Z]{2}$/.test(p.country),
          `${where}: v, operator or country`,
          '11.3-2',
        )
        ensure(
          Array.isArray(p.identifierSchemes) &&
            Array.isArray(p.languages) &&
            typeof p.timeZone === 'string',
          `${where}: schemes, languages or time zone`,
          '11.3-2',
        )
        ensure(
          p.endpoints?.federation?.replace(/\/+$/, '') === n.url,
          `${where}: endpoints.federation is ${p.endpoints?.federation}, not its URL`,
          '30.3-1',
        )
        ensure(
          Number.isInteger(p.limits?.maxTransactionItems) &&
            Number.isInteger(p.limits?.maxLetterBytes),
          `${where}: limits`,
          '11.3-2',
        )
        ensure(
          p.limits.maxLetterBytes >= 1 && p.limits.maxLetterBytes <= MAX_LETTER_BYTES,
          `${where}: maxLetterBytes ${p.limits.maxLetterBytes} is above the protocol's 16 MiB`,
          '11.3-4',
        )
        ensure(
          p.limits.maxTransactionItems === 100,
          `${where}: maxTransactionItems is ${p.limits.maxTransactionItems}, not 100`,
          '11.3-5',
        )
        const problem = featuresProblem(p.features)
        ensure(problem === undefined, `${where}: ${problem}`, '11.3-6')
        if (d.mode === 'jws') {
          ensure(
            d.signatureValid,
            `${where}: the discovery JWS does not verify with its request-signing key`,
            '11.3-2',
          )
          ensure(
            d.header?.alg === 'EdDSA' && d.header?.typ === 'barid-discovery+jws',
            `${where}: protected header ${JSON.stringify(d.header)}`,
            '11.3-2',
          )
          ensure(
            d.header?.kid === d.request.kidBase64Url,
            `${where}: kid is not the request-signing key id`,
            '11.3-2',
          )
          ensure(
            RFC3339.test(p.issuedAt ?? '') &&
              RFC3339.test(p.expiresAt ?? '') &&
              Date.parse(p.expiresAt!) > Date.parse(p.issuedAt!),
            `${where}: issuedAt/expiresAt`,
            '11.3-2',
          )
        } else {
          // The key-discovery document verified against the node's own trust list when read.
          ensure(p.keys === undefined, `${where}: the self-description lists keys`, '11.3-2')
          ensure(
            typeof p.trust?.federation === 'string' && Number.isInteger(p.trust?.sequence),
            `${where}: trust`,
            '11.3-2',
          )
          ensure(
            d.keyDiscovery?.operator === p.operator && d.keyDiscovery.keys.length > 0,
            `${where}: key-discovery document`,
            '11.3-2',
          )
        }
      }
    },
  },
  {
    id: 'http.unknown-path',
    title: 'a request to a path outside the interfaces is refused with ERR_NOT_FOUND',
    group: 'discovery',
    clauses: ['10.1-1', '10.3-4'],
    kind: 'example',
    async run({ world }) {
      for (const n of [world.a, world.b])
        for (const path of ['/v1/nowhere', '/v2/federation/transactions/x', '/.well-known/unknown'])
          expectRefusal(
            await call(`${n.url}${path}`, {}, world.http),
            'ERR_NOT_FOUND',
            '10.1-1',
            `node ${n.name}: GET ${path}`,
          )
    },
  },
  {
    id: 'http.request-id',
    title: "a caller's X-Request-Id is echoed",
    group: 'discovery',
    clauses: ['10.3-3'],
    kind: 'example',
    level: 'SHOULD',
    async run({ world }) {
      for (const n of [world.a, world.b]) {
        const id = `conf-${Date.now().toString(36)}`
        const r = await call(
          `${n.url}/.well-known/barid`,
          { headers: { 'x-request-id': id } },
          world.http,
        )
        ensure(
          r.headers.get('x-request-id') === id,
          `node ${n.name} answered X-Request-Id ${r.headers.get('x-request-id')}`,
          '10.3-3',
        )
      }
    },
  },
  {
    id: 'test-control.auth',
    title: 'the test-control interface refuses a wrong secret',
    group: 'test-control',
    clauses: ['30.4-4', '30.4-1'],
    kind: 'example',
    async run({ world }) {
      for (const n of [world.a, world.b]) {
        expectRefusal(
          await call(
            `${n.url}/v1/test-control`,
            { headers: { authorization: 'Bearer not-the-secret-not-the-secret-xx' } },
            world.http,
          ),
          'ERR_UNAUTHENTICATED',
          '30.4-4',
          `node ${n.name}: a wrong secret`,
        )
        expectRefusal(
          await call(`${n.url}/v1/test-control/mailboxes`, { method: 'POST' }, world.http),
          'ERR_UNAUTHENTICATED',
          '30.4-4',
          `node ${n.name}: no secret`,
        )
      }
    },
  },
]
