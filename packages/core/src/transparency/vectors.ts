/**
 * @module transparency/vectors
 * Builds spec/vectors/transparency.json: RFC 9162 roots and proofs over the Certificate
 * Transparency reference leaves (vectors-merkle), and checkpoints, cosignatures and fork
 * statements signed with fixed Ed25519 keys (vectors-signed; byte-exact, as Ed25519 is
 * deterministic) and checkpoints signed with a fixed ES256 key (every byte but the randomised
 * signature, kept from the committed file: cose/vectors-es256), with objects a verifier must
 * refuse, each with its reason code. Every
 * must-fail case is checked against this implementation while building, so the file cannot
 * record a reason the code disagrees with.
 */
import { concatBytes, fromHex, toHex } from '../bytes.js'
import { CommittedSignatures } from '../cose/vectors-es256.js'
import { importKeyPair } from '../keys/index.js'
import { fixedKey as fixedLetterKey } from '../letter/fixed-keys.js'
import { signCheckpoint } from './checkpoint.js'
import type { KeyResolver, KeyRole } from './envelope.js'
import { buildLog, LEAVES, merkleVectors, T0 } from './vectors-merkle.js'
import { resetVectors } from './vectors-reset.js'
import { signedVectors, type VectorKey } from './vectors-signed.js'

const ED25519_PKCS8 = '302e020100300506032b657004220420'

async function fixedKey(
  operator: string,
  role: KeyRole,
  seed: number,
): Promise<VectorKey> {
  const pkcs8 = concatBytes(
    fromHex(ED25519_PKCS8),
    new Uint8Array(32).fill(seed),
  ) as Uint8Array<ArrayBuffer>
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign'])
  const { key_ops: _o, ext: _e, ...jwk } = await crypto.subtle.exportKey('jwk', key)
  return { operator, role, jwk, pair: await importKeyPair(jwk) }
}

/** A fixed ES256 (P-256) key, for the operator and role given. */
async function fixedEs256Key(operator: string, role: KeyRole, seed: number): Promise<VectorKey> {
  const { jwk } = await fixedLetterKey(`${operator}-${role}-es256`, 'P-256', 'sign', seed)
  return { operator, role, jwk, pair: await importKeyPair(jwk, { use: 'sign' }) }
}

/**
 * The file's content. `committed` is the file as it stands, whose ES256 signatures are reused
 * where nothing else changed.
 *
 * @example
 * ```ts
 * const file = await makeVectors(JSON.parse(readFileSync('spec/vectors/transparency.json', 'utf8')))
 * ```
 */
export async function makeVectors(committed?: unknown): Promise<unknown> {
  const logKey = await fixedKey('post.eg', 'log', 0x61)
  const witnessKey = await fixedKey('digitalpost.dk', 'witness', 0x62)
  const governanceKey = await fixedKey('barid-federation', 'governance', 0x63)
  const es256LogKey = await fixedEs256Key('digitalpost.dk', 'log', 0x64)
  // Not among the keys a verifier trusts: the file lists it apart.
  const unlistedLogKey = await fixedKey('post.eg', 'log', 0x65)
  const all = [logKey, witnessKey, governanceKey, es256LogKey]
  const resolveKey: KeyResolver = (kid, role) => {
    const k = all.find((x) => x.role === role && toHex(x.pair.kid) === toHex(kid))
    return k === undefined ? undefined : { key: k.pair.publicKey, owner: k.operator }
  }
  const leaves = LEAVES.map(fromHex)
  const log = await buildLog(leaves)
  // Restored from a backup of the first 6 leaves, then grown with 2 leaves the lost log did not have.
  const restored = await buildLog([...leaves.slice(0, 6), fromHex('a0'), fromHex('a1')])
  const held = await signCheckpoint(
    { logId: 'post.eg', size: 8, root: await log.root(8), time: T0 + 120 },
    logKey.pair,
  )
  return {
    description:
      'Barid transparency log (spec/16-transparency-log.md). Merkle hashing, inclusion and consistency proofs are RFC 9162 section 2.1 over the Certificate Transparency reference leaves. ' +
      'Keys are Ed25519 or P-256 (ES256) private JWKs (test keys: do not use); kid = RFC 7638 SHA-256 thumbprint. "unlistedKeys" are keys a verifier does not trust (it resolves none of them). ES256 signatures are randomised: an ES256 object is checked by verifying it, not by signing it again. A verifier resolves the log key only for role "log", the witness key only for role "witness", and the governance key (a key of the trust list, section 20; operator is the federation) only for log resets. ' +
      'Signed objects are COSE_Sign1 (hex). Cosignatures are over the checkpoint given beside them.',
    keys: all.map((k) => ({
      operator: k.operator,
      role: k.role,
      kid: toHex(k.pair.kid),
      jwk: k.jwk,
    })),
    unlistedKeys: [unlistedLogKey].map((k) => ({
      operator: k.operator,
      role: k.role,
      kid: toHex(k.pair.kid),
      jwk: k.jwk,
    })),
    merkle: await merkleVectors(log, leaves),
    ...(await signedVectors(log, leaves, logKey, witnessKey, resolveKey, {
      es256LogKey,
      unlistedLogKey,
      pool: CommittedSignatures.of(committed),
    })),
    resets: await resetVectors(
      restored,
      held,
      { log: logKey, witness: witnessKey, governance: governanceKey },
      resolveKey,
    ),
  }
}
