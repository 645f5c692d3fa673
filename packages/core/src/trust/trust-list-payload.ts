/**
 * @module trust/trust-list-payload
 * The trust list payload: canonical CBOR map <-> {@link TrustListContent}
 * (`spec/20-trust-list.md` section 3, `spec/cddl/trust-list.cddl`). Decoding checks every
 * invariant the CDDL cannot say: sorted unique operators, strictly increasing status times,
 * unique governance keys, canonical endpoints. Unknown fields are refused, not ignored.
 */
import { bytesEqual } from '../bytes.js'
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { isOperatorId } from '../address/operator-id.js'
import type { PublicKeyHandle } from '../keys/index.js'
import { coseKeyOf, signingKeyFromCose } from './cose-key.js'
import { parseEndpoint } from './endpoints.js'
import type {
  CaEntry,
  DisplayNames,
  OperatorEntry,
  OperatorState,
  StatusEntry,
  TrustListContent,
} from './types.js'

/** Format version of the trust list payload. */
export const TRUST_LIST_VERSION = 1

/** Limits of the trust list format (spec/20 section 3.4). */
export const TRUST_LIST_LIMITS = {
  maxBytes: 4 << 20,
  maxItems: 200_000,
  maxDepth: 8,
  maxOperators: 1000,
  maxGovernanceKeys: 4,
  maxRoots: 4,
  maxEndpoints: 8,
  maxSchemes: 16,
  maxCas: 8,
  maxCaBytes: 16_384,
  maxStatusEntries: 64,
  /** Characters (Unicode code points) of a display name. */
  maxNameLength: 200,
  maxFederationLength: 64,
} as const

/** Latest time the format accepts: 9999-12-31T23:59:59Z. */
export const MAX_TIME = 253_402_300_799

const CODE = 'ERR_TRUST_LIST_MALFORMED'
const STATES: readonly OperatorState[] = ['active', 'suspended', 'withdrawn']
const COUNTRY = /^[A-Z]{2}$/
// spec/03 section 3: `cc:name`; `opaque` identifiers name their operator and are not listed.
const SCHEME = /^[a-z]{2}:[a-z0-9]{1,15}$/

/**
 * The CBOR value of a trust list payload (encode it with `encodeCanonical`).
 *
 * @example
 * ```ts
 * const payload = encodeCanonical(trustListPayload(content))
 * ```
 */
export function trustListPayload(c: TrustListContent): Map<CborKey, CborValue> {
  const m = new Map<CborKey, CborValue>([
    ['v', TRUST_LIST_VERSION],
    ['federation', c.federation],
    ['seq', c.sequence],
    ['issued', c.issued],
    ['next-update', c.nextUpdate],
    ['gov', c.governanceKeys.map((k) => coseKeyOf(k.publicJwk))],
    ['roots', [...c.roots]],
    ['operators', c.operators.map(operatorValue)],
  ])
  if (c.rollover !== undefined) m.set('rollover', coseKeyOf(c.rollover.publicJwk))
  return m
}

function operatorValue(o: OperatorEntry): CborValue {
  return new Map<CborKey, CborValue>([
    ['id', o.id],
    ['country', o.country],
    [
      'names',
      new Map<CborKey, CborValue>([
        ['ar', o.names.ar],
        ['da', o.names.da],
        ['en', o.names.en],
      ]),
    ],
    ['endpoints', [...o.endpoints]],
    ['schemes', [...o.schemes]],
    [
      'cas',
      o.cas.map((ca) => {
        const e = new Map<CborKey, CborValue>([['cert', ca.cert]])
        if (ca.until !== undefined) e.set('until', ca.until)
        return e
      }),
    ],
    [
      'status',
      o.status.map(
        (s) =>
          new Map<CborKey, CborValue>([
            ['state', s.state],
            ['from', s.from],
          ]),
      ),
    ],
  ])
}

/**
 * Reads a decoded trust list payload into typed content, enforcing spec/20 section 3. Throws
 * `ERR_TRUST_LIST_MALFORMED`, `ERR_UNSUPPORTED_VERSION` or `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const content = await readTrustListPayload(decodeStrict(payload, TRUST_LIST_LIMITS))
 * ```
 */
