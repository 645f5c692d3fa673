/**
 * @module trust/peer-memory
 * What a node remembers of its peers across restarts, in `<dataDir>/trust/peers.json`:
 *
 * - the node keys of each peer as last seen in a verified key-discovery document (certificate,
 *   retirement time, uses). Once an operator is suspended or withdrawn its documents no longer
 *   verify, yet what it signed as a member must (spec 22.7): the node checks such a signature
 *   with the remembered key against the trust list at the signature's time;
 * - the operators it has exchanged with, in either direction: while the held trust list is
 *   stale, those may go on and every other one is a first contact, refused (spec 20.6).
 *
 * Both are bounded (oldest forgotten first). The file is written atomically after each change
 * and read back with every certificate re-parsed; an entry that no longer parses is dropped. It
 * holds nothing secret, and trusts nothing by itself: a remembered certificate is validated
 * against the held trust list each time it is used.
 */
import { readFile } from 'node:fs/promises'
import {
  fromBase64Url,
  importPublicJwk,
  parseCertificate,
  toBase64Url,
  toHex,
  type NodeKey,
} from '../core.js'
import type { Logger } from '../ops/logger.js'
import { writeAtomic } from './held-list.js'

/** A peer key remembered with the operator whose document listed it. */
export interface RememberedKey {
  readonly operator: string
  readonly key: NodeKey
}

/** The node's memory of its peers. */
export interface PeerMemory {
  /** The remembered key with this id, if any. */
  key(kid: Uint8Array): RememberedKey | undefined
  /** Remembers the keys of `operator`'s verified document (new keys, changed retirements). */
  rememberKeys(operator: string, keys: readonly NodeKey[]): void
  /** Whether this node has exchanged with `operator` before. */
  hasContacted(operator: string): boolean
  /** Records an exchange with `operator`. */
  contacted(operator: string): void
  /** Resolves when everything remembered so far is on disk. */
  flush(): Promise<void>
}

/** Options of {@link openPeerMemory}. */
export interface PeerMemoryOptions {
  /** The file; without one, the memory lasts as long as the process. */
  file?: string
  log?: Logger
  /** Most keys remembered. Default 1024 (64 operators with 16 keys each). */
  maxKeys?: number
  /** Most operators remembered as contacted. Default 1024. */
  maxContacts?: number
}

/** A key as stored: its certificate (DER, base64url), retirement and uses. */
interface StoredKey {
  operator: string
  cert: string
  retired?: number
  use?: readonly string[]
}

const MAX_FILE_BYTES = 4 << 20
const USES = new Set(['request-signing', 'evidence-signing'])

async function revive(s: StoredKey): Promise<RememberedKey | undefined> {
  if (typeof s.operator !== 'string' || typeof s.cert !== 'string') return undefined
  const certificate = await parseCertificate(fromBase64Url(s.cert))
  if (
    certificate.role !== 'node' ||
    certificate.operatorId !== s.operator ||
    certificate.kid === undefined ||
    certificate.publicJwk === undefined
  )
    return undefined
  const uses = s.use ?? [...USES]
  if (!Array.isArray(uses) || uses.length === 0 || !uses.every((u) => USES.has(u))) return undefined
  if (s.retired !== undefined && !Number.isSafeInteger(s.retired)) return undefined
  const { publicKey } = await importPublicJwk(certificate.publicJwk, { use: 'sign' })
  const key: NodeKey = {
    kid: certificate.kid,
    uses: uses as NodeKey['uses'],
    certificate,
    publicKey,
    ...(s.retired === undefined ? {} : { retired: s.retired }),
  }
  return { operator: s.operator, key }
}

function stored(r: RememberedKey): StoredKey {
  return {
    operator: r.operator,
    cert: toBase64Url(r.key.certificate.der),
    ...(r.key.retired === undefined ? {} : { retired: r.key.retired }),
    ...(r.key.uses.length === USES.size ? {} : { use: [...r.key.uses] }),
  }
}

function sameKey(a: NodeKey, b: NodeKey): boolean {
  return (
    a.retired === b.retired &&
    a.uses.join() === b.uses.join() &&
    a.certificate.serialNumber === b.certificate.serialNumber
  )
}

/**
 * Opens the memory, reading `file` if it exists.
 *
 * @example
 * ```ts
 * const memory = await openPeerMemory({ file: join(dataDir, 'trust', 'peers.json'), log })
 * memory.key(kid)?.operator // 'post.eg'
 * ```
 */
export async function openPeerMemory(o: PeerMemoryOptions = {}): Promise<PeerMemory> {
  const maxKeys = o.maxKeys ?? 1024
  const maxContacts = o.maxContacts ?? 1024
  const keys = new Map<string, RememberedKey>()
  const contacts = new Set<string>()

  if (o.file !== undefined) {
    let text: string | undefined
    try {
      const bytes = await readFile(o.file)
      if (bytes.length <= MAX_FILE_BYTES) text = bytes.toString('utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    let dropped = 0
    if (text !== undefined) {
      let doc: { v?: unknown; contacted?: unknown; keys?: unknown } = {}
      try {
        doc = JSON.parse(text) as typeof doc
      } catch {
        dropped++
      }
      if (doc.v === 1) {
        if (Array.isArray(doc.contacted))
          for (const c of doc.contacted.slice(-maxContacts))
            if (typeof c === 'string' && c.length <= 253) contacts.add(c)
        if (Array.isArray(doc.keys))
          for (const s of doc.keys.slice(-maxKeys) as StoredKey[]) {
            const r = await revive(s).catch(() => undefined)
            if (r) keys.set(toHex(r.key.kid), r)
            else dropped++
          }
      }
    }
    if (dropped > 0)
      o.log?.warn('some remembered peer keys no longer parse; they are forgotten', { dropped })
  }

  let writing: Promise<void> = Promise.resolve()
  let dirty = false
  const persist = () => {
    if (o.file === undefined || dirty) return
    dirty = true
    const file = o.file
    writing = writing.then(async () => {
      dirty = false
      const doc = { v: 1, contacted: [...contacts], keys: [...keys.values()].map(stored) }
      try {
        await writeAtomic(file, `${JSON.stringify(doc)}\n`)
      } catch (e) {
        o.log?.error('could not write the remembered peer keys', {
          error: String(e).slice(0, 200),
        })
      }
    })
  }

  return {
    key: (kid) => keys.get(toHex(kid)),
    rememberKeys(operator, list) {
      let changed = false
      for (const key of list) {
        const hex = toHex(key.kid)
        const had = keys.get(hex)
        if (had && had.operator === operator && sameKey(had.key, key)) continue
        keys.delete(hex)
        if (keys.size >= maxKeys) keys.delete(keys.keys().next().value!)
        keys.set(hex, { operator, key })
        changed = true
      }
      if (changed) persist()
    },
    hasContacted: (operator) => contacts.has(operator),
    contacted(operator) {
      if (contacts.has(operator)) return
      if (contacts.size >= maxContacts) contacts.delete(contacts.values().next().value!)
      contacts.add(operator)
      persist()
    },
    flush: () => writing,
  }
}
