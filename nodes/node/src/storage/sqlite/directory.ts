/**
 * @module storage/sqlite/directory
 * SQLite implementation of {@link DirectoryStore}: mailboxes, their keys, sender organisations.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { mailboxKeys, mailboxes, senderApiKeys, senders } from '../schema.js'
import type { DirectoryStore } from '../storage.js'
import type {
  KeyDueForRenewal,
  Mailbox,
  MailboxKey,
  NewMailboxKey,
  Sender,
  SenderApiKey,
  SenderApiKeyIssue,
} from '../types.js'
import type { Db } from './db.js'
import type { DirectoryCache } from './directory-cache.js'

/**
 * The keys under CAs ordered `side` of the current one (parameters: the current CA, the cursor's
 * issuer and id, the limit). By the partial index mailbox_keys_issuer, one range on each side of
 * the current CA: almost every key is under it, and a single `<>` would walk all of them on every
 * step.
 */
export function keysIssuedElsewhere(side: '<' | '>'): string {
  return `select k.id, k.mailbox_id as mailboxId, k.kid, k.use, k.jwk, k.certificate, k.label,
      k.created_at as createdAt, k.revoked_at as revokedAt, k.cert_not_after as certNotAfter,
      k.cert_issuer as certIssuer, m.address
    from mailbox_keys k join mailboxes m on m.id = k.mailbox_id
    where k.revoked_at is null and k.cert_issuer ${side} ?
      and (k.cert_issuer, k.id) > (?, ?)
      and m.status <> 'closed'
    order by k.cert_issuer, k.id limit ?`
}

function apiKeyRow(k: SenderApiKey): typeof senderApiKeys.$inferInsert {
  return {
    keyId: k.keyId,
    senderId: k.senderId,
    keyHash: k.hash,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
  }
}

type MailboxRaw = Omit<Mailbox, 'displayNames'> & { displayNames: string | null }

function toMailbox(r: MailboxRaw): Mailbox {
  const { displayNames, ...rest } = r
  return displayNames === null
    ? rest
    : { ...rest, displayNames: JSON.parse(displayNames) as Record<string, string> }
}

/**
 * @param cache the rows read per request and per letter are served from it; every write here
 *   clears it (see storage/sqlite/directory-cache.ts for why that is enough)
 *
 * @example `const dir = sqliteDirectory(db, directoryCache({ max: 10_000, version: () => 0 }))`
 */
