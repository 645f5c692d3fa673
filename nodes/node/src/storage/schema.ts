/**
 * @module storage/schema
 * The node's relational schema (drizzle, SQLite dialect). Only the SQLite storage
 * implementation imports this file: everything else talks to the {@link Storage} seam.
 * Migrations under `drizzle/` are generated from it with `npx drizzle-kit generate`.
 *
 * Times are integer milliseconds since the epoch (UTC). Letter bytes are stored exactly as
 * received: sealed (encrypted) COSE structures, never plaintext.
 */
import { sql } from 'drizzle-orm'
import {
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'

/** A mailbox: a person's (identified by a national identifier) or an organisation's. */
export const mailboxes = sqliteTable('mailboxes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  address: text('address').notNull().unique(),
  identifier: text('identifier').unique(),
  kind: text('kind', { enum: ['person', 'organisation'] }).notNull(),
  status: text('status', { enum: ['active', 'exempt', 'closed'] }).notNull(),
  displayName: text('display_name'),
  createdAt: integer('created_at').notNull(),
})

/** Public keys registered for a mailbox, with the node's certification of each. */
export const mailboxKeys = sqliteTable(
  'mailbox_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mailboxId: integer('mailbox_id')
      .notNull()
      .references(() => mailboxes.id),
    kid: text('kid').notNull(),
    use: text('use', { enum: ['enc', 'sig'] }).notNull(),
    jwk: text('jwk').notNull(),
    certificate: text('certificate').notNull(),
    label: text('label'),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('mailbox_keys_mailbox_kid').on(t.mailboxId, t.kid)],
)

/** Sender organisations (agencies, banks) and the hash of their API key. */
export const senders = sqliteTable('senders', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  mailboxId: integer('mailbox_id')
    .notNull()
    .references(() => mailboxes.id),
  apiKeyId: text('api_key_id').notNull().unique(),
  apiKeyHash: text('api_key_hash').notNull(),
  createdAt: integer('created_at').notNull(),
})

/** Every sealed letter this node holds, as ciphertext, with the routing facts it verified. */
export const letters = sqliteTable(
  'letters',
  {
    id: text('id').primaryKey(),
    digest: text('digest').notNull(),
    senderAddress: text('sender_address').notNull(),
    senderKid: text('sender_kid').notNull(),
    kind: text('kind', { enum: ['letter', 'registered'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    threadId: text('thread_id'),
    replyTo: text('reply_to'),
    origin: text('origin').notNull(),
    receivedAt: integer('received_at').notNull(),
    size: integer('size').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }),
  },
  (t) => [index('letters_sender').on(t.senderAddress)],
)

/** The attachment manifest of a letter, as its signed header states it. */
export const letterAttachments = sqliteTable(
  'letter_attachments',
  {
    letterId: text('letter_id')
      .notNull()
      .references(() => letters.id),
    idx: integer('idx').notNull(),
    digest: text('digest').notNull(),
    size: integer('size').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.letterId, t.idx] }),
    index('letter_attachments_digest').on(t.digest),
  ],
)

/** Content-addressed blobs (attachment ciphertext) present in the blob store. */
export const blobs = sqliteTable('blobs', {
  digest: text('digest').primaryKey(),
  size: integer('size').notNull(),
  createdAt: integer('created_at').notNull(),
})

/** Sender-side status of a letter for each of its recipients. */
export const recipients = sqliteTable(
  'recipients',
  {
    letterId: text('letter_id')
      .notNull()
      .references(() => letters.id),
    address: text('address').notNull(),
    state: text('state', {
      enum: ['pending', 'unconfirmed', 'delivered', 'not-delivered'],
    }).notNull(),
    code: text('code'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.letterId, t.address] })],
)

/**
 * Letters placed in a mailbox. The autoincrement id is the mailbox cursor; the unique index on
 * (letter, mailbox) is what makes delivery exactly once.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    letterId: text('letter_id')
      .notNull()
      .references(() => letters.id),
    mailboxId: integer('mailbox_id')
      .notNull()
      .references(() => mailboxes.id),
    receivedAt: integer('received_at').notNull(),
    openedAt: integer('opened_at'),
    deletedAt: integer('deleted_at'),
  },
  (t) => [
    uniqueIndex('deliveries_letter_mailbox').on(t.letterId, t.mailboxId),
    index('deliveries_mailbox_cursor').on(t.mailboxId, t.id),
  ],
)

/** Evidence records (COSE_Sign1 bytes) issued here or received from peers. */
export const evidence = sqliteTable(
  'evidence',
  {
    id: text('id').primaryKey(),
    letterId: text('letter_id').notNull(),
    recipient: text('recipient'),
    type: text('type').notNull(),
    issuer: text('issuer').notNull(),
    issuedAt: integer('issued_at').notNull(),
    prev: text('prev'),
    record: blob('record', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('evidence_letter').on(t.letterId)],
)

/** Work for peers: letters to relay and evidence to return, retried until settled. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    peer: text('peer').notNull(),
    kind: text('kind', { enum: ['letter', 'evidence'] }).notNull(),
    letterId: text('letter_id').notNull(),
    recipient: text('recipient'),
    evidenceId: text('evidence_id'),
    deliverBefore: integer('deliver_before').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    ambiguous: integer('ambiguous', { mode: 'boolean' }).notNull().default(false),
    state: text('state', { enum: ['pending', 'done'] }).notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    doneAt: integer('done_at'),
  },
  (t) => [index('outbox_due').on(t.state, t.peer, t.nextAttemptAt)],
)

/** Inbound federation transactions: the first response, replayed on a retry. */
export const fedTransactions = sqliteTable(
  'fed_transactions',
  {
    origin: text('origin').notNull(),
    txid: text('txid').notNull(),
    requestDigest: text('request_digest').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.origin, t.txid] }), index('fed_tx_created').on(t.createdAt)],
)

/** Sender API Idempotency-Key records. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestDigest: text('request_digest').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idem_created').on(t.createdAt)],
)

/** Bulk submissions: stored whole before they are acknowledged, processed in the background. */
export const batches = sqliteTable('batches', {
  id: text('id').primaryKey(),
  senderId: text('sender_id').notNull(),
  total: integer('total').notNull(),
  createdAt: integer('created_at').notNull(),
  completedAt: integer('completed_at'),
})

/** One letter of a batch, and its result once processed. */
export const batchItems = sqliteTable(
  'batch_items',
  {
    batchId: text('batch_id')
      .notNull()
      .references(() => batches.id),
    idx: integer('idx').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }),
    letterId: text('letter_id'),
    status: text('status', { enum: ['pending', 'accepted', 'rejected'] }).notNull(),
    code: text('code'),
    message: text('message'),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.idx] }),
    index('batch_items_pending')
      .on(t.batchId, t.idx)
      .where(sql`status = 'pending'`),
  ],
)
