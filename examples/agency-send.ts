/**
 * @module agency-send
 * An agency sends a registered letter with a PDF attachment through its operator's node with
 * `@barid/client`, then follows it and prints its verified evidence trail.
 *
 *   npx tsx agency-send.ts --node http://127.0.0.1:7401 \
 *     --admin-token $DATA/post.eg/keys/admin-token --governance-key $DATA/federation/governance.pub.jwk \
 *     --to dk:cpr:0101901234
 *
 * With `--api-key barid_sk_…` it uses an existing sender organisation; with `--admin-token`
 * (a file, or the token itself) it first registers a new one through the admin API, as an
 * operator would for a new agency. See README.md.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import {
  allSettled,
  createSenderClient,
  type EvidenceTrail,
  type LetterStatus,
} from '@barid/client'
import { BaridError } from '@barid/core'
import { loadOrCreateKeys, loadTrust, run, say } from './src/common.js'
import { makePdf } from './src/pdf.js'

const USAGE = `usage: npx tsx agency-send.ts --node URL (--api-key KEY | --admin-token FILE|TOKEN) [options]

  --node URL            the agency's operator's node (e.g. Egypt Post, http://127.0.0.1:7401)
  --api-key KEY         the agency's sender API key (barid_sk_...)
  --admin-token X       instead: register a new agency with the node's admin token (file or value)
  --to ID               recipient identifier or mailbox address (default dk:cpr:0101901234)
  --governance-key FILE  the federation's governance key (default: the keys the node names)
  --keys FILE           the agency's keys, kept between runs (created 0600 if missing)
  --pdf FILE            the PDF to attach (default: a generated one)
  --until STATE         wait until each copy is delivered|retrieved (default delivered)
  --timeout SECONDS     how long to wait (default 60)`

const { values: a } = parseArgs({
  options: {
    node: { type: 'string' },
    'api-key': { type: 'string' },
    'admin-token': { type: 'string' },
    to: { type: 'string', default: 'dk:cpr:0101901234' },
    'governance-key': { type: 'string' },
    keys: { type: 'string' },
    pdf: { type: 'string' },
    until: { type: 'string', default: 'delivered' },
    timeout: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h' },
  },
})

/** Registers a new sender organisation through the admin API (spec 15.5) and returns its API key. */
async function registerAgency(node: string, adminToken: string): Promise<string> {
  const id = `agency-${crypto.randomUUID().slice(0, 8)}`
  // Plain fetch, so its failures are said as the client says its own (a bare "fetch failed"
  // names neither the node nor the cause).
  const res = await fetch(`${node}/v1/admin/senders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    // Its name in each language a recipient may read it in (spec 15.5): a Danish resident's
    // mailbox shows the one for the letter's language (English here) or the node's own.
    body: JSON.stringify({
      id,
      name: 'Egyptian Tax Authority (example)',
      names: {
        ar: 'مصلحة الضرائب المصرية (مثال)',
        da: 'Egyptens skattemyndighed (eksempel)',
        en: 'Egyptian Tax Authority (example)',
      },
      address: id,
    }),
  }).catch((cause: unknown) => {
    throw new BaridError('ERR_UNAVAILABLE', `the node ${node} could not be reached`, {
      cause,
      details: { reason: 'network' },
    })
  })
  const body = (await res.json().catch(() => ({}))) as {
    apiKey?: string
    mailbox?: { address: string }
    error?: { code: string }
  }
  if (!res.ok || !body.apiKey)
    throw new Error(`registering the agency failed: ${body.error?.code ?? res.status}`)
  say(`registered sender organisation ${body.mailbox?.address} with the admin API`)
  return body.apiKey
}

function printTrail(trail: EvidenceTrail): void {
  for (const r of trail.recipients) {
    say(
      `evidence trail for ${r.address}: ${r.chain.length} records, ${r.chainVerified ? `signatures and chain verified, proving ${r.state}` : 'NOT fully verified'}`,
    )
    if (r.stateMismatch) say(`  the node claims ${r.claimedState}, which these records do not prove`)
    for (const item of r.chain) {
      if (!item.verified) say(`  (unverified record: ${item.reason})`)
      else
        say(
          `  ${item.record.type.padEnd(20)} by ${item.record.issuer.padEnd(15)} at ${new Date(item.record.time).toISOString()}`,
        )
    }
  }
}

async function main(): Promise<void> {
  if (a.help || !a.node || (!a['api-key'] && !a['admin-token'])) {
    say(USAGE)
    process.exit(a.help ? 0 : 2)
  }
  const node = a.node.replace(/\/+$/, '')
  const until = a.until === 'retrieved' ? 'retrieved' : 'delivered'
  const timeoutMs = Number(a.timeout) * 1000
  // Before anything is registered: a governance key file that is not there fails here.
  const trust = await loadTrust(node, a['governance-key'])
  let apiKey = a['api-key']
  if (!apiKey) {
    const t = a['admin-token']!
    // A token is base64url: anything with a slash (or a leading dot) is the file holding it.
    const token = /[/\\]/.test(t) || t.startsWith('.') ? (await readFile(t, 'utf8')).trim() : t
    apiKey = await registerAgency(node, token)
  }

  // The agency's own keys: the private halves never leave this process.
  const { keys } = await loadOrCreateKeys(a.keys)
  const agency = createSenderClient({
    baseUrl: node,
    apiKey,
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
    trust,
  })
  await agency.registerKeys({ label: 'agency-send example' })
  say(`agency mailbox ${await agency.address()}`)

  const recipient = await agency.lookup(a.to!)
  if (recipient.status !== 'active') throw new Error(`${a.to}: ${recipient.status}`)
  say(
    `directory: ${a.to} -> ${recipient.address} (${recipient.encryptionKeys.length} certified encryption key(s), certificates verified)`,
  )

  const pdf = a.pdf
    ? new Uint8Array(await readFile(a.pdf))
    : makePdf(['Egyptian Tax Authority', 'Tax assessment 2025', 'Amount due: 0 EGP'])
  const sent = await agency.send({
    to: recipient.address,
    kind: 'registered',
    subject: 'Tax assessment 2025',
    body: 'Dear taxpayer,\nyour assessment for 2025 is attached.\nEgyptian Tax Authority',
    attachments: [{ filename: 'assessment-2025.pdf', mediaType: 'application/pdf', data: pdf }],
  })
  say(
    `sealed here and submitted: letter ${sent.letterId}, ${sent.recipients.map((r) => `${r.address} ${r.state}`).join(', ')}`,
  )

  const status: LetterStatus = await agency.waitForStatus(sent.letterId, allSettled, { timeoutMs })
  say(
    `status: ${status.recipients.map((r) => `${r.address} ${r.state}${r.code ? ` (${r.code})` : ''}`).join(', ')}`,
  )
  let trail = await agency.evidence(sent.letterId)
  if (until === 'retrieved') {
    // The recipient's node reports the first opening as a "retrieved" record (spec 14.5).
    say('waiting for the recipient to open it...')
    const opened = (t: EvidenceTrail) =>
      t.recipients.every((r) => r.chain.some((c) => c.verified && c.record.type === 'retrieved'))
    const deadline = Date.now() + timeoutMs
    while (!opened(trail)) {
      if (Date.now() > deadline) throw new Error('the letter was not opened in time')
      await new Promise((r) => setTimeout(r, 500))
      trail = await agency.evidence(sent.letterId)
    }
  }
  printTrail(trail)
  say(
    `letter ${sent.letterId}: ${status.recipients.map((r) => r.state).join(',')}; evidence ${trail.verified ? 'verified' : 'not verified'}`,
  )
  if (!trail.verified || status.recipients.some((r) => r.state !== 'delivered'))
    process.exitCode = 1
}

await run(main)
