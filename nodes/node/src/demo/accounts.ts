/**
 * @module demo/accounts
 * The demo's accounts, opened on the first run in a data directory and reused on later ones
 * (`--data DIR`). A sender's API key is shown once and not kept, so a later run does what an
 * operator does for an organisation that lost its key: it issues a new one and revokes the
 * earlier at once (spec 12.1). The devices' and agencies' private keys are not kept either: each
 * run registers new ones and revokes what earlier runs registered, as a new phone would.
 */
import type { Mailbox } from '../storage/types.js'
import { openMailbox, registerSender } from '../admin/admin.js'
import { rotateSenderApiKey } from '../admin/sender-api-keys.js'
import type { RunningNode } from '../node.js'

/** A sender organisation of the demo and the API key this run uses. */
export interface DemoSender {
  mailbox: Mailbox
  apiKey: string
  /** Registered by an earlier run: this run's key replaced the one it had. */
  reused: boolean
}

/**
 * Registers the sender, or, registered by an earlier run, gives it a new API key.
 *
 * @example
 * ```ts
 * const eta = await demoSender(eg, { id: 'eta', name: 'Egyptian Tax Authority', address: 'tax' })
 * ```
 */
export async function demoSender(
  node: RunningNode,
  s: { id: string; name: string; address: string; identifier?: string },
): Promise<DemoSender> {
  const svc = node.services
  const known = await svc.storage.getSenderById(s.id)
  if (!known) {
    const r = await registerSender(svc, s)
    return { mailbox: r.mailbox, apiKey: r.apiKey, reused: false }
  }
  const { apiKey } = await rotateSenderApiKey(svc, s.id, { graceSeconds: 0 })
  const mailbox = await svc.storage.getMailboxById(known.mailboxId)
  if (!mailbox) throw new Error(`the mailbox of sender ${s.id} is gone from its node`)
  return { mailbox, apiKey, reused: true }
}

/**
 * Opens a person's mailbox, or finds the one an earlier run opened.
 *
 * @example
 * ```ts
 * const { mailbox } = await demoMailbox(dk, { address: 'lars.jensen', identifier: 'dk:cpr:0101901234', displayName: 'Lars Jensen' })
 * ```
 */
export async function demoMailbox(
  node: RunningNode,
  m: { address: string; identifier: string; displayName: string },
): Promise<{ mailbox: Mailbox; reused: boolean }> {
  const svc = node.services
  const known = await svc.storage.getMailboxByIdentifier(m.identifier)
  if (known) return { mailbox: known, reused: true }
  const mailbox = await openMailbox(svc, { ...m, kind: 'person' })
  return { mailbox, reused: false }
}

/** A sender or citizen client of `@barid/client`, as far as its keys go. */
export interface KeyHolder<K extends { kid: string }> {
  registerKeys(o?: { label?: string }): Promise<K[]>
  listKeys(): Promise<readonly { kid: string }[]>
  revokeKey(kid: string): Promise<void>
}

/**
 * Registers the client's keys, then revokes every other current key of its mailbox (those of
 * earlier runs, whose private keys are gone); returns the registered keys and how many went.
 *
 * @example
 * ```ts
 * const { keys, revoked } = await registerFreshKeys(lars, "Lars's phone")
 * ```
 */
export async function registerFreshKeys<K extends { kid: string }>(
  client: KeyHolder<K>,
  label: string,
): Promise<{ keys: K[]; revoked: number }> {
  const keys = await client.registerKeys({ label })
  const mine = new Set(keys.map((k) => k.kid))
  const earlier = (await client.listKeys()).filter((k) => !mine.has(k.kid))
  for (const k of earlier) await client.revokeKey(k.kid)
  return { keys, revoked: earlier.length }
}
