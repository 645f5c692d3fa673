/**
 * @module admin/admin
 * Operator actions: open mailboxes, register sender organisations (issuing their first API key;
 * later ones: admin/sender-api-keys.ts), mark a person exempt from digital post. Used by the admin API, the demo and tests.
 */
import {
  BaridError,
  parseIdentifier,
  parseMailboxAddress,
  parseSenderName,
  parseSenderNames,
} from '../core.js'
import { newApiKey } from '../sender/api-keys.js'
import type { NodeServices } from '../services.js'
import type { Mailbox, MailboxKind, MailboxStatus, Sender } from '../storage/types.js'

export interface OpenMailboxInput {
  /** Local part or whole address at this operator. */
  address: string
  identifier?: string
  kind: MailboxKind
  displayName?: string
  /** Names per language (BCP 47 tag to name), for an organisation that sends (spec 15.5). */
  displayNames?: Record<string, string>
  status?: MailboxStatus
}

function addressAtSelf(svc: NodeServices, address: string): string {
  const full = address.includes('@') ? address : `${address}@${svc.directory.self}`
  const p = parseMailboxAddress(full)
  if (p.operator !== svc.directory.self)
    throw new BaridError('ERR_MISROUTED', 'mailboxes are opened at their own operator')
  return p.address
}

/**
 * @example
 * ```ts
 * const mb = await openMailbox(svc, { address: 'lars.jensen', identifier: 'dk:cpr:0101901234', kind: 'person' })
 * ```
 */
export async function openMailbox(svc: NodeServices, m: OpenMailboxInput): Promise<Mailbox> {
  const address = addressAtSelf(svc, m.address)
  const identifier = m.identifier === undefined ? null : parseIdentifier(m.identifier).text
  if (await svc.storage.getMailboxByAddress(address))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'that address is taken')
  if (identifier && (await svc.storage.getMailboxByIdentifier(identifier)))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'that identifier already has a mailbox')
  return svc.storage.createMailbox({
    address,
    identifier,
    kind: m.kind,
    status: m.status ?? 'active',
    displayName: m.displayName ?? null,
    ...(m.displayNames === undefined ? {} : { displayNames: m.displayNames }),
    createdAt: svc.now(),
  })
}

/**
 * Registers a sender organisation with its own mailbox; returns its API key (shown once). Its
 * `name`, and its `names` per language (BCP 47 tag to name) if given, are what recipients are
 * shown (spec 15.5): checked here, `ERR_INVALID_ARGUMENT` for a name or tag out of bounds.
 *
 * @example
 * ```ts
 * const { apiKey } = await registerSender(svc, {
 *   id: 'eta', name: 'Egyptian Tax Authority', address: 'tax',
 *   names: { ar: 'مصلحة الضرائب المصرية', da: 'Den egyptiske skattemyndighed' },
 * })
 * ```
 */
export async function registerSender(
  svc: NodeServices,
  s: { id: string; name: string; address: string; identifier?: string; names?: unknown },
): Promise<{ sender: Sender; mailbox: Mailbox; apiKey: string }> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(s.id))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'sender id must be 1 to 63 of a-z 0-9 -')
  const name = parseSenderName(s.name)
  const names = s.names === undefined ? undefined : parseSenderNames(s.names)
  if (await svc.storage.getSenderById(s.id))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'that sender id is taken')
  const mailbox = await openMailbox(svc, {
    address: s.address,
    identifier: s.identifier,
    kind: 'organisation',
    displayName: name,
    ...(names === undefined ? {} : { displayNames: names }),
  })
  const key = newApiKey()
  const now = svc.now()
  const sender: Sender = { id: s.id, name: s.name, mailboxId: mailbox.id, createdAt: now }
  await svc.storage.createSender(sender, {
    keyId: key.keyId,
    senderId: s.id,
    hash: key.hash,
    createdAt: now,
    expiresAt: null,
  })
  svc.log.info('sender registered', { sender: s.id })
  svc.log.info('sender api key issued', { sender: s.id, keyId: key.keyId })
  return { sender, mailbox, apiKey: key.apiKey }
}

/** Sets a mailbox's status (e.g. `exempt` from digital post). */
export async function setMailboxStatus(
  svc: NodeServices,
  address: string,
  status: MailboxStatus,
): Promise<Mailbox> {
  const mb = await svc.storage.getMailboxByAddress(addressAtSelf(svc, address))
  if (!mb) throw new BaridError('ERR_NOT_FOUND', 'no such mailbox')
  await svc.storage.setMailboxStatus(mb.id, status)
  return { ...mb, status }
}
