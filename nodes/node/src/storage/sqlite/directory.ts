/**
 * @module storage/sqlite/directory
 * SQLite implementation of {@link DirectoryStore}: mailboxes, their keys, sender organisations.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { mailboxKeys, mailboxes, senders } from '../schema.js'
import type { DirectoryStore } from '../storage.js'
import type { Mailbox, MailboxKey, Sender } from '../types.js'
import type { Db } from './db.js'

function toMailbox(r: typeof mailboxes.$inferSelect): Mailbox {
  return { ...r }
}

/** @example `const dir = sqliteDirectory(openDb({ file: ':memory:' }))` */
export function sqliteDirectory(db: Db): DirectoryStore {
  // Hot lookups (several per letter) are prepared once, as raw SQL: drizzle's query builder
  // costs ~75 us a call, and its prepared statements still map parameters and rows in
  // JavaScript.
  const c = db.$client
  const MAILBOX = `select id, address, identifier, kind, status, display_name as displayName,
    created_at as createdAt from mailboxes`
  const KEY = `select mailbox_id as mailboxId, kid, use, jwk, certificate, label,
    created_at as createdAt, revoked_at as revokedAt from mailbox_keys`
  const SENDER = `select id, name, mailbox_id as mailboxId, api_key_id as apiKeyId,
    api_key_hash as apiKeyHash, created_at as createdAt from senders`
  const byId = c.prepare<[number], Mailbox>(`${MAILBOX} where id = ?`)
  const byAddress = c.prepare<[string], Mailbox>(`${MAILBOX} where address = ?`)
  const byIdentifier = c.prepare<[string], Mailbox>(`${MAILBOX} where identifier = ?`)
  const currentKeys = c.prepare<[number], MailboxKey>(
    `${KEY} where mailbox_id = ? and revoked_at is null order by id`,
  )
  const allKeys = c.prepare<[number], MailboxKey>(`${KEY} where mailbox_id = ? order by id`)
  // One row by the (mailbox_id, kid) unique index, and only the JWK: the certificate (PEM text)
  // that listing keys also returns is not needed to check a letter's signature.
  const currentJwk = c
    .prepare<[number, string, string], string>(
      `select jwk from mailbox_keys
        where mailbox_id = ? and kid = ? and use = ? and revoked_at is null`,
    )
    .pluck()
  const senderByKeyId = c.prepare<[string], Sender>(`${SENDER} where api_key_id = ?`)
  const senderById = c.prepare<[string], Sender>(`${SENDER} where id = ?`)
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
          createdAt: m.createdAt,
        })
        .returning()
        .get()
      return toMailbox(row)
    },
    async getMailboxById(id) {
      return byId.get(id)
    },
    async getMailboxByAddress(address) {
      return byAddress.get(address)
    },
    async getMailboxByIdentifier(identifier) {
      return byIdentifier.get(identifier)
    },
    async setMailboxStatus(id, status) {
      db.update(mailboxes).set({ status }).where(eq(mailboxes.id, id)).run()
    },
    async addMailboxKey(k) {
      const r = db.insert(mailboxKeys).values(k).onConflictDoNothing().run()
      return r.changes === 1
    },
    async listMailboxKeys(mailboxId, opts) {
      return (opts?.includeRevoked ? allKeys : currentKeys).all(mailboxId)
    },
    async currentKeyJwk(mailboxId, kid, use) {
      return currentJwk.get(mailboxId, kid, use)
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
      return r.changes === 1
    },
    async createSender(s) {
      db.insert(senders).values(s).run()
    },
    async getSenderByApiKeyId(apiKeyId) {
      return senderByKeyId.get(apiKeyId)
    },
    async getSenderById(id) {
      return senderById.get(id)
    },
  }
}
