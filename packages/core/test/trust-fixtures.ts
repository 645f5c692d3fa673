/**
 * Test-only builders for the trust tests: a small federation (root, two operators with a CA and
 * a node each) with random keys, and helpers to sign trust lists for it. Built once per test file.
 */
import { generateKeyPair, type KeyPair } from '../src/keys/index.js'
import type { ParsedCertificate } from '../src/x509/certificate.js'
import { createCertificate } from '../src/x509/create.js'
import { createTrustList, type TrustListInput } from '../src/trust/trust-list.js'
import type { OperatorEntry } from '../src/trust/types.js'

export const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
export const DAY = 86_400
const START = new Date('2025-01-01T00:00:00Z')

export interface TestOperator {
  id: string
  caKeys: KeyPair
  ca: ParsedCertificate
  nodeKeys: KeyPair
  node: ParsedCertificate
}

export interface TestFederation {
  governance: KeyPair
  rootKeys: KeyPair
  root: ParsedCertificate
  eg: TestOperator
  dk: TestOperator
  /** Another root (not in the list) with an operator CA that claims post.eg. */
  rogue: TestOperator & { root: ParsedCertificate }
}

export async function makeCa(
  root: ParsedCertificate,
  rootKeys: KeyPair,
  id: string,
  notAfter = new Date('2034-12-31T00:00:00Z'),
) {
  const caKeys = await generateKeyPair('Ed25519')
  const ca = await createCertificate({
    role: 'operator-ca',
    subjectName: { commonName: `${id} CA`, country: id.endsWith('.dk') ? 'DK' : 'EG' },
    publicKey: caKeys.publicKey,
    issuer: { certificate: root, privateKey: rootKeys.privateKey },
    operatorId: id,
    notBefore: START,
    notAfter,
  })
  return { caKeys, ca }
}

export async function makeNode(
  ca: ParsedCertificate,
  caKeys: KeyPair,
  options: { notBefore?: Date; notAfter?: Date; keys?: KeyPair } = {},
) {
  const nodeKeys = options.keys ?? (await generateKeyPair('Ed25519'))
  const node = await createCertificate({
    role: 'node',
    subjectName: { commonName: `node.${ca.operatorId}` },
    publicKey: nodeKeys.publicKey,
    issuer: { certificate: ca, privateKey: caKeys.privateKey },
    notBefore: options.notBefore ?? START,
    notAfter: options.notAfter ?? new Date('2026-12-31T00:00:00Z'),
  })
  return { nodeKeys, node }
}

async function makeRoot(): Promise<{ rootKeys: KeyPair; root: ParsedCertificate }> {
  const rootKeys = await generateKeyPair('Ed25519')
  const root = await createCertificate({
    role: 'federation-root',
    subjectName: { commonName: 'Barid Test Root' },
    publicKey: rootKeys.publicKey,
    privateKey: rootKeys.privateKey,
    issuer: 'self',
    notBefore: START,
    notAfter: new Date('2044-12-31T00:00:00Z'),
  })
  return { rootKeys, root }
}

async function makeOperator(
  root: ParsedCertificate,
  rootKeys: KeyPair,
  id: string,
): Promise<TestOperator> {
  const { caKeys, ca } = await makeCa(root, rootKeys, id)
  const { nodeKeys, node } = await makeNode(ca, caKeys)
  return { id, caKeys, ca, nodeKeys, node }
}

let cached: Promise<TestFederation> | undefined

/** The shared test federation (built once per test file). */
export function federation(): Promise<TestFederation> {
  cached ??= (async () => {
    const governance = await generateKeyPair('Ed25519')
    const { rootKeys, root } = await makeRoot()
    const other = await makeRoot()
    const rogue = await makeOperator(other.root, other.rootKeys, 'post.eg')
    return {
      governance,
      rootKeys,
      root,
      eg: await makeOperator(root, rootKeys, 'post.eg'),
      dk: await makeOperator(root, rootKeys, 'digitalpost.dk'),
      rogue: { ...rogue, root: other.root },
    }
  })()
  return cached
}

export function operatorEntry(
  op: Pick<TestOperator, 'id' | 'ca'>,
  overrides: Partial<OperatorEntry> = {},
): OperatorEntry {
  return {
    id: op.id,
    country: op.id.endsWith('.dk') ? 'DK' : 'EG',
    names: { ar: 'بريد', da: 'Post', en: 'Post' },
    endpoints: [`https://barid.${op.id}/`],
    schemes: op.id.endsWith('.dk') ? ['dk:cpr', 'dk:cvr'] : ['eg:nid', 'eg:crn'],
    cas: [{ cert: op.ca.der }],
    status: [{ state: 'active', from: T0 - DAY }],
    ...overrides,
  }
}

export function listInput(
  f: TestFederation,
  overrides: Partial<TrustListInput> = {},
): TrustListInput {
  return {
    federation: 'barid-test',
    sequence: 1,
    issued: T0,
    nextUpdate: T0 + DAY,
    roots: [f.root.der],
    operators: [operatorEntry(f.eg), operatorEntry(f.dk)],
    ...overrides,
  }
}

export async function signedList(
  f: TestFederation,
  signer: KeyPair = f.governance,
  overrides: Partial<TrustListInput> = {},
): Promise<Uint8Array> {
  return createTrustList(listInput(f, overrides), signer)
}

export async function governance(): Promise<KeyPair> {
  return generateKeyPair('Ed25519')
}

/** A fetch that answers from a table of URL -> response factory, recording every request. */
export function fakeFetch(routes: Record<string, () => Response | Promise<Response>>) {
  const calls: string[] = []
  const fetch = async (url: string, init: { redirect: string; signal: AbortSignal }) => {
    calls.push(url)
    if (init.redirect !== 'manual') throw new Error('redirects must not be followed')
    const route = routes[url]
    if (route === undefined) return new Response('not found', { status: 404 })
    return route()
  }
  return { fetch, calls }
}

export function cose(bytes: Uint8Array): Response {
  return new Response(bytes.slice(), {
    status: 200,
    headers: { 'content-type': 'application/cose' },
  })
}
