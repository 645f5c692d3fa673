/**
 * @module demo/letters
 * The demo's letters, written as an integrator writes them with `@barid/client`: look up the
 * recipient (keys verified against the trust list), seal on the sender's side, submit, follow
 * the status, open on the citizen's device, and print the evidence trail, verified by the
 * client online and then offline from the evidence bundle the agency fetches from its node.
 */
import { join } from 'node:path'
import {
  allSettled,
  type CitizenClient,
  type LetterEvent,
  type LetterStatus,
  type Mailbox,
  type SenderClient,
  type Subscription,
} from '@barid/client'
import { fromBase64Url, parseCertificate } from '../core.js'
import { barid } from '../trust/barid-cli.js'
import { fetchBundle, verifyBundleOffline } from './evidence-offline.js'

/** Where the demo prints, and what it knows about the federation. */
export interface DemoContext {
  say(s?: string): void
  dataDir: string
  trustListFile: string
  governanceKeyFile: string
  governanceKeys: Record<string, unknown>[]
  /** IANA time zone of each operator, for printing times. */
  timeZones: Record<string, string>
  /** Has every node witness its peers' logs now; one line per outcome. */
  witness(): Promise<string[]>
}

/** Waits for `check` to pass, polling. */
export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A citizen's push subscription, remembering the events it got. */
export function listen(client: CitizenClient): {
  sub: Subscription
  next(pred: (e: LetterEvent) => boolean): Promise<LetterEvent>
} {
  const events: LetterEvent[] = []
  const sub = client.subscribe((e) => void events.push(e), { after: 0 })
  return {
    sub,
    async next(pred) {
      let found: LetterEvent | undefined
      await waitFor(async () => (found = events.find(pred)) !== undefined, 'a push event')
      return found!
    },
  }
}

/** One line about a mailbox key certificate (spec 13.4). */
export async function describeCertificate(b64: string): Promise<string> {
  const c = await parseCertificate(fromBase64Url(b64))
  return `X.509 ${c.role} certificate for ${c.mailbox}, serial ${c.serialNumber.slice(0, 8)}…, issued by "${c.issuer.commonName}", valid until ${c.notAfter.toISOString().slice(0, 10)}`
}

/** Opens a letter on the device and prints it. */
export async function openAndShow(
  ctx: DemoContext,
  mailbox: Mailbox,
  who: string,
  letterId: string,
): Promise<void> {
  const mail = await mailbox.open(letterId)
  ctx.say(`  ${who}'s device opened it: "${mail.subject}" from ${mail.sender} (signature verified)`)
  for (const line of mail.text().split('\n')) ctx.say(`    | ${line}`)
  for (const a of mail.attachments) {
    const bytes = await a.bytes()
    const head = new TextDecoder().decode(bytes.slice(0, 8)).trim()
    ctx.say(`    attachment ${a.filename}: ${bytes.length} bytes, decrypted and checked (${head})`)
  }
  await mailbox.markOpened(letterId)
  ctx.say(`  marked opened: the node issues "retrieved" evidence`)
}

