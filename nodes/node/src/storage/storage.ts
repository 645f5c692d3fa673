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
import type { LogCommit, NodeId } from '../core.js'
import type {
  DeliveryCounts,
  DeliveryPlan,
  DueDeadline,
  EvidenceWrite,
  Exemption,
  FeedDelivery,
  FeedEvidence,
  LetterTerms,
  NewReceipt,
  NotificationJob,
  NotificationTarget,
  PrintJob,
  Receipt,
  ScheduledDelivery,
  StoredCheckpoint,
  WitnessView,
} from './registered-types.js'
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
  KeyCertificateRenewal,
  KeyDueForRenewal,
  MailboxKey,
  MailboxStatus,
  NewMailbox,
  NewMailboxKey,
  NewOutboxItem,
  OutboxItem,
  OutboxSettlement,
  RecipientStatus,
  Sender,
  SenderApiKey,
  SenderApiKeyIssue,
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
  addMailboxKey(key: NewMailboxKey): Promise<boolean>
  /**
   * {@link addMailboxKey} unless the key is new and the mailbox already holds `maxKeys` current
   * keys (`full`, nothing written), and the mailbox's current keys as they are right after it
   * (newest registration first), in the same transaction: the limit (spec 13.4) is counted, and
   * what a registration displaced is read, so that a concurrent registration cannot change the
   * list in between.
   */
  registerMailboxKey(
    key: NewMailboxKey,
    o: { maxKeys: number },
  ): Promise<{ added: boolean; full: boolean; keys: MailboxKey[] }>
  /**
   * Unrevoked keys of mailboxes not closed whose certificate's notAfter is at most `before`
   * (ms), oldest notAfter first, at most `limit`, after position `after` (a pass's cursor).
   */
  keysDueForRenewal(o: {
    before: number
    limit: number
    after?: { certNotAfter: number; id: number }
  }): Promise<KeyDueForRenewal[]>
  /**
   * Unrevoked keys of mailboxes not closed whose certificate was issued by another CA than
   * `issuer` (a key identifier, as `certIssuer`), or is not read yet (''), in (`certIssuer`, id)
   * order, at most `limit`, after position `after` (a pass's cursor): after an operator CA
   * rotation, the keys to move to the current CA (spec 21.4).
   */
  keysIssuedElsewhere(o: {
    issuer: string
    limit: number
    after?: { certIssuer: string; id: number }
  }): Promise<KeyDueForRenewal[]>
  /**
   * Replaces the certificate of the unrevoked key `kid` if it is still `previous` (one
   * statement: a renewal happens whole or not at all, and of two racing renewals one wins).
   * Returns whether it replaced it.
   */
  renewKeyCertificate(r: KeyCertificateRenewal): Promise<boolean>
  /**
   * The mailbox's keys, newest registration first (spec 13.4: the order lookups answer in, and
   * senders encrypt to the first four encryption keys). A key registered again keeps its place.
   */
  listMailboxKeys(mailboxId: number, opts?: { includeRevoked?: boolean }): Promise<MailboxKey[]>
  /** The JWK of the mailbox's unrevoked key `kid` for `use`, if there is one (asked per letter). */
  currentKeyJwk(mailboxId: number, kid: string, use: 'sig' | 'enc'): Promise<string | undefined>
  revokeMailboxKey(mailboxId: number, kid: string, at: number): Promise<boolean>
  /** Creates the sender with its first API key, in one transaction. */
  createSender(s: Sender, key: SenderApiKey): Promise<void>
  /** The API key `keyId`, ended or not, with its sender (asked per sender API request). */
  getSenderApiKey(keyId: string): Promise<{ sender: Sender; key: SenderApiKey } | undefined>
  getSenderById(id: string): Promise<Sender | undefined>
  /** The sender's keys that work at `at` (end unset or later), newest first. */
  liveSenderApiKeys(senderId: string, at: number): Promise<SenderApiKey[]>
  /**
   * Adds `key` (live from `key.createdAt`) and ends each other live key of its sender at
   * `endOthersAt` unless it ends sooner, in one transaction; nothing is written when the sender
   * would then hold more than `maxLive` live keys (counted in the transaction, so that issues
   * running at once cannot together pass the limit).
   */
  issueSenderApiKey(
    key: SenderApiKey,
    o: { endOthersAt: number; maxLive: number },
  ): Promise<SenderApiKeyIssue>
  /** Ends the sender's key `keyId` at `at` if it is live then; whether it was. */
  endSenderApiKey(senderId: string, keyId: string, at: number): Promise<boolean>
}

