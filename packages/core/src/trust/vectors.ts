/**
 * @module trust/vectors
 * Builds spec/vectors/trust-list.json: trust lists other implementations must accept (with the
 * answers a trust store gives about them) and must refuse with the given code, all from fixed
 * keys. Every signature is Ed25519 (deterministic), so the bytes are reproducible. Keys are
 * derived as seed = SHA-256("barid test key: " + name); they are public test keys, never for use.
 */
import { concatBytes, fromHex, sha256, toHex, utf8 } from '../bytes.js'
import {
  CborTag,
  decodeStrict,
  encodeCanonical,
  type CborKey,
  type CborValue,
} from '../cbor/index.js'
import { signSign1 } from '../cose/sign1.js'
import { signDocument } from '../cose/typed-document.js'
import { exportPrivateJwk, importKeyPair, type KeyPair } from '../keys/index.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import { createCertificate } from '../x509/create.js'
import { createDiscoveryDocument } from './discovery-document.js'
import { createRevocationList } from './revocation-list.js'
import { DOCUMENT_TYPE } from './document-types.js'
import { createTrustList, type TrustListInput } from './trust-list.js'
import { trustListPayload } from './trust-list-payload.js'
import type { OperatorEntry } from './types.js'

/** 2026-01-01T00:00:00Z: the time the vectors are checked at unless an entry says otherwise. */
export const VECTOR_NOW = 1_767_225_600
const DAY = 86_400
const WITHDRAWN = VECTOR_NOW + 3600
const CA_UNTIL = VECTOR_NOW + 7200
const PKCS8_ED25519 = '302e020100300506032b657004220420'

/** The public test key `name`: seed = SHA-256("barid test key: " + name). */
export async function fixedKey(name: string): Promise<KeyPair> {
  const seed = await sha256(utf8(`barid test key: ${name}`))
  const pkcs8 = concatBytes(fromHex(PKCS8_ED25519), seed)
  const key = await crypto.subtle.importKey(
    'pkcs8',
    pkcs8 as Uint8Array<ArrayBuffer>,
    { name: 'Ed25519' },
    true,
    ['sign'],
  )
  const jwk = await crypto.subtle.exportKey('jwk', key)
  return importKeyPair(
    { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d },
    { use: 'sign', extractable: true },
  )
}

/** The vectors' PKI: fixed keys by name, the federation root, two operator CAs, one node each. */
export interface Pki {
  keys: Record<string, KeyPair>
  root: ParsedCertificate
  egCa: ParsedCertificate
  dkCa: ParsedCertificate
  egNode: ParsedCertificate
  dkNode: ParsedCertificate
}

/** Builds the vectors' PKI from fixed keys (also used by ./bundle-vectors.ts). */
export async function makePki(): Promise<Pki> {
  const names = [
    'governance',
    'governance-next',
    'attacker',
    'root',
    'post.eg-ca',
    'digitalpost.dk-ca',
    'post.eg-node',
    'digitalpost.dk-node',
  ]
  const keys: Record<string, KeyPair> = {}
  for (const n of names) keys[n] = await fixedKey(n)
  const k = (n: string) => keys[n] as KeyPair
  const start = new Date('2025-01-01T00:00:00Z')
  const root = await createCertificate({
    role: 'federation-root',
    subjectName: { commonName: 'Barid Vector Root' },
    publicKey: k('root').publicKey,
    privateKey: k('root').privateKey,
    issuer: 'self',
    serialNumber: '01',
    notBefore: start,
    notAfter: new Date('2044-12-31T00:00:00Z'),
  })
  const ca = (id: string, serialNumber: string) =>
    createCertificate({
      role: 'operator-ca',
      subjectName: { commonName: `${id} CA` },
      publicKey: k(`${id}-ca`).publicKey,
      issuer: { certificate: root, privateKey: k('root').privateKey },
      operatorId: id,
      serialNumber,
      notBefore: start,
      notAfter: new Date('2034-12-31T00:00:00Z'),
    })
  const egCa = await ca('post.eg', '02')
  const dkCa = await ca('digitalpost.dk', '03')
  const node = (id: string, issuer: ParsedCertificate, serialNumber: string) =>
    createCertificate({
      role: 'node',
      subjectName: { commonName: `node.${id}` },
      publicKey: k(`${id}-node`).publicKey,
      issuer: { certificate: issuer, privateKey: k(`${id}-ca`).privateKey },
      serialNumber,
      notBefore: start,
      notAfter: new Date('2026-12-31T00:00:00Z'),
    })
  return {
    keys,
    root,
    egCa,
    dkCa,
    egNode: await node('post.eg', egCa, '10'),
    dkNode: await node('digitalpost.dk', dkCa, '11'),
  }
}

