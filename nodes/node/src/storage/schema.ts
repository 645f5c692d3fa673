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
  /** A sender organisation's names per language, JSON `{tag: name}` (spec 15.5); null for none. */
  displayNames: text('display_names'),
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
    /**
     * The certificate's notAfter, kept beside it so that the renewal worker finds the keys due
     * without parsing every certificate (spec 13.4). 0: not read yet (keys stored before the
     * column), which the worker treats as due and reads first.
     */
    certNotAfter: integer('cert_not_after').notNull().default(0),
    /**
     * The key identifier of the CA that issued the certificate (its authorityKeyIdentifier,
     * base64url), kept so that after an operator CA rotation the renewal worker finds the keys
     * still certified under the old CA without parsing every certificate (spec 13.4, 21.4).
     * '': not read yet (keys stored before the column), which the worker reads first.
     */
    certIssuer: text('cert_issuer').notNull().default(''),
  },
  (t) => [
    uniqueIndex('mailbox_keys_mailbox_kid').on(t.mailboxId, t.kid),
    index('mailbox_keys_renewal')
      .on(t.certNotAfter, t.id)
      .where(sql`revoked_at IS NULL`),
    index('mailbox_keys_issuer')
      .on(t.certIssuer, t.id)
      .where(sql`revoked_at IS NULL`),
  ],
)

/** Sender organisations (agencies, banks); their API keys are in {@link senderApiKeys}. */
export const senders = sqliteTable('senders', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  mailboxId: integer('mailbox_id')
    .notNull()
    .references(() => mailboxes.id),
  createdAt: integer('created_at').notNull(),
})

/**
 * Sender API keys (spec 12.1): the key id and the SHA-256 of the secret, never the secret. A key
 * works until `expires_at` (null: until a rotation or revocation sets it); ended keys stay, so
 * that a key id is never issued twice and the operator can see what a sender held.
 */
export const senderApiKeys = sqliteTable(
  'sender_api_keys',
  {
    keyId: text('key_id').primaryKey(),
    senderId: text('sender_id')
      .notNull()
      .references(() => senders.id),
    keyHash: text('key_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
  },
  (t) => [index('sender_api_keys_sender').on(t.senderId, t.createdAt)],
)

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
    /** BCP 47 tag of the body (header `lang`); null for letters stored before it was kept. */
    lang: text('lang'),
    /**
     * The sender's display names as its operator gave them with the letter, JSON `{"name",
     * "names"}` (spec 11.4); null for a letter that came without them.
     */
    senderDisplay: text('sender_display'),
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
    /**
     * Set when mailbox retention removed the entry (spec 15.4): the row stays as a tombstone
     * (hidden like a deleted entry) so that the letter is never delivered to the mailbox again.
     */
    purgedAt: integer('purged_at'),
  },
  (t) => [
    uniqueIndex('deliveries_letter_mailbox').on(t.letterId, t.mailboxId),
    index('deliveries_mailbox_cursor').on(t.mailboxId, t.id),
    // The unread filter of a listing (13.5) reads only unread entries, newest first, instead of
    // skipping every opened one: its WHERE is the query's, so the planner can use it.
    index('deliveries_unread')
      .on(t.mailboxId, t.id)
      .where(sql`opened_at IS NULL AND deleted_at IS NULL`),
    // Mailbox retention reads entries in delivery order; purged entries leave the index.
    index('deliveries_retention')
      .on(t.receivedAt)
      .where(sql`purged_at IS NULL`),
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
  (t) => [
    index('evidence_letter').on(t.letterId),
    // Evidence retention (15.4) reads records in order of issue time, with their letter, from
    // the index alone (storage/sqlite/evidence-retention.ts).
    index('evidence_retention').on(t.issuedAt, t.letterId),
  ],
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
  (t) => [
    index('outbox_due').on(t.state, t.peer, t.nextAttemptAt),
    // The items of a peer past their delivery deadline, found without reading the rest of its
    // queue: the sweep of a held peer (spec 14.3) runs every idle poll, whatever the backlog.
    index('outbox_overdue')
      .on(t.peer, t.deliverBefore)
      .where(sql`state = 'pending'`),
  ],
)

