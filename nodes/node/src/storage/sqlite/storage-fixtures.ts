/**
 * @module storage/sqlite/storage-fixtures
 * Rows and databases the SQLite storage tests share: a letter row, the write that puts it into
 * mailboxes, and an in-memory database with a few mailboxes. Test support only.
 */
import { createSqliteStorage } from '../sqlite-storage.js'
import type { Storage } from '../storage.js'
import type { LetterRow, LetterWrite } from '../types.js'

/** The fixtures' clock: every row is made at this time unless a test says otherwise. */
export const T = 1_700_000_000_000

/** A letter row from tax@post.eg, changed by `over`. */
export function letterRow(
  id: string,
  digest = 'd'.repeat(64),
  over: Partial<LetterRow> = {},
): LetterRow {
  return {
    id,
    digest,
    senderAddress: 'tax@post.eg',
    senderKid: 'kid',
    kind: 'letter',
    createdAt: T,
    expiresAt: null,
    threadId: null,
    replyTo: null,
    lang: 'en',
    origin: 'post.eg',
    receivedAt: T,
    size: 10,
    attachments: [],
    ...over,
  }
}

/** The write that puts `l` into each mailbox of `mailboxIds`, changed by `extra`. */
export function letterWrite(
  l: LetterRow,
  mailboxIds: number[],
  extra: Partial<LetterWrite> = {},
): LetterWrite {
  return {
    letter: l,
    bytes: new Uint8Array([1, 2, 3]),
    recipients: [],
    deliveries: mailboxIds.map((id) => ({
      mailboxId: id,
      address: `m${id}@digitalpost.dk`,
      evidence: [],
    })),
    outbox: [],
    evidence: [],
    ...extra,
  }
}

/** An in-memory database with `n` person mailboxes, and their ids. */
export async function withMailboxes(n: number): Promise<{ storage: Storage; ids: number[] }> {
  const storage = createSqliteStorage({ file: ':memory:' })
  const ids: number[] = []
  for (let i = 0; i < n; i++)
    ids.push(
      (await storage.createMailbox({ address: `m${i}@digitalpost.dk`, kind: 'person', createdAt: T }))
        .id,
    )
  return { storage, ids }
}