function operators(p: Pki, eg: Partial<OperatorEntry> = {}): OperatorEntry[] {
  return [
    {
      id: 'digitalpost.dk',
      country: 'DK',
      names: { ar: 'البريد الرقمي', da: 'Digital Post', en: 'Digital Post' },
      endpoints: ['https://barid.digitalpost.dk/'],
      schemes: ['dk:cpr', 'dk:cvr'],
      cas: [{ cert: p.dkCa.der }],
      status: [{ state: 'active', from: VECTOR_NOW - DAY }],
    },
    {
      id: 'post.eg',
      country: 'EG',
      names: { ar: 'البريد المصري', da: 'Egyptens Post', en: 'Egypt Post' },
      endpoints: ['https://barid.post.eg/'],
      schemes: ['eg:crn', 'eg:nid'],
      cas: [{ cert: p.egCa.der, until: CA_UNTIL }],
      status: [
        { state: 'active', from: VECTOR_NOW - DAY },
        { state: 'withdrawn', from: WITHDRAWN },
      ],
      ...eg,
    },
  ]
}

/** The input of the vectors' base trust list (sequence 2; post.eg withdrawn one hour after `now`). */
export function trustListInput(p: Pki, overrides: Partial<TrustListInput> = {}): TrustListInput {
  return {
    federation: 'barid-vectors',
    sequence: 2,
    issued: VECTOR_NOW,
    nextUpdate: VECTOR_NOW + 7 * DAY,
    roots: [p.root.der],
    operators: operators(p),
    ...overrides,
  }
}

/** Signs an arbitrary payload value as a trust list (for must-fail content). */
async function signRaw(
  payload: CborValue | Uint8Array,
  signer: KeyPair,
  typ: string = DOCUMENT_TYPE.trustList,
): Promise<Uint8Array> {
  return signSign1({
    payload: payload instanceof Uint8Array ? payload : encodeCanonical(payload),
    key: signer.privateKey,
    protectedHeader: new Map<CborKey, CborValue>([
      [4, signer.kid],
      [16, typ],
    ]),
  })
}

function withPayload(
  p: Pki,
  change: (m: Map<CborKey, CborValue>) => void,
): Map<CborKey, CborValue> {
  const m = trustListPayload({
    ...trustListInput(p),
    governanceKeys: [p.keys.governance as KeyPair],
    operators: operators(p),
  })
  change(m)
  return m
}

/** Replaces one field of the first operator entry of a payload map. */
function editFirstOperator(m: Map<CborKey, CborValue>, field: string, value: CborValue): void {
  const ops = m.get('operators') as Map<CborKey, CborValue>[]
  const first = new Map(ops[0])
  first.set(field, value)
  m.set('operators', [first, ...ops.slice(1)])
}

function flip(bytes: Uint8Array, index: number): string {
  const t = bytes.slice()
  t[index] = (t[index] as number) ^ 1
  return toHex(t)
}