export function sqliteDirectory(db: Db, cache: DirectoryCache): DirectoryStore {
  // Hot lookups (several per letter) are prepared once, as raw SQL: drizzle's query builder
  // costs ~75 us a call, and its prepared statements still map parameters and rows in
  // JavaScript.
  const c = db.$client
  const MAILBOX = `select id, address, identifier, kind, status, display_name as displayName,
    display_names as displayNames, created_at as createdAt from mailboxes`
  const KEY = `select mailbox_id as mailboxId, kid, use, jwk, certificate, label,
    created_at as createdAt, revoked_at as revokedAt, cert_not_after as certNotAfter,
    cert_issuer as certIssuer
    from mailbox_keys`
  const SENDER = `select id, name, mailbox_id as mailboxId, created_at as createdAt from senders`
  const API_KEY = `select key_id as keyId, sender_id as senderId, key_hash as hash,
    created_at as createdAt, expires_at as expiresAt from sender_api_keys`
  const byId = c.prepare<[number], MailboxRaw>(`${MAILBOX} where id = ?`)
  const byAddress = c.prepare<[string], MailboxRaw>(`${MAILBOX} where address = ?`)
  const byIdentifier = c.prepare<[string], MailboxRaw>(`${MAILBOX} where identifier = ?`)
  const mailbox = (r: MailboxRaw | undefined) => (r === undefined ? undefined : toMailbox(r))
  // Newest registration first (spec 13.4): senders encrypt to the first four `enc` keys listed.
  const currentKeys = c.prepare<[number], MailboxKey>(
    `${KEY} where mailbox_id = ? and revoked_at is null order by id desc`,
  )
  const allKeys = c.prepare<[number], MailboxKey>(`${KEY} where mailbox_id = ? order by id desc`)
  // One row by the (mailbox_id, kid) unique index, and only the JWK: the certificate (PEM text)
  // that listing keys also returns is not needed to check a letter's signature.
  const currentJwk = c
    .prepare<[number, string, string], string>(
      `select jwk from mailbox_keys
        where mailbox_id = ? and kid = ? and use = ? and revoked_at is null`,
    )
    .pluck()
  // By the partial index mailbox_keys_renewal, in (cert_not_after, id) order: a pass resumes
  // after the last key it saw, so keys it could not renew do not hold it at the front.
  const dueForRenewal = c.prepare<[number, number, number, number, number], KeyDueForRenewal>(
    `select k.id, k.mailbox_id as mailboxId, k.kid, k.use, k.jwk, k.certificate, k.label,
       k.created_at as createdAt, k.revoked_at as revokedAt, k.cert_not_after as certNotAfter,
       k.cert_issuer as certIssuer, m.address
     from mailbox_keys k join mailboxes m on m.id = k.mailbox_id
     where k.revoked_at is null and k.cert_not_after <= ?
       and (k.cert_not_after > ? or (k.cert_not_after = ? and k.id > ?))
       and m.status <> 'closed'
     order by k.cert_not_after, k.id limit ?`,
  )
  const issuedElsewhere = (side: '<' | '>') =>
    c.prepare<[string, string, number, number], KeyDueForRenewal>(keysIssuedElsewhere(side))
  const issuedBelow = issuedElsewhere('<')
  const issuedAbove = issuedElsewhere('>')
  const renew = c.prepare<[string, number, string, number, string, string]>(
    `update mailbox_keys set certificate = ?, cert_not_after = ?, cert_issuer = ?
     where mailbox_id = ? and kid = ? and certificate = ? and revoked_at is null`,
  )
  const countCurrent = c
    .prepare<[number], number>(
      `select count(*) from mailbox_keys where mailbox_id = ? and revoked_at is null`,
    )
    .pluck()
  const known = c
    .prepare<[number, string], number>(
      `select 1 from mailbox_keys where mailbox_id = ? and kid = ?`,
    )
    .pluck()
  // The limit is counted in the insert's transaction: registrations that run at once cannot
  // each count the keys before the others insert, and together pass it. A key already known
  // (registered again, or revoked) adds no row, so a full mailbox does not refuse it.
  const register = c.transaction((k: NewMailboxKey, maxKeys: number) => {
    if (known.get(k.mailboxId, k.kid) === undefined && countCurrent.get(k.mailboxId)! >= maxKeys)
      return { added: false, full: true, keys: currentKeys.all(k.mailboxId) }
    const added = db.insert(mailboxKeys).values(k).onConflictDoNothing().run().changes === 1
    return { added, full: false, keys: currentKeys.all(k.mailboxId) }
  })
  const senderById = c.prepare<[string], Sender>(`${SENDER} where id = ?`)
  const apiKeyById = c.prepare<[string], SenderApiKey>(`${API_KEY} where key_id = ?`)
  // Live at a time: no end set, or an end after it.
  const liveApiKeys = c.prepare<[string, number], SenderApiKey>(
    `${API_KEY} where sender_id = ? and (expires_at is null or expires_at > ?)
     order by created_at desc, key_id`,
  )
  // Only a key live at the time given: an ended key keeps the end it had.
  const endApiKey = c.prepare<[number, string, string, number]>(
    `update sender_api_keys set expires_at = ?
     where sender_id = ? and key_id = ? and (expires_at is null or expires_at > ?)`,
  )
  const addSender = c.transaction((s: Sender, key: SenderApiKey) => {
    db.insert(senders).values(s).run()
    db.insert(senderApiKeys).values(apiKeyRow(key)).run()
  })
  // The count and the writes in one transaction: two issues at once cannot both see room.
  const issue = c.transaction(
    (key: SenderApiKey, endOthersAt: number, maxLive: number): SenderApiKeyIssue => {
      const others = liveApiKeys.all(key.senderId, key.createdAt)
      const live = 1 + (endOthersAt > key.createdAt ? others.length : 0)
      if (live > maxLive) return { issued: false, live }
      const previous = others.map((k) => {
        const end = k.expiresAt === null ? endOthersAt : Math.min(k.expiresAt, endOthersAt)
        endApiKey.run(end, k.senderId, k.keyId, key.createdAt)
        return { ...k, expiresAt: end }
      })
      db.insert(senderApiKeys).values(apiKeyRow(key)).run()
      return { issued: true, previous }
    },
  )
  return {
    async createMailbox(m) {
      const row = db
        .insert(mailboxes)
        .values({
          address: m.address,
          identifier: m.identifier ?? null,
          kind: m.kind,
          status: m.status ?? 'active',
          displayName: m.displayName ?? null,
          displayNames: m.displayNames === undefined ? null : JSON.stringify(m.displayNames),
          createdAt: m.createdAt,
        })
        .returning()
        .get()
      cache.clear()
      return toMailbox(row)
    },
    async getMailboxById(id) {
      return cache.get(`mailbox:${id}`, () => mailbox(byId.get(id)))
    },
    async getMailboxByAddress(address) {
      return cache.get(`address:${address}`, () => mailbox(byAddress.get(address)))
    },
    async getMailboxByIdentifier(identifier) {
      return mailbox(byIdentifier.get(identifier))
    },
    async setMailboxStatus(id, status) {
      db.update(mailboxes).set({ status }).where(eq(mailboxes.id, id)).run()
      cache.clear()
    },
    async addMailboxKey(k) {
      const r = db.insert(mailboxKeys).values(k).onConflictDoNothing().run()
      cache.clear()
      return r.changes === 1
    },
    async registerMailboxKey(k, o) {
      // Immediate: the count and the insert see one state even were another connection writing.
      const r = register.immediate(k, o.maxKeys)
      cache.clear()
      return r
    },
    async keysDueForRenewal(o) {
      const after = o.after ?? { certNotAfter: -1, id: 0 }
      return dueForRenewal.all(o.before, after.certNotAfter, after.certNotAfter, after.id, o.limit)
    },
    async keysIssuedElsewhere(o) {
      // '' sorts before every key identifier: a fresh pass starts with the keys not read yet.
      const after = o.after ?? { certIssuer: '', id: -1 }
      const below =
        after.certIssuer < o.issuer
          ? issuedBelow.all(o.issuer, after.certIssuer, after.id, o.limit)
          : []
      if (below.length >= o.limit) return below
      // From past the current CA's last key, so that no plan walks the keys under it.
      const from =
        after.certIssuer > o.issuer ? after : { certIssuer: o.issuer, id: Number.MAX_SAFE_INTEGER }
      const above = issuedAbove.all(o.issuer, from.certIssuer, from.id, o.limit - below.length)
      return [...below, ...above]
    },
    async renewKeyCertificate(r) {
      // No cache entry holds a certificate (only mailboxes, JWKs and senders): nothing to clear.
      return (
        renew.run(r.certificate, r.certNotAfter, r.certIssuer, r.mailboxId, r.kid, r.previous)
          .changes === 1
      )
    },
    async listMailboxKeys(mailboxId, opts) {
      return (opts?.includeRevoked ? allKeys : currentKeys).all(mailboxId)
    },
    async currentKeyJwk(mailboxId, kid, use) {
      return cache.get(`jwk:${mailboxId}:${use}:${kid}`, () => currentJwk.get(mailboxId, kid, use))
    },
    async revokeMailboxKey(mailboxId, kid, at) {
      const r = db
        .update(mailboxKeys)
        .set({ revokedAt: at })
        .where(
          and(
            eq(mailboxKeys.mailboxId, mailboxId),
            eq(mailboxKeys.kid, kid),
            isNull(mailboxKeys.revokedAt),
          ),
        )
        .run()
      cache.clear()
      return r.changes === 1
    },
    async createSender(s, key) {
      addSender.immediate(s, key)
      cache.clear()
    },
    async getSenderApiKey(keyId) {
      return cache.get(`api-key:${keyId}`, () => {
        const key = apiKeyById.get(keyId)
        const sender = key && senderById.get(key.senderId)
        return key && sender ? { sender, key } : undefined
      })
    },
    async getSenderById(id) {
      return cache.get(`sender:${id}`, () => senderById.get(id))
    },
    async liveSenderApiKeys(senderId, at) {
      return liveApiKeys.all(senderId, at)
    },
    async issueSenderApiKey(key, o) {
      const r = issue.immediate(key, o.endOthersAt, o.maxLive)
      cache.clear()
      return r
    },
    async endSenderApiKey(senderId, keyId, at) {
      const r = endApiKey.run(at, senderId, keyId, at)
      cache.clear()
      return r.changes === 1
    },
  }
}