/** Letters, mailbox contents and evidence. */
export interface LetterStore {
  /** Applies a {@link LetterWrite} atomically; see {@link LetterWriteResult}. */
  writeLetter(w: LetterWrite): Promise<LetterWriteResult>
  /** Applies several letter writes in one transaction (a federation batch). */
  writeLetters(ws: LetterWrite[]): Promise<LetterWriteResult[]>
  getLetter(id: string): Promise<LetterRow | undefined>
  getLetterBytes(id: string): Promise<Uint8Array | undefined>
  /**
   * Several letters with their bytes (undefined once purged), in one read: the letters of an
   * outgoing transaction. Ids not found are absent from the map.
   */
  getLettersWithBytes(
    ids: readonly string[],
  ): Promise<Map<string, { letter: LetterRow; bytes: Uint8Array | undefined }>>
  /** Sender-side status of each recipient of a letter. */
  getRecipients(letterId: string): Promise<RecipientStatus[]>
  addEvidence(rows: EvidenceRow[]): Promise<void>
  listEvidence(letterId: string): Promise<EvidenceRow[]>
  getEvidence(id: string): Promise<EvidenceRow | undefined>
  /** The mailboxes that already hold the letter. */
  findDeliveries(letterId: string): Promise<{ mailboxId: number; receivedAt: number }[]>
  /**
   * {@link findDeliveries} of several letters in one read (a federation transaction); letters
   * held nowhere are absent from the map.
   */
  findDeliveriesOf(
    letterIds: readonly string[],
  ): Promise<Map<string, { mailboxId: number; receivedAt: number }[]>>
  /**
   * {@link listEvidence} of several letters in one read, each list in the same order; letters
   * without evidence are absent from the map.
   */
  listEvidenceOf(letterIds: readonly string[]): Promise<Map<string, EvidenceRow[]>>
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
  /** Operators with at least one pending item due at `now` (what the engine asks each pass). */
  peersWithDueItems(now: number): Promise<string[]>
  /**
   * Up to `limit` pending items for `peer` due at `now`, oldest first, skipping `exclude`;
   * none when fewer than `atLeast` (default 1) are due.
   */
  dueItems(
    peer: string,
    now: number,
    limit: number,
    exclude?: ReadonlySet<number>,
    atLeast?: number,
  ): Promise<OutboxItem[]>
  /**
   * Up to `limit` pending items for `peer` whose deadline is before `deadline`, leaving out
   * ambiguous letters whose deadline is not before `ambiguousDeadline` (spec 14.4): what an
   * attempt would settle without contacting the peer, whatever their next attempt time.
   */
  overdueItems(
    peer: string,
    deadline: number,
    ambiguousDeadline: number,
    limit: number,
  ): Promise<OutboxItem[]>
  /** The earliest `nextAttemptAt` of any pending item (for no peer in `exceptPeers`). */
  nextDueAt(exceptPeers?: readonly string[]): Promise<number | undefined>
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

/** What one step of mailbox retention removed (see {@link MailboxRetentionStore}). */
export interface MailboxPurge {
  /** Mailbox entries removed. */
  entries: number
  /** Letters whose ciphertext was deleted (no entry, relay or print job needs it any more). */
  letters: number
  /** Blobs no stored letter references any more: delete them from the {@link BlobStore}. */
  blobs: string[]
  /** True when the step hit its limit: more entries may be due. */
  more: boolean
}

/** Mailbox retention (spec 15.4): `retention.mailboxDays` from delivery. */
export interface MailboxRetentionStore {
  /**
   * Removes up to `limit` mailbox entries delivered before `deliveredBefore`, oldest first, and
   * the ciphertext and attachment manifest of their letters once nothing else needs them; keeps
   * entries of registered letters with a pending retrieval deadline or print job, and entries
   * the delivery feed has not read yet. Never touches evidence or the transparency log. An
   * entry removed stays as a hidden tombstone (`purgedAt`), so the letter is not delivered again.
   */
  purgeMailboxes(opts: {
    deliveredBefore: number
    limit: number
    at: number
  }): Promise<MailboxPurge>
}

/** Where an evidence retention pass stands: the last (issue time, letter) it examined. */
export interface EvidenceCursor {
  issuedAt: number
  letterId: string
}

/** What one step of evidence retention removed (see {@link EvidenceRetentionStore}). */
export interface EvidencePurge {
  /** Evidence records deleted. */
  records: number
  /** Letters whose evidence was deleted (all of it: a letter's records go together). */
  letters: number
  /** Acknowledged receipts (17.5) deleted with the records they named. */
  receipts: number
  /** Where the next step of the pass starts; pass it back as `after`. */
  next: EvidenceCursor | undefined
  /** True when the step stopped at its limit: more records may be due after `next`. */
  more: boolean
}

/** Evidence retention (spec 15.4): `retention.evidenceYears` from issue. */
export interface EvidenceRetentionStore {
  /**
   * Examines up to `limit` evidence records issued before `issuedBefore`, after `after`, in
   * order of issue time, and deletes all the records of each of their letters that nothing
   * holds: no record of the letter is younger than the cutoff or unread by the evidence feed
   * (or the newest stored), no mailbox entry, held-back delivery, retrieval deadline, print job,
   * notification or outbox item of the letter is pending, and no receipt of its records is
   * unacknowledged. Acknowledged receipts of deleted records go with them. Deletes at most
   * `limit` records, except that a letter with more records than that goes whole in a step of
   * its own. Never touches the transparency log or the letter's identity.
   */
  purgeEvidence(opts: {
    issuedBefore: number
    limit: number
    after?: EvidenceCursor
  }): Promise<EvidencePurge>
}

/**
 * This node's transparency log (spec 16) and its witnessing of peers' logs. The log is fed from
 * the evidence table in the order records were stored, through a durable feed position.
 */
export interface TransparencyStore {
  /** The position a background feed has read up to (0 at first). */
  feedPosition(name: string): Promise<number>
  /** Evidence stored after feed position `after`, oldest first. */
  evidenceAfter(after: number, limit: number): Promise<FeedEvidence[]>
  /** The position of the newest evidence record (for the backlog bound, spec 16.5). */
  evidenceHead(): Promise<number>
  logSize(): Promise<number>
  /** Subtree hashes; every id lies within the committed size (core's `LogStore.getNodes`). */
  logNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>
  /**
   * One atomic step of the evidence feed: the log's new nodes and size (`commit`, null when no
   * record of this node's was read), the evidence id of each new leaf in order, the receipts
   * queued for senders, and the feed moved from `feed.from` to `feed.to`. Throws
   * `ERR_INTERNAL` when the log size or the feed position is not the expected one.
   */
  commitLog(
    commit: LogCommit | null,
    leaves: readonly string[],
    feed: { from: number; to: number },
    receipts: readonly NewReceipt[],
    at: number,
  ): Promise<void>
  leafIndex(evidenceId: string): Promise<number | undefined>
  putCheckpoint(c: StoredCheckpoint): Promise<void>
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>
  /**
   * Installs a log reset (spec 16.12), atomically with the check that `epoch` is above every
   * installed one (`ERR_LOG_RESET_INVALID` otherwise).
   */
  putLogReset(r: { epoch: number; bytes: Uint8Array; at: number }): Promise<void>
  /** Installed resets, oldest epoch first. */
  listLogResets(): Promise<{ epoch: number; bytes: Uint8Array; installedAt: number }[]>
  /** The epoch checkpoints are signed in: the newest installed reset's, or 0. */
  logEpoch(): Promise<number>
  getCheckpoint(digest: string): Promise<StoredCheckpoint | undefined>
  /** Keeps a witness's cosignature of one of this node's checkpoints (one per witness). */
  putCosignature(digest: string, witness: string, time: number, bytes: Uint8Array): Promise<void>
  listCosignatures(digest: string): Promise<Uint8Array[]>
  getWitnessView(log: string): Promise<WitnessView | undefined>
  putWitnessView(v: WitnessView): Promise<void>
  /** Keeps a fork statement this node signed and marks the log forked, atomically. */
  putForkStatement(log: string, kind: string, bytes: Uint8Array, at: number): Promise<void>
  listForkStatements(): Promise<
    { log: string; kind: string; bytes: Uint8Array; createdAt: number }[]
  >
}

/**
 * Registered mail (spec 17): delivery terms, retrieval deadlines, the receipt queue, the
 * exemption registry and print queue, notifications, and the counts of the sustainability report.
 */
export interface RegisteredMailStore {
  putLetterTerms(t: LetterTerms): Promise<void>
  getLetterTerms(letterIds: readonly string[]): Promise<Map<string, LetterTerms>>
  /** Keeps the verified signing key of a relayed letter's sender (for the print channel). */
  putSenderKey(letterId: string, kid: string, jwk: string): Promise<void>
  getSenderKey(letterId: string): Promise<{ kid: string; jwk: string } | undefined>
  /** Holds deliveries back until their letters may be shown (idempotent). */
  scheduleDeliveries(rows: readonly ScheduledDelivery[]): Promise<void>
  /** Scheduled deliveries of a letter (pending or done). */
  scheduledFor(letterId: string): Promise<ScheduledDelivery[]>
  /** {@link scheduledFor} of several letters in one read; letters without any are absent. */
  scheduledForLetters(letterIds: readonly string[]): Promise<Map<string, ScheduledDelivery[]>>
  dueScheduledDeliveries(now: number, limit: number): Promise<ScheduledDelivery[]>
  /**
   * Puts a held-back letter in its mailbox at `at`, atomically with the evidence and outbox
   * items of `w`, which are written only if the delivery is new. Returns whether it was.
   */
  releaseDelivery(
    d: ScheduledDelivery,
    at: number,
    w: EvidenceWrite,
  ): Promise<{ inserted: boolean }>
  /** Deliveries into mailboxes here after feed position `after`, oldest first. */
  deliveriesAfter(after: number, limit: number): Promise<FeedDelivery[]>
  /** Writes a delivery feed step and moves the feed, atomically (`ERR_INTERNAL` if it moved). */
  applyDeliveryPlan(p: DeliveryPlan): Promise<void>
  dueDeadlines(now: number, limit: number): Promise<DueDeadline[]>
  /** Closes a deadline with its outcome and the evidence issued, atomically. */
  settleDeadline(
    letterId: string,
    mailboxId: number,
    outcome: string,
    w: EvidenceWrite,
  ): Promise<void>
  /** The sender's receipts after the last one it acknowledged, oldest first. */
  pullReceipts(
    sender: string,
    limit: number,
  ): Promise<{ receipts: Receipt[]; ackedThrough: number }>
  /**
   * Acknowledges every receipt of `sender` up to `through` (cumulative, idempotent). Refuses
   * (`ERR_INVALID_ARGUMENT`) a `through` beyond the sender's last receipt.
   */
  ackReceipts(sender: string, through: number): Promise<{ ackedThrough: number }>
  putExemption(e: Exemption): Promise<void>
  getExemption(mailboxId: number): Promise<Exemption | undefined>
  listExemptions(): Promise<Exemption[]>
  /**
   * Aligns mailbox status with the registry at `now`: exempt while an exemption is valid, active
   * again after it ends (only mailboxes the registry made exempt).
   */
  syncExemptions(now: number): Promise<{ exempted: number; restored: number }>
  duePrintJobs(now: number, limit: number): Promise<PrintJob[]>
  /** Marks a print job queued for printing (or failed), with its evidence, atomically. */
  finishPrintJob(
    id: number,
    r: {
      state: 'queued' | 'failed'
      pages: number
      sheets: number
      file: string | null
      error?: string
    },
    at: number,
    w: EvidenceWrite,
  ): Promise<void>
  retryPrintJob(id: number, nextAttemptAt: number, error: string): Promise<void>
  addNotificationTarget(t: Omit<NotificationTarget, 'id'>): Promise<NotificationTarget>
  listNotificationTargets(mailboxId: number): Promise<NotificationTarget[]>
  removeNotificationTarget(mailboxId: number, id: number): Promise<boolean>
  dueNotifications(now: number, limit: number): Promise<NotificationJob[]>
  /** Ends a notification: `sent`, or `failed` with the evidence of the failure, atomically. */
  finishNotification(
    id: number,
    state: 'sent' | 'failed',
    at: number,
    error: string | null,
    w: EvidenceWrite,
  ): Promise<void>
  retryNotification(id: number, nextAttemptAt: number, error: string): Promise<void>
  /** Letters delivered digitally and handed to paper in [from, to), per UTC day. */
  deliveryCounts(from: number, to: number): Promise<DeliveryCounts[]>
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
  extends
    DirectoryStore,
    LetterStore,
    OutboxStore,
    IdempotencyStore,
    BatchStore,
    RetentionStore,
    MailboxRetentionStore,
    EvidenceRetentionStore,
    TransparencyStore,
    RegisteredMailStore {
  /** True when the database answers (for `/readyz`). */
  ping(): Promise<boolean>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}
