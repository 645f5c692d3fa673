/**
 * @module storage/storage
 * THE STORAGE SEAM. Every byte of state the node keeps, apart from attachment blobs (see
 * {@link BlobStore}), goes through this interface. The reference implementation is SQLite
 * (`createSqliteStorage`); an operator that outgrows one machine adds a PostgreSQL
 * implementation (drizzle's pg dialect) of the same interface without touching anything else.
 *
 * Contract for implementations:
 * - every method is atomic: it commits all of its writes or none of them;
 * - a method resolves only after its writes are durable (the node acknowledges work to
 *   senders and peers only after the write returns: "write before acknowledge");
 * - uniqueness that the protocol depends on (a letter id; a letter in a mailbox once) is
 *   enforced by the database, not by a read-then-write in application code.
 */
import type {
  BatchItemResult,
  BatchSummary,
  EvidenceRow,
  LetterRow,
  LetterWrite,
  LetterWriteResult,
  ListMailboxOptions,
  Mailbox,
  MailboxEntry,
  MailboxKey,
  MailboxStatus,
  NewMailbox,
  NewOutboxItem,
  OutboxItem,
  OutboxSettlement,
  RecipientStatus,
  Sender,
  StoredResponse,
} from './types.js'

/** Mailboxes, their keys, and sender organisations. */
export interface DirectoryStore {
  createMailbox(m: NewMailbox): Promise<Mailbox>
  getMailboxById(id: number): Promise<Mailbox | undefined>
  getMailboxByAddress(address: string): Promise<Mailbox | undefined>
  getMailboxByIdentifier(identifier: string): Promise<Mailbox | undefined>
  setMailboxStatus(id: number, status: MailboxStatus): Promise<void>
  /** Adds a key; a second key with the same kid for the same mailbox is refused (returns false). */
  addMailboxKey(key: MailboxKey): Promise<boolean>
  listMailboxKeys(mailboxId: number, opts?: { includeRevoked?: boolean }): Promise<MailboxKey[]>
  revokeMailboxKey(mailboxId: number, kid: string, at: number): Promise<boolean>
  createSender(s: Sender): Promise<void>
  getSenderByApiKeyId(apiKeyId: string): Promise<Sender | undefined>
  getSenderById(id: string): Promise<Sender | undefined>
}

/** Letters, mailbox contents and evidence. */
export interface LetterStore {
  /** Applies a {@link LetterWrite} atomically; see {@link LetterWriteResult}. */
  writeLetter(w: LetterWrite): Promise<LetterWriteResult>
  /** Applies several letter writes in one transaction (a federation batch). */
  writeLetters(ws: LetterWrite[]): Promise<LetterWriteResult[]>
  getLetter(id: string): Promise<LetterRow | undefined>
  getLetterBytes(id: string): Promise<Uint8Array | undefined>
  /** Sender-side status of each recipient of a letter. */
  getRecipients(letterId: string): Promise<RecipientStatus[]>
  addEvidence(rows: EvidenceRow[]): Promise<void>
  listEvidence(letterId: string): Promise<EvidenceRow[]>
  getEvidence(id: string): Promise<EvidenceRow | undefined>
  /** The mailboxes that already hold the letter. */
  findDeliveries(letterId: string): Promise<{ mailboxId: number; receivedAt: number }[]>
  listMailbox(mailboxId: number, opts: ListMailboxOptions): Promise<MailboxEntry[]>
  /** Entries newer than `after`, oldest first (push resume). */
  listMailboxAfter(mailboxId: number, after: number, limit: number): Promise<MailboxEntry[]>
  getMailboxEntry(mailboxId: number, letterId: string): Promise<MailboxEntry | undefined>
  /**
   * Marks an entry opened; `first` is true only for the call that changed it, so evidence of
   * retrieval is issued once. `evidence` and `outbox` are written only in that case.
   */
  markOpened(
    mailboxId: number,
    letterId: string,
    at: number,
    then: { evidence: EvidenceRow[]; outbox: NewOutboxItem[] },
  ): Promise<{ found: boolean; first: boolean; openedAt: number | null }>
  deleteEntry(mailboxId: number, letterId: string, at: number): Promise<boolean>
  /** Records an uploaded blob's presence (the bytes live in the {@link BlobStore}). */
  putBlob(digest: string, size: number, at: number): Promise<void>
  getBlob(digest: string): Promise<{ digest: string; size: number } | undefined>
  /**
   * True when a stored letter references the blob; with `mailboxId`, a letter in that mailbox
   * (so a citizen can fetch only attachments of letters they hold).
   */
  isBlobReferenced(digest: string, mailboxId?: number): Promise<boolean>
}