/**
 * Pending outbox items per peer, kept by triggers on `outbox` (migration 0005): the queue-depth
 * metric reads it instead of counting a queue that a long outage makes millions of items long.
 */
export const outboxDepth = sqliteTable('outbox_depth', {
  peer: text('peer').primaryKey(),
  pending: integer('pending').notNull(),
})

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

// ---------------------------------------------------------------------------------------------
// Registered mail (spec 17) and the transparency log (spec 16). The node never waits on these
// tables on a letter's path: background workers read new evidence and deliveries through feeds
// (a durable cursor per feed, advanced in the same transaction as the work it did).
// ---------------------------------------------------------------------------------------------

/** Delivery terms from the signed letter header (spec 05, 5.3): only letters that have some. */
export const letterTerms = sqliteTable('letter_terms', {
  letterId: text('letter_id').primaryKey(),
  category: text('category', {
    enum: ['registered', 'proof-of-receipt', 'service-of-process'],
  }),
  /** Milliseconds: the letter is not shown before then. */
  visibleFrom: integer('visible_from'),
  title: text('title'),
  replyBy: integer('reply_by'),
})

/** Durable read positions of the background feeds (evidence rowid, delivery id). */
export const feedCursors = sqliteTable('feed_cursors', {
  name: text('name').primaryKey(),
  position: integer('position').notNull(),
})

/** Hashes of complete subtrees of this node's log, by (level, index) (spec 16.5 rule 4). */
export const logNodes = sqliteTable(
  'log_nodes',
  {
    level: integer('level').notNull(),
    idx: integer('idx').notNull(),
    hash: blob('hash', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
)

/** The log's committed size: one row, id 1. */
export const logState = sqliteTable('log_state', {
  id: integer('id').primaryKey(),
  size: integer('size').notNull(),
})

/** Which evidence record is which leaf. */
export const logLeaves = sqliteTable('log_leaves', {
  idx: integer('idx').primaryKey(),
  evidenceId: text('evidence_id').notNull().unique(),
})

/** Checkpoints this node signed for its own log. */
export const logCheckpoints = sqliteTable(
  'log_checkpoints',
  {
    /** Lower-case hex checkpoint digest (spec 16.4.1). */
    digest: text('digest').primaryKey(),
    size: integer('size').notNull(),
    /** Seconds since the epoch, as signed. */
    time: integer('time').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('log_checkpoints_size').on(t.size, t.time)],
)

/**
 * Log resets the governance signed for this node's log and the operator installed (spec 16.12):
 * the newest epoch is the one its checkpoints are signed in.
 */
export const logResets = sqliteTable('log_resets', {
  epoch: integer('epoch').primaryKey(),
  /** The signed reset (COSE_Sign1) as installed. */
  bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  installedAt: integer('installed_at').notNull(),
})

/** Cosignatures witnesses returned for this node's checkpoints. */
export const logCosignatures = sqliteTable(
  'log_cosignatures',
  {
    checkpointDigest: text('checkpoint_digest').notNull(),
    witness: text('witness').notNull(),
    time: integer('time').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.checkpointDigest, t.witness] })],
)

/** As a witness: the last checkpoint accepted from each peer's log (spec 16.6 rule 1). */
export const witnessViews = sqliteTable('witness_views', {
  log: text('log').primaryKey(),
  checkpoint: blob('checkpoint', { mode: 'buffer' }).notNull(),
  size: integer('size').notNull(),
  time: integer('time').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Set once a fork was proven: no more cosignatures for that log (spec 16.6 rule 7). */
  forkedAt: integer('forked_at'),
})

/** Fork statements this node signed as a witness. */
export const forkStatements = sqliteTable('fork_statements', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  log: text('log').notNull(),
  kind: text('kind').notNull(),
  bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  createdAt: integer('created_at').notNull(),
})

/** The receipt queue: evidence about a sender's letters, in the order it arrived (spec 17.5). */
export const receipts = sqliteTable(
  'receipts',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** The sender's mailbox address. */
    sender: text('sender').notNull(),
    evidenceId: text('evidence_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('receipts_sender_evidence').on(t.sender, t.evidenceId),
    index('receipts_sender_seq').on(t.sender, t.seq),
  ],
)