export async function makeVectors(): Promise<unknown> {
  const p = await makePki()
  const gov = p.keys.governance as KeyPair
  const next = p.keys['governance-next'] as KeyPair
  const attacker = p.keys.attacker as KeyPair
  const base = await createTrustList(trustListInput(p), gov)
  const held1 = await createTrustList(trustListInput(p, { sequence: 1, issued: VECTOR_NOW - DAY }), gov)
  const announce = await createTrustList(
    trustListInput(p, { sequence: 3, issued: VECTOR_NOW + 60, rollover: next }),
    gov,
  )
  const complete = await createTrustList(
    trustListInput(p, { sequence: 4, issued: VECTOR_NOW + 120, governanceKeys: [next] }),
    next,
  )
  const badAlg = encodeCanonical(
    new CborTag(18, [
      encodeCanonical(
        new Map<CborKey, CborValue>([
          [1, -35],
          [4, gov.kid],
          [16, DOCUMENT_TYPE.trustList],
        ]),
      ),
      new Map(),
      new Uint8Array([0xa0]),
      new Uint8Array(96),
    ]),
  )
  const unsorted = await (async () => {
    const m = withPayload(p, () => undefined)
    const canonical = encodeCanonical(m)
    // Same map with "v" moved first: valid CBOR, not deterministic (RFC 8949 4.2.1).
    const entries = [...m.entries()]
    const v = entries.findIndex(([k]) => k === 'v')
    const reordered = [entries[v]!, ...entries.filter((_, i) => i !== v)]
    const body = reordered.map(([k, val]) => concatBytes(encodeCanonical(k), encodeCanonical(val)))
    const bytes = concatBytes(canonical.subarray(0, 1), ...body)
    decodeStrict(bytes, { canonical: false, maxItems: 1_000_000, maxBytes: 1 << 22 })
    return signRaw(bytes, gov)
  })()
  const hex = toHex
  const invalid: { name: string; hex: string; held?: string; now?: number; reason: string }[] = [
    {
      name: 'signed by a key that is not a governance key',
      hex: hex(await createTrustList(trustListInput(p, { governanceKeys: [attacker] }), attacker)),
      reason: 'ERR_TRUST_LIST_SIGNER_UNKNOWN',
    },
    {
      name: 'signature changed in its last byte',
      hex: flip(base, base.length - 1),
      reason: 'ERR_SIGNATURE_INVALID',
    },
    {
      name: 'payload changed in one byte',
      hex: flip(base, base.length - 200),
      reason: 'ERR_SIGNATURE_INVALID',
    },
    {
      name: 'lower sequence than the held list (rollback)',
      hex: hex(held1),
      held: 'base',
      reason: 'ERR_TRUST_LIST_ROLLBACK',
    },
    {
      name: 'same sequence as the held list, different content',
      hex: hex(await createTrustList(trustListInput(p, { nextUpdate: VECTOR_NOW + 8 * DAY }), gov)),
      held: 'base',
      reason: 'ERR_TRUST_LIST_CONFLICT',
    },
    {
      name: 'issued one hour in the future',
      hex: hex(
        await createTrustList(
          trustListInput(p, { issued: VECTOR_NOW + 3600, nextUpdate: VECTOR_NOW + DAY }),
          gov,
        ),
      ),
      reason: 'ERR_TRUST_LIST_NOT_YET_VALID',
    },
    {
      name: 'unknown payload field',
      hex: hex(
        await signRaw(
          withPayload(p, (m) => m.set('extra', 1)),
          gov,
        ),
      ),
      reason: 'ERR_TRUST_LIST_MALFORMED',
    },
    {
      name: 'version 2',
      hex: hex(
        await signRaw(
          withPayload(p, (m) => m.set('v', 2)),
          gov,
        ),
      ),
      reason: 'ERR_UNSUPPORTED_VERSION',
    },
    {
      name: 'typ of a discovery document',
      hex: hex(
        await signRaw(
          withPayload(p, () => undefined),
          gov,
          DOCUMENT_TYPE.discovery,
        ),
      ),
      reason: 'ERR_TRUST_LIST_MALFORMED',
    },
    {
      name: 'payload not in deterministic encoding',
      hex: hex(unsorted),
      reason: 'ERR_TRUST_LIST_MALFORMED',
    },
    {
      name: "signer not among the list's own governance keys",
      hex: hex(
        await signRaw(
          trustListPayload({ ...trustListInput(p), governanceKeys: [next], operators: operators(p) }),
          gov,
        ),
      ),
      reason: 'ERR_TRUST_LIST_SIGNER_UNKNOWN',
    },
    {
      name: 'unsupported signature algorithm (-35, ES384)',
      hex: hex(badAlg),
      reason: 'ERR_UNSUPPORTED_ALGORITHM',
    },
    {
      name: 'old governance key after a completed rollover',
      hex: hex(await createTrustList(trustListInput(p, { sequence: 5, issued: VECTOR_NOW + 180 }), gov)),
      held: 'rollover-complete',
      reason: 'ERR_TRUST_LIST_SIGNER_RETIRED',
    },
    {
      name: 'new key without an announcement in the held list',
      hex: hex(
        await createTrustList(
          trustListInput(p, { sequence: 3, issued: VECTOR_NOW + 60, governanceKeys: [next] }),
          next,
        ),
      ),
      held: 'base',
      reason: 'ERR_TRUST_LIST_SIGNER_UNKNOWN',
    },
    {
      name: 'operator CA filed under another operator',
      hex: hex(
        await signRaw(
          withPayload(p, (m) => editFirstOperator(m, 'cas', [new Map([['cert', p.egCa.der]])])),
          gov,
        ),
      ),
      reason: 'ERR_CERT_OPERATOR_MISMATCH',
    },
    {
      name: 'status history that does not start with admission',
      hex: hex(
        await signRaw(
          withPayload(p, (m) =>
            editFirstOperator(m, 'status', [
              new Map<CborKey, CborValue>([
                ['from', VECTOR_NOW],
                ['state', 'suspended'],
              ]),
            ]),
          ),
          gov,
        ),
      ),
      reason: 'ERR_TRUST_LIST_MALFORMED',
    },
    {
      name: 'endpoint not in canonical form',
      hex: hex(
        await signRaw(
          withPayload(p, (m) =>
            editFirstOperator(m, 'endpoints', ['HTTPS://barid.digitalpost.dk']),
          ),
          gov,
        ),
      ),
      reason: 'ERR_TRUST_LIST_MALFORMED',
    },
    {
      name: 'operators not sorted by id',
      hex: hex(
        await signRaw(
          withPayload(p, (m) =>
            m.set('operators', [...(m.get('operators') as CborValue[])].reverse()),
          ),
          gov,
        ),
      ),
      reason: 'ERR_TRUST_LIST_MALFORMED',
    },
  ]
  const discovery = await createDiscoveryDocument(
    {
      operator: 'digitalpost.dk',
      issued: VECTOR_NOW,
      expires: VECTOR_NOW + DAY,
      keys: [{ certificate: p.dkNode.der }],
    },
    { keyPair: p.keys['digitalpost.dk-node'] as KeyPair, certificate: p.dkNode.der },
  )
  const discoveryInvalid = await discoveryMustFail(p)
  const revocations = await createRevocationList(
    {
      operator: 'digitalpost.dk',
      sequence: 1,
      issued: VECTOR_NOW,
      nextUpdate: VECTOR_NOW + 7 * DAY,
      revoked: [{ serial: '11', at: VECTOR_NOW + 600, reason: 'key-compromise' }],
    },
    p.keys['digitalpost.dk-ca'] as KeyPair,
  )
  const jwks: Record<string, unknown> = {}
  for (const [n, key] of Object.entries(p.keys)) jwks[n] = await exportPrivateJwk(key)
  return {
    description:
      'Barid trust lists (spec/20-trust-list.md), their certificate binding (spec/21) and discovery (spec/22). ' +
      'Verify each list at `now` (default the top-level `now`) with governance key `governance` (bootstrap) and, when `held` names ' +
      'a valid entry, with that list held. Keys are public Ed25519 test keys: seed = SHA-256("barid test key: " + name). ' +
      'Times are Unix seconds.',
    now: VECTOR_NOW,
    keys: jwks,
    certificates: {
      root: toHex(p.root.der),
      'post.eg-ca': toHex(p.egCa.der),
      'digitalpost.dk-ca': toHex(p.dkCa.der),
      'post.eg-node': toHex(p.egNode.der),
      'digitalpost.dk-node': toHex(p.dkNode.der),
    },
    valid: [
      {
        name: 'base',
        hex: hex(base),
        sequence: 2,
        operators: ['digitalpost.dk', 'post.eg'],
        status: [
          { operator: 'post.eg', at: VECTOR_NOW, state: 'active' },
          { operator: 'post.eg', at: WITHDRAWN - 1, state: 'active' },
          { operator: 'post.eg', at: WITHDRAWN, state: 'withdrawn' },
          { operator: 'post.eg', at: VECTOR_NOW - 2 * DAY, state: 'unknown' },
          { operator: 'digitalpost.dk', at: WITHDRAWN, state: 'active' },
          { operator: 'unknown.example', at: VECTOR_NOW, state: 'unknown' },
        ],
        peers: [
          { certificate: 'post.eg-node', operator: 'post.eg', role: 'node', at: VECTOR_NOW },
          { certificate: 'post.eg-node', operator: 'post.eg', role: 'node', at: WITHDRAWN - 1 },
          {
            certificate: 'post.eg-node',
            operator: 'post.eg',
            role: 'node',
            at: WITHDRAWN,
            reason: 'ERR_OPERATOR_WITHDRAWN',
          },
          {
            certificate: 'post.eg-node',
            operator: 'digitalpost.dk',
            role: 'node',
            at: VECTOR_NOW,
            reason: 'ERR_CERT_OPERATOR_MISMATCH',
          },
          {
            certificate: 'digitalpost.dk-node',
            operator: 'digitalpost.dk',
            role: 'mailbox-signing',
            at: VECTOR_NOW,
            reason: 'ERR_CERT_EXT_KEY_USAGE',
          },
          {
            certificate: 'digitalpost.dk-node',
            operator: 'digitalpost.dk',
            role: 'node',
            at: VECTOR_NOW + 400 * DAY,
            reason: 'ERR_CERT_EXPIRED',
          },
        ],
      },
      { name: 'held-1', hex: hex(held1), sequence: 1 },
      {
        name: 'rollover-announce',
        hex: hex(announce),
        held: 'base',
        sequence: 3,
        rollover: next.kidBase64Url,
      },
      {
        name: 'rollover-complete',
        hex: hex(complete),
        held: 'rollover-announce',
        sequence: 4,
        signer: next.kidBase64Url,
      },
    ],
    invalid,
    discovery: {
      list: 'base',
      operator: 'digitalpost.dk',
      hex: hex(discovery),
      valid: [{ now: VECTOR_NOW }],
      invalid: [
        { name: 'expired', now: VECTOR_NOW + DAY, reason: 'ERR_DISCOVERY_EXPIRED' },
        {
          name: 'read for another operator',
          now: VECTOR_NOW,
          operator: 'post.eg',
          reason: 'ERR_CERT_OPERATOR_MISMATCH',
        },
        ...discoveryInvalid,
      ],
    },
    revocations: {
      operator: 'digitalpost.dk',
      hex: hex(revocations),
      revoked: [{ serial: '11', at: VECTOR_NOW + 600 }],
      invalid: [{ operator: 'post.eg', reason: 'ERR_REVOCATION_LIST_UNTRUSTED' }],
    },
  }
}