/** A registered letter with a PDF, from `api` to `identifier`, followed to its evidence. */
export async function sendRegistered(
  ctx: DemoContext,
  api: SenderClient,
  identifier: string,
  l: {
    subject: string
    body: string
    lang: string
    pdf: Uint8Array
    filename: string
    then: (letterId: string) => Promise<void>
  },
): Promise<string> {
  const found = await api.lookup(identifier)
  if (found.status !== 'active') throw new Error(`${identifier}: ${found.status}`)
  ctx.say(
    `  directory: ${identifier} -> ${found.address} (asked ${found.operator} over the federation API)`,
  )
  for (const k of [...found.encryptionKeys, ...found.signingKeys])
    ctx.say(`    ${await describeCertificate(k.certificate)}: verified against the trust list`)
  const sealed = await api.seal({
    to: identifier,
    kind: 'registered',
    subject: l.subject,
    body: l.body,
    lang: l.lang,
    attachments: [{ filename: l.filename, mediaType: 'application/pdf', data: l.pdf }],
  })
  ctx.say(
    `  sealed on the agency's side: letter ${sealed.letterId}, ${sealed.bytes.length} bytes, PDF encrypted separately (${sealed.attachments.length} attachment)`,
  )
  const accepted = await api.submit(sealed, { idempotencyKey: `demo-${sealed.letterId}` })
  ctx.say(`  submitted: ${accepted.recipients.map((x) => `${x.address} ${x.state}`).join(', ')}`)
  let status = await api.waitForStatus(sealed.letterId, allSettled, { timeoutMs: 20_000 })
  ctx.say(`  status: ${status.recipients.map((x) => `${x.address} ${x.state}`).join(', ')}`)
  await l.then(sealed.letterId)
  status = await api.waitForStatus(
    sealed.letterId,
    (s) => s.recipients.every((r) => (r.chain?.length ?? 0) >= 4),
    { timeoutMs: 20_000 },
  )
  const trail = await api.evidence(sealed.letterId)
  ctx.say(
    `  evidence verified online by the agency's client: ${trail.records.length} records, every signer checked against the trust list at its signing time${trail.verified ? '' : ' (NOT ALL VERIFIED)'}`,
  )
  if (!trail.verified) throw new Error('the evidence trail did not verify')
  await printOffline(ctx, api, status)
  return sealed.letterId
}

async function printOffline(
  ctx: DemoContext,
  api: SenderClient,
  status: LetterStatus,
): Promise<void> {
  for (const r of status.recipients) {
    const file = join(ctx.dataDir, `evidence-${status.letterId}.cbor`)
    const witness = async () => {
      for (const line of await ctx.witness()) ctx.say(`  witness round: ${line}`)
    }
    const b = await fetchBundle(api, status.letterId, r.address, { file, witness })
    ctx.say(
      `  evidence bundle ${file}, fetched by the agency's client (evidenceBundle, waiting for the log): ${b.records.length} records, ${b.certificates.length} node certificates, ${b.revocationLists.length} revocation lists, ${b.log?.length ?? 0} log proofs, ${b.retiredKeys?.length ?? 0} retired keys`,
    )
    const v = await verifyBundleOffline(file, { ...ctx, requireWitnesses: 1 })
    const list = v.trustList.list
    const age = v.trustList.age
    const issued = age < 7200 ? `${Math.floor(age / 60)} min` : `${Math.floor(age / 3600)} h`
    ctx.say(
      `  verified OFFLINE with core's verifyEvidenceBundle (as barid evidence verify) against trust list ${list.federation} #${list.sequence}, issued ${issued} before (${v.trustList.freshness.state}): records, chain, signers at their signing times, retired keys (${v.bundle.retiredKeys?.length ?? 0} listed), log proofs (${v.log.length}) with their checkpoints and cosignatures (${v.witnessesRequired} independent witness required), revocation ${v.revocation}:`,
    )
    for (const rec of v.records) {
      const tz = ctx.timeZones[rec.issuer] ?? 'UTC'
      const t = new Date(rec.time).toLocaleString('en-GB', { timeZone: tz, hour12: false })
      const ca = rec.evidence.peer.ca.subject.commonName
      const logged = rec.log
        ? `log proof: leaf ${rec.log.index} of ${rec.log.size} in ${rec.log.logId}'s log, witnesses: ${rec.log.witnesses.join(', ') || 'none'}`
        : 'no log proof in the bundle'
      ctx.say(
        `    ${rec.type.padEnd(20)} by ${rec.issuer.padEnd(15)} ${t} (${tz}) cert ${rec.certificate.serialNumber.slice(0, 8)}… under "${ca}"${rec.reason ? ` reason ${rec.reason}` : ''}; ${logged}`,
      )
    }
    const cli = await barid([
      'evidence',
      'verify',
      file,
      '--trust-list',
      ctx.trustListFile,
      '--governance-key',
      ctx.governanceKeyFile,
      '--require-witnesses',
      '1',
    ])
    const logged = (cli.records as { logged: boolean }[]).filter((x) => x.logged).length
    ctx.say(
      `  barid evidence verify --require-witnesses 1: ${(cli.records as unknown[]).length} records valid, ${logged} shown in their issuers' logs, revocation ${String(cli.revocation)}`,
    )
  }
}
