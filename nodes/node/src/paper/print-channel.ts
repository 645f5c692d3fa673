/**
 * @module paper/print-channel
 * The reference print channel (spec 17.6). For each print job the delivery feed queued (a letter
 * in the mailbox of a resident served on paper), it checks the stored letter is the one the node
 * verified on acceptance, opens it with the operator's print key (the only place an operator
 * reads a letter), issues `handed-to-paper`, renders the cover page and body into the print queue
 * directory, and records the job, its pages and its evidence in one step. A letter not sealed to
 * the print key cannot be printed: `not-delivered` with reason `recipient-exempt`.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  BaridError,
  decryptAttachmentStream,
  importPublicJwk,
  isBaridError,
  openLetter,
  type KeyPair,
  type OpenedLetter,
  verifyCiphertextDigest,
} from '../core.js'
import { chainKey, issueNext, withChainLock } from '../evidence/chain-tip.js'
import type { NodeServices } from '../services.js'
import type { PrintJob } from '../storage/registered-types.js'
import { senderNameFor } from '../notify/sender-name.js'
import type { EvidenceRow, LetterRow, Mailbox, NewOutboxItem } from '../storage/types.js'
import { coverLanguage } from './cover-labels.js'
import { renderPaperLetter, type RenderedLetter } from './render-letter.js'

const EVIDENCE_DEADLINE_MS = 30 * 24 * 3600_000

/** What the print channel needs besides the node's services. */
export interface PrintDeps {
  printKey: KeyPair
  /** Where print files go (the print queue a printing service collects). */
  dir: string
  retryMs: number
}

/** The outbox item that carries a record issued here back to the letter's origin node. */
export function evidenceBack(
  svc: Pick<NodeServices, 'directory'>,
  letter: Pick<LetterRow, 'id' | 'origin'>,
  row: EvidenceRow,
  now: number,
): NewOutboxItem[] {
  if (letter.origin === svc.directory.self) return []
  return [
    {
      peer: letter.origin,
      kind: 'evidence',
      letterId: letter.id,
      evidenceId: row.id,
      deliverBefore: now + EVIDENCE_DEADLINE_MS,
      nextAttemptAt: now,
      createdAt: now,
    },
  ]
}

async function senderKeyFor(
  svc: NodeServices,
  letter: LetterRow,
): Promise<(kid: string) => Promise<CryptoKey | undefined>> {
  const stored = await svc.storage.getSenderKey(letter.id)
  if (stored) {
    const key = (await importPublicJwk(JSON.parse(stored.jwk), { use: 'sign' })).publicKey
    return async (kid) => (kid === stored.kid ? key : undefined)
  }
  // A letter from this node's own sender: its key as registered when the letter was accepted.
  const mb = await svc.storage.getMailboxByAddress(letter.senderAddress)
  const keys = mb ? await svc.storage.listMailboxKeys(mb.id, { includeRevoked: true }) : []
  return async (kid) => {
    const k = keys.find(
      (x) =>
        x.use === 'sig' &&
        x.kid === kid &&
        (x.revokedAt === null || x.revokedAt > letter.receivedAt),
    )
    return k && (await importPublicJwk(JSON.parse(k.jwk), { use: 'sign' })).publicKey
  }
}