/**
 * Discovery documents of digitalpost.dk a verifier must refuse at `VECTOR_NOW`, one check of
 * spec/22 section 3 each. They are signed without createDiscoveryDocument, which refuses to
 * produce most of them.
 */
async function discoveryMustFail(
  p: Pki,
): Promise<{ name: string; hex: string; now: number; reason: string }[]> {
  const dkKey = p.keys['digitalpost.dk-node'] as KeyPair
  const egKey = p.keys['post.eg-node'] as KeyPair
  // A second node of digitalpost.dk, valid under its CA, that the documents below do not list.
  const otherKey = await fixedKey('digitalpost.dk-node-2')
  const other = await createCertificate({
    role: 'node',
    subjectName: { commonName: 'node-2.digitalpost.dk' },
    publicKey: otherKey.publicKey,
    issuer: {
      certificate: p.dkCa,
      privateKey: (p.keys['digitalpost.dk-ca'] as KeyPair).privateKey,
    },
    serialNumber: '12',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2026-12-31T00:00:00Z'),
  })
  const key = (cert: Uint8Array, retired?: number) =>
    new Map<CborKey, CborValue>(
      retired === undefined ? [['cert', cert]] : [['cert', cert], ['retired', retired]],
    )
  const payload = (change: (m: Map<CborKey, CborValue>) => void = () => undefined) => {
    const m = new Map<CborKey, CborValue>([
      ['v', 1],
      ['operator', 'digitalpost.dk'],
      ['issued', VECTOR_NOW],
      ['expires', VECTOR_NOW + DAY],
      ['keys', [key(p.dkNode.der)]],
    ])
    change(m)
    return m
  }
  const sign = (
    m: Map<CborKey, CborValue>,
    signer: KeyPair = dkKey,
    certificate: Uint8Array | null = p.dkNode.der,
    typ: `application/barid-${string}+cose` = DOCUMENT_TYPE.discovery,
  ) => signDocument(m, typ, signer, certificate ?? undefined)
  const flipLast = (bytes: Uint8Array) => {
    const out = bytes.slice()
    out[out.length - 1] = (out[out.length - 1] as number) ^ 0x01
    return out
  }
  const cases: [string, Uint8Array, string][] = [
    [
      'signer not listed (another node key of the operator)',
      await sign(payload(), otherKey, other.der),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'signer retired at issued',
      await sign(payload((m) => m.set('keys', [key(p.dkNode.der, VECTOR_NOW)]))),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'key listed twice',
      await sign(payload((m) => m.set('keys', [key(p.dkNode.der), key(p.dkNode.der)]))),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'signer a node key of another operator',
      await sign(payload((m) => m.set('keys', [key(p.egNode.der)])), egKey, p.egNode.der),
      'ERR_CERT_OPERATOR_MISMATCH',
    ],
    [
      'a listed key of another operator',
      await sign(payload((m) => m.set('keys', [key(p.dkNode.der), key(p.egNode.der)]))),
      'ERR_CERT_OPERATOR_MISMATCH',
    ],
    [
      'a listed certificate that is not a node certificate',
      await sign(payload((m) => m.set('keys', [key(p.dkNode.der), key(p.dkCa.der)]))),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'kid not the x5chain certificate key id',
      await sign(payload(), egKey, p.dkNode.der),
      'ERR_DISCOVERY_MALFORMED',
    ],
    ['no x5chain', await sign(payload(), dkKey, null), 'ERR_DISCOVERY_MALFORMED'],
    [
      'typ of a trust list',
      await sign(payload(), dkKey, p.dkNode.der, DOCUMENT_TYPE.trustList),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'unknown member',
      await sign(payload((m) => m.set('note', 'x'))),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'version 2',
      await sign(payload((m) => m.set('v', 2))),
      'ERR_UNSUPPORTED_VERSION',
    ],
    [
      'issued more than 300 seconds after now',
      await sign(
        payload((m) => {
          m.set('issued', VECTOR_NOW + 3600)
          m.set('expires', VECTOR_NOW + 3600 + DAY)
        }),
      ),
      'ERR_DISCOVERY_MALFORMED',
    ],
    [
      'lifetime over seven days',
      await sign(payload((m) => m.set('expires', VECTOR_NOW + 7 * DAY + 1))),
      'ERR_DISCOVERY_MALFORMED',
    ],
    ['changed signature byte', flipLast(await sign(payload())), 'ERR_SIGNATURE_INVALID'],
  ]
  return cases.map(([name, bytes, reason]) => ({
    name,
    hex: toHex(bytes),
    now: VECTOR_NOW,
    reason,
  }))
}