/** How far each sender acknowledged its receipts. */
export const receiptCursors = sqliteTable('receipt_cursors', {
  sender: text('sender').primaryKey(),
  ackedThrough: integer('acked_through').notNull(),
})

/** Registered letters in a mailbox here, waiting for retrieval until a deadline (spec 17.4). */
export const retrievalDeadlines = sqliteTable(
  'retrieval_deadlines',
  {
    letterId: text('letter_id').notNull(),
    mailboxId: integer('mailbox_id').notNull(),
    category: text('category').notNull(),
    dueAt: integer('due_at').notNull(),
    state: text('state', { enum: ['pending', 'done'] }).notNull(),
    outcome: text('outcome'),
  },
  (t) => [
    primaryKey({ columns: [t.letterId, t.mailboxId] }),
    index('retrieval_deadlines_due').on(t.state, t.dueAt),
  ],
)

/** The exemption registry (spec 17.6): residents served on paper, with reason and validity. */
export const exemptions = sqliteTable('exemptions', {
  mailboxId: integer('mailbox_id')
    .primaryKey()
    .references(() => mailboxes.id),
  reason: text('reason').notNull(),
  validFrom: integer('valid_from').notNull(),
  validUntil: integer('valid_until'),
  /** Name and postal address lines for the address window (JSON array of strings). */
  name: text('name').notNull(),
  postalAddress: text('postal_address').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** The print queue (spec 17.6): letters to residents served on paper. */
export const printJobs = sqliteTable(
  'print_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    letterId: text('letter_id').notNull(),
    mailboxId: integer('mailbox_id').notNull(),
    state: text('state', { enum: ['pending', 'queued', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    pages: integer('pages'),
    sheets: integer('sheets'),
    file: text('file'),
    evidenceId: text('evidence_id'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    doneAt: integer('done_at'),
  },
  (t) => [
    uniqueIndex('print_jobs_letter_mailbox').on(t.letterId, t.mailboxId),
    index('print_jobs_due').on(t.state, t.nextAttemptAt),
    index('print_jobs_done').on(t.doneAt),
  ],
)

/** Where a mailbox holder wants to be notified of new letters (spec 17.7). */
export const notificationTargets = sqliteTable(
  'notification_targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mailboxId: integer('mailbox_id')
      .notNull()
      .references(() => mailboxes.id),
    channel: text('channel').notNull(),
    /** The contact on that channel (an e-mail address, a phone number); null for `log`. */
    address: text('address'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('notification_targets_mailbox').on(t.mailboxId)],
)

/** Notifications to send, with their retry state. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mailboxId: integer('mailbox_id').notNull(),
    letterId: text('letter_id').notNull(),
    targetId: integer('target_id').notNull(),
    channel: text('channel').notNull(),
    address: text('address'),
    state: text('state', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    doneAt: integer('done_at'),
  },
  (t) => [
    uniqueIndex('notifications_once').on(t.letterId, t.mailboxId, t.targetId),
    index('notifications_due').on(t.state, t.nextAttemptAt),
  ],
)

/**
 * The verified signing key of a letter's sender, kept for letters relayed here for the paper
 * channel: the print channel verifies the sender's signature again when it opens the letter.
 */
export const letterSenderKeys = sqliteTable('letter_sender_keys', {
  letterId: text('letter_id').primaryKey(),
  kid: text('kid').notNull(),
  /** Public JWK, as JSON text. */
  jwk: text('jwk').notNull(),
})

/**
 * Deliveries held back until the letter's `nbf` (spec 17.2): the letter is accepted and stored
 * at once, and put in the mailbox (with its `delivered` record) only at that time.
 */
export const scheduledDeliveries = sqliteTable(
  'scheduled_deliveries',
  {
    letterId: text('letter_id').notNull(),
    mailboxId: integer('mailbox_id').notNull(),
    address: text('address').notNull(),
    visibleAt: integer('visible_at').notNull(),
    state: text('state', { enum: ['pending', 'done'] }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.letterId, t.mailboxId] }),
    index('scheduled_deliveries_due').on(t.state, t.visibleAt),
  ],
)