/** The delivery engine's persistent queue. */
export interface OutboxStore {
  /** Operators with pending items due at `now`, with how many. */
  duePeers(now: number): Promise<{ peer: string; due: number }[]>
  /** Up to `limit` pending items for `peer` due at `now`, oldest first, skipping `exclude`. */
  dueItems(
    peer: string,
    now: number,
    limit: number,
    exclude?: ReadonlySet<number>,
  ): Promise<OutboxItem[]>
  /** The earliest `nextAttemptAt` of any pending item, to sleep until then. */
  nextDueAt(): Promise<number | undefined>
  /** Applies the outcome of an attempt to items, with evidence received, atomically. */
  settle(settlements: OutboxSettlement[], evidence: EvidenceRow[], at: number): Promise<void>
  /** Makes every pending item for `peer` due now and forgets its backoff (the peer is back). */
  resetBackoff(peer: string, now: number): Promise<number>
  /** Pending items per peer (for metrics). */
  queueDepth(): Promise<{ peer: string; depth: number }[]>
}

/** First-response records for idempotent requests. */
export interface IdempotencyStore {
  getFedTransaction(origin: string, txid: string): Promise<StoredResponse | undefined>
  putFedTransaction(origin: string, txid: string, r: StoredResponse, at: number): Promise<void>
  getIdempotent(scope: string, key: string): Promise<StoredResponse | undefined>
  putIdempotent(scope: string, key: string, r: StoredResponse, at: number): Promise<void>
}

/** Bulk submissions, stored before they are acknowledged. */
export interface BatchStore {
  createBatch(id: string, senderId: string, items: Uint8Array[], at: number): Promise<void>
  /** Pending items of unfinished batches (for processing and for catch-up after a restart). */
  pendingBatchItems(
    limit: number,
  ): Promise<{ batchId: string; senderId: string; idx: number; bytes: Uint8Array }[]>
  recordBatchResults(
    results: {
      batchId: string
      idx: number
      status: 'accepted' | 'rejected'
      letterId: string | null
      code: string | null
      message: string | null
    }[],
    at: number,
  ): Promise<void>
  getBatch(id: string): Promise<BatchSummary | undefined>
  listBatchItems(id: string, offset: number, limit: number): Promise<BatchItemResult[]>
}

/** Retention housekeeping. */
export interface RetentionStore {
  /**
   * Deletes what retention allows: deleted mailbox entries older than `deletedBefore` (and the
   * letter bytes no mailbox or outbox needs any more), idempotency records older than
   * `idempotencyBefore`, settled outbox items older than `outboxBefore`. Returns blob digests
   * no longer referenced, so the caller can remove them from the {@link BlobStore}.
   */
  purge(opts: {
    deletedBefore: number
    idempotencyBefore: number
    outboxBefore: number
    blobsBefore: number
  }): Promise<{ letters: number; blobs: string[] }>
}

/**
 * The storage seam (see the module comment). Implementations: `createSqliteStorage`.
 *
 * @example
 * ```ts
 * await using storage = createSqliteStorage({ file: ':memory:' })
 * const mb = await storage.createMailbox({ address: 'a@digitalpost.dk', kind: 'person', createdAt: Date.now() })
 * ```
 */
export interface Storage
  extends DirectoryStore, LetterStore, OutboxStore, IdempotencyStore, BatchStore, RetentionStore {
  /** True when the database answers (for `/readyz`). */
  ping(): Promise<boolean>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}