export async function readTrustListPayload(value: CborValue): Promise<TrustListContent> {
  const r = MapReader.of(value, CODE, 'trust list')
  r.only([
    'v',
    'federation',
    'seq',
    'issued',
    'next-update',
    'gov',
    'rollover',
    'roots',
    'operators',
  ])
  if (r.raw('v') !== TRUST_LIST_VERSION) {
    throw new BaridError('ERR_UNSUPPORTED_VERSION', 'trust list version is not supported')
  }
  const federation = r.text('federation', TRUST_LIST_LIMITS.maxFederationLength)
  if (federation.length === 0) r.fail('federation', 'non-empty text')
  const sequence = r.int('seq', 1, Number.MAX_SAFE_INTEGER)
  const issued = r.int('issued', 0, MAX_TIME)
  const nextUpdate = r.int('next-update', 0, MAX_TIME)
  if (nextUpdate <= issued) r.fail('next-update', 'later than issued')
  const govValues = r.array('gov', TRUST_LIST_LIMITS.maxGovernanceKeys)
  if (govValues.length === 0) r.fail('gov', 'at least one governance key')
  const governanceKeys: PublicKeyHandle[] = []
  for (const g of govValues) {
    const key = await signingKeyFromCose(g, CODE)
    if (governanceKeys.some((k) => bytesEqual(k.kid, key.kid))) r.fail('gov', 'unique keys')
    governanceKeys.push(key)
  }
  let rollover: PublicKeyHandle | undefined
  if (r.has('rollover')) {
    rollover = await signingKeyFromCose(r.raw('rollover'), CODE)
    const kid = rollover.kid
    if (governanceKeys.some((k) => bytesEqual(k.kid, kid)))
      r.fail('rollover', 'a key not already in gov')
  }
  const rootValues = r.array('roots', TRUST_LIST_LIMITS.maxRoots)
  if (rootValues.length === 0) r.fail('roots', 'at least one federation root certificate')
  const roots = rootValues.map((v): Uint8Array => {
    if (v instanceof Uint8Array && v.length > 0 && v.length <= TRUST_LIST_LIMITS.maxCaBytes)
      return v
    return r.fail('roots', `certificates of 1 to ${TRUST_LIST_LIMITS.maxCaBytes} bytes`)
  })
  const operators = r.array('operators', TRUST_LIST_LIMITS.maxOperators).map(readOperator)
  for (let i = 1; i < operators.length; i++) {
    if (!((operators[i - 1] as OperatorEntry).id < (operators[i] as OperatorEntry).id)) {
      r.fail('operators', 'sorted by id without repeats')
    }
  }
  const content = { federation, sequence, issued, nextUpdate, governanceKeys, roots, operators }
  return rollover === undefined ? content : { ...content, rollover }
}

function readOperator(value: CborValue, index: number): OperatorEntry {
  const r = MapReader.of(value, CODE, `operators[${index}]`)
  r.only(['id', 'country', 'names', 'endpoints', 'schemes', 'cas', 'status'])
  const id = r.text('id', 253)
  if (!isOperatorId(id)) r.fail('id', 'a canonical operator id')
  const country = r.text('country', 2)
  if (!COUNTRY.test(country)) r.fail('country', 'an ISO 3166-1 alpha-2 code in upper case')
  const n = r.mapAt('names').only(['ar', 'da', 'en'])
  const names: DisplayNames = {
    ar: nonEmpty(n, 'ar'),
    da: nonEmpty(n, 'da'),
    en: nonEmpty(n, 'en'),
  }
  const endpointValues = r.array('endpoints', TRUST_LIST_LIMITS.maxEndpoints)
  if (endpointValues.length === 0) r.fail('endpoints', 'at least one endpoint')
  const endpoints = endpointValues.map((e) => parseEndpoint(e, CODE))
  if (new Set(endpoints).size !== endpoints.length) r.fail('endpoints', 'unique')
  const schemes = r.array('schemes', TRUST_LIST_LIMITS.maxSchemes).map((v) => {
    if (typeof v === 'string' && SCHEME.test(v)) return v
    return r.fail('schemes', 'national identifier schemes such as dk:cpr')
  })
  if (new Set(schemes).size !== schemes.length) r.fail('schemes', 'unique')
  const caValues = r.array('cas', TRUST_LIST_LIMITS.maxCas)
  if (caValues.length === 0) r.fail('cas', 'at least one CA certificate')
  const cas = caValues.map((v, i): CaEntry => {
    const c = MapReader.of(v, CODE, `operators[${index}].cas[${i}]`).only(['cert', 'until'])
    const cert = c.bytes('cert', { min: 1, max: TRUST_LIST_LIMITS.maxCaBytes })
    const until = c.optInt('until', 0, MAX_TIME)
    return until === undefined ? { cert } : { cert, until }
  })
  const statusValues = r.array('status', TRUST_LIST_LIMITS.maxStatusEntries)
  if (statusValues.length === 0) r.fail('status', 'at least one status entry')
  const status = statusValues.map((v, i): StatusEntry => {
    const s = MapReader.of(v, CODE, `operators[${index}].status[${i}]`).only(['state', 'from'])
    return { state: s.oneOf('state', STATES), from: s.int('from', 0, MAX_TIME) }
  })
  checkStatusHistory(status, (what) => r.fail('status', what))
  return { id, country, names, endpoints, schemes, cas, status }
}

/**
 * Enforces spec/20 section 4 on a status history: it starts with admission (`active`), times
 * strictly increase, and each step changes the state.
 */
export function checkStatusHistory(
  status: readonly StatusEntry[],
  fail: (what: string) => never,
): void {
  if (status.length === 0 || (status[0] as StatusEntry).state !== 'active')
    fail('a history that starts active')
  for (let i = 1; i < status.length; i++) {
    const prev = status[i - 1] as StatusEntry
    const cur = status[i] as StatusEntry
    if (cur.from <= prev.from) fail('a history with strictly increasing times')
    if (cur.state === prev.state) fail('a history in which each entry changes the state')
  }
}

function nonEmpty(r: MapReader, key: string): string {
  const max = TRUST_LIST_LIMITS.maxNameLength
  // Characters are code points (20.3.1): one outside the BMP is two UTF-16 units.
  const v = r.text(key, 2 * max)
  if ([...v].length > max) r.fail(key, `a name of at most ${max} characters`)
  if (v.trim().length === 0) r.fail(key, 'a non-empty name')
  return v
}