function day(svc: NodeServices, ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: svc.config.profile.timeZone }).format(ms)
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`
  await writeFile(tmp, bytes, { mode: 0o600 })
  await rename(tmp, path)
}

/**
 * Decrypts each attachment from the blob store into the print directory, streamed (memory is
 * bounded whatever the size) and checked against the digest the signed header gives.
 */
async function writeAttachments(
  svc: NodeServices,
  opened: OpenedLetter,
  dir: string,
  name: string,
): Promise<string[]> {
  const files: string[] = []
  for (const [i, a] of opened.attachments.entries()) {
    const file = join(dir, `${name}-att${i + 1}-${a.id}`)
    const cipher = await svc.blobs.open(toHexString(a.sha256))
    await cipher
      .pipeThrough(verifyCiphertextDigest({ size: a.size, sha256: a.sha256 }))
      .pipeThrough(decryptAttachmentStream({ key: a.key, attachmentId: a.id }))
      .pipeTo(Writable.toWeb(createWriteStream(`${file}.tmp`, { mode: 0o600 })))
    await rename(`${file}.tmp`, file)
    files.push(file)
  }
  return files
}

const toHexString = (b: Uint8Array): string => Buffer.from(b).toString('hex')

async function printOne(svc: NodeServices, deps: PrintDeps, job: PrintJob): Promise<void> {
  const now = svc.now()
  const fail = (error: string, w: { evidence: EvidenceRow[]; outbox: NewOutboxItem[] }) =>
    svc.storage.finishPrintJob(
      job.id,
      { state: 'failed', pages: 0, sheets: 0, file: null, error },
      now,
      w,
    )
  const letter = await svc.storage.getLetter(job.letterId)
  const bytes = await svc.storage.getLetterBytes(job.letterId)
  const mailbox: Mailbox | undefined = await svc.storage.getMailboxById(job.mailboxId)
  if (!letter || !bytes || !mailbox) return fail('ERR_NOT_FOUND', { evidence: [], outbox: [] })
  // The bytes must be those verified on acceptance: the stored digest says which they were.
  if (createHash('sha256').update(bytes).digest('hex') !== letter.digest)
    return fail('ERR_INTERNAL', { evidence: [], outbox: [] })
  const exemption = await svc.storage.getExemption(mailbox.id)
  const registered = letter.kind === 'registered'
  await withChainLock(chainKey(letter.id, mailbox.address), async () => {
    // Evidence is issued for registered mail only (spec 07); an ordinary letter's code names it.
    const record = (type: 'not-delivered' | 'handed-to-paper', reason: string) =>
      registered
        ? issueNext(svc, {
            letterId: letter.id,
            letterDigest: letter.digest,
            recipient: mailbox.address,
            type,
            reason,
          })
        : Promise.resolve(undefined)
    /** Fails the job for good; for registered mail with a `not-delivered` record to the sender. */
    const notPrinted = async (code: string, reason: string) => {
      const row = await record('not-delivered', reason)
      return fail(code, {
        evidence: row ? [row] : [],
        outbox: row ? evidenceBack(svc, letter, row, now) : [],
      })
    }
    const resolve = await senderKeyFor(svc, letter)
    let opened
    try {
      opened = await openLetter(bytes, {
        key: { privateKey: deps.printKey.privateKey, kid: deps.printKey.kid },
        address: mailbox.address,
        now,
        resolveSenderKey: async (kid) => {
          const k = await resolve(Buffer.from(kid).toString('base64url'))
          if (!k) throw new BaridError('ERR_KEY_NOT_FOUND', 'the sender key is not known here')
          return k
        },
      })
    } catch (e) {
      // Sealed to the resident's old keys, not to the print key: nobody here can open it.
      if (isBaridError(e, 'ERR_NOT_A_RECIPIENT')) return notPrinted(e.code, 'recipient-exempt')
      throw e
    }
    const row = await record(
      'handed-to-paper',
      exemption?.reason === 'no-digital-mailbox' ? 'mailbox-unknown' : 'recipient-exempt',
    )
    if (registered && !row) return fail('ERR_EVIDENCE_CHAIN_BROKEN', { evidence: [], outbox: [] })
    const h = opened.header
    const terms = (await svc.storage.getLetterTerms([letter.id])).get(letter.id)
    let rendered: RenderedLetter
    try {
      rendered = renderPaperLetter(
        {
          letterId: letter.id,
          evidenceId: row?.id ?? null,
          evidenceUrl: row
            ? `${svc.config.publicUrl}/v1/log/inclusion?evidence=${row.id}`
            : `urn:barid:letter:${letter.id}`,
          category: letter.kind === 'registered' ? (terms?.category ?? 'registered') : null,
          sender: h.sender,
          senderName: senderNameFor(letter.senderDisplay, svc.config.profile.languages, h.lang),
          recipient: {
            name: exemption?.name ?? mailbox.displayName ?? mailbox.address,
            lines: exemption?.postalAddress ?? [],
          },
          returnAddress:
            svc.config.profile.displayName[coverLanguage(h.lang, svc.config.profile.languages)] ??
            svc.config.profile.displayName.en ??
            svc.config.profile.operator,
          date: day(svc, now),
          ...(opened.subject === undefined ? {} : { subject: opened.subject }),
          contentType: h.contentType,
          body: opened.body,
          ...(terms?.replyBy ? { replyBy: day(svc, terms.replyBy) } : {}),
          attachments: opened.attachments.map((a) => a.filename),
          lang: h.lang,
          languages: svc.config.profile.languages,
        },
        svc.config.registered.printLimits,
      )
    } catch (e) {
      if (!isBaridError(e, 'ERR_INPUT_TOO_LARGE')) throw e
      // Beyond the print limits it will never print: the job fails for good instead of being
      // retried, and for registered mail the sender learns it (not-delivered, the code as reason).
      return notPrinted(e.code, e.code)
    }
    const dir = join(deps.dir, day(svc, now))
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const name = `${letter.id}-${job.mailboxId}`
    const file = join(dir, `${name}.pdf`)
    await writeAtomically(file, rendered.pdf)
    if (rendered.extra)
      await writeAtomically(
        join(dir, `${name}-body.${rendered.extra.extension}`),
        rendered.extra.bytes,
      )
    await writeAttachments(svc, opened, dir, name)
    const pages = rendered.pages + opened.attachments.length
    await svc.storage.finishPrintJob(
      job.id,
      // Attachments are printed from their own files; each is counted as one page (an estimate).
      { state: 'queued', pages, sheets: pages, file },
      now,
      row
        ? { evidence: [row], outbox: evidenceBack(svc, letter, row, now) }
        : { evidence: [], outbox: [] },
    )
  })
}

/**
 * Prints the print jobs that are due; returns how many it took.
 *
 * @example
 * ```ts
 * while ((await printStep(svc, deps, 20)) > 0);
 * ```
 */
export async function printStep(svc: NodeServices, deps: PrintDeps, limit = 20): Promise<number> {
  const jobs = await svc.storage.duePrintJobs(svc.now(), limit)
  for (const job of jobs) {
    try {
      await printOne(svc, deps, job)
      svc.outbox.wake()
    } catch (e) {
      const code = isBaridError(e) ? e.code : 'ERR_INTERNAL'
      svc.log.warn('print job failed; retrying', { letterId: job.letterId, code })
      await svc.storage.retryPrintJob(job.id, svc.now() + deps.retryMs, code)
    }
  }
  return jobs.length
}
