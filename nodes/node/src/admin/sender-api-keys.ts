/**
 * @module admin/sender-api-keys
 * Operator actions on a sender organisation's API keys (spec 12.1, 15.5): issue a new key, the
 * previous ones ending at once (a leak) or after a grace period (a planned rotation, so that the
 * organisation's systems can move to the new key without a moment with none); end one key; list
 * the live ones. A new key is shown once; the log names keys by their id, never the secret.
 */
import { BaridError } from '../core.js'
import { newApiKey } from '../sender/api-keys.js'
import type { NodeServices } from '../services.js'
import type { Sender, SenderApiKey } from '../storage/types.js'

/** Keys a sender may hold live at once: the current one and those still in a grace period. */
export const MAX_LIVE_SENDER_API_KEYS = 3

/** The longest grace period a rotation may give the previous keys: 30 days. */
export const MAX_API_KEY_GRACE_SECONDS = 30 * 86_400

/** A key as the admin API shows it: never its hash. */
export interface SenderApiKeyView {
  keyId: string
  createdAt: string
  /** When it stops working; null: when a rotation or revocation says. */
  expiresAt: string | null
}

const iso = (ms: number) => new Date(ms).toISOString()

function view(k: SenderApiKey): SenderApiKeyView {
  return {
    keyId: k.keyId,
    createdAt: iso(k.createdAt),
    expiresAt: k.expiresAt === null ? null : iso(k.expiresAt),
  }
}

async function senderOf(svc: NodeServices, id: string): Promise<Sender> {
  const sender = await svc.storage.getSenderById(id)
  if (!sender) throw new BaridError('ERR_NOT_FOUND', 'no such sender')
  return sender
}

/**
 * Issues a new API key for the sender `id`, shown once; the sender's previous keys end when
 * `graceSeconds` (a whole number, 0 to {@link MAX_API_KEY_GRACE_SECONDS}) have passed, or sooner
 * if they were already to end sooner. With `graceSeconds: 0` they stop at once: the answer to a
 * leaked key, possible however many keys the sender holds. A rotation that would leave the sender
 * more than {@link MAX_LIVE_SENDER_API_KEYS} live keys is refused (`ERR_INPUT_TOO_LARGE`).
 *
 * @example
 * ```ts
 * const { apiKey } = await rotateSenderApiKey(svc, 'eta', { graceSeconds: 0 })
 * ```
 */
export async function rotateSenderApiKey(
  svc: NodeServices,
  id: string,
  o: { graceSeconds: unknown },
): Promise<{
  sender: Sender
  keyId: string
  apiKey: string
  previous: { keyId: string; expiresAt: string }[]
}> {
  const grace = o.graceSeconds
  if (
    typeof grace !== 'number' ||
    !Number.isSafeInteger(grace) ||
    grace < 0 ||
    grace > MAX_API_KEY_GRACE_SECONDS
  )
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `graceSeconds must be a whole number of seconds from 0 to ${MAX_API_KEY_GRACE_SECONDS}`,
      { details: { field: 'graceSeconds' } },
    )
  const sender = await senderOf(svc, id)
  const key = newApiKey()
  const now = svc.now()
  const r = await svc.storage.issueSenderApiKey(
    { keyId: key.keyId, senderId: sender.id, hash: key.hash, createdAt: now, expiresAt: null },
    { endOthersAt: now + grace * 1000, maxLive: MAX_LIVE_SENDER_API_KEYS },
  )
  if (!r.issued)
    throw new BaridError(
      'ERR_INPUT_TOO_LARGE',
      `the sender would hold more than ${MAX_LIVE_SENDER_API_KEYS} live API keys: revoke one, or rotate with graceSeconds 0`,
      { details: { limit: MAX_LIVE_SENDER_API_KEYS } },
    )
  svc.log.info('sender api key issued', { sender: sender.id, keyId: key.keyId })
  for (const p of r.previous) {
    const fields = { sender: sender.id, keyId: p.keyId, expiresAt: iso(p.expiresAt!) }
    if (p.expiresAt! <= now) svc.log.info('sender api key revoked', fields)
    else svc.log.info('sender api key ends after its grace period', fields)
  }
  return {
    sender,
    keyId: key.keyId,
    apiKey: key.apiKey,
    previous: r.previous.map((p) => ({ keyId: p.keyId, expiresAt: iso(p.expiresAt!) })),
  }
}

/**
 * Ends the sender's live key `keyId` at once (a key in its grace period that leaked, or one the
 * organisation has stopped using). Ending a sender's last key leaves it without access until
 * the operator issues a new one.
 *
 * @example
 * ```ts
 * await revokeSenderApiKey(svc, 'eta', 'hE2l0xV1Qm3c9ZkA')
 * ```
 */
export async function revokeSenderApiKey(
  svc: NodeServices,
  id: string,
  keyId: string,
): Promise<{ keyId: string; expiresAt: string }> {
  const sender = await senderOf(svc, id)
  const now = svc.now()
  if (!(await svc.storage.endSenderApiKey(sender.id, keyId, now)))
    throw new BaridError('ERR_NOT_FOUND', 'the sender holds no live API key with that id')
  svc.log.info('sender api key revoked', { sender: sender.id, keyId, expiresAt: iso(now) })
  return { keyId, expiresAt: iso(now) }
}

/**
 * The sender's live API keys, newest first.
 *
 * @example
 * ```ts
 * const keys = await listSenderApiKeys(svc, 'eta')
 * ```
 */
export async function listSenderApiKeys(
  svc: NodeServices,
  id: string,
): Promise<SenderApiKeyView[]> {
  const sender = await senderOf(svc, id)
  return (await svc.storage.liveSenderApiKeys(sender.id, svc.now())).map(view)
}
