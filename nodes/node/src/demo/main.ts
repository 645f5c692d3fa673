/**
 * @module demo/main
 * The main job (`pnpm start`): a local federation of two nodes on loopback, Egypt Post
 * (`post.eg`) and Danish Digital Post (`digitalpost.dk`), each with embedded SQLite. An Egyptian
 * agency sends a registered letter with a PDF to a resident of Denmark, a Danish agency one to a
 * resident of Egypt who replies; the citizens' devices open their letters (pushed over
 * WebSocket), and the evidence trails are printed and verified. The nodes then keep running
 * until Ctrl-C, or the demo exits at once with `--once` or when `CI` is set.
 *
 *   pnpm start                 # temp data dir, nodes stay up
 *   pnpm start -- --once       # exit after the demo
 *   pnpm start -- --data DIR   # keep data in DIR (reused on the next run)
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openMailbox, registerSender } from '../admin/admin.js'
import { resolveConfig, type NodeConfig } from '../config/config.js'
import { loadProfile } from '../config/profile.js'
import { fromBase64Url, toBase64Url, verifyEvidenceChain } from '../core.js'
import { createStaticDirectory, parseFederationFile } from '../federation/peer-directory.js'
import { verifyKeyCertificate } from '../keys/key-certificate.js'
import { createLogger } from '../ops/logger.js'
import { nodeIdentity, startNode, type RunningNode } from '../node.js'
import {
  AgencyClient,
  CitizenClient,
  devToken,
  newPartyKeys,
  sealFor,
  type LetterStatusView,
  type PartyKeys,
} from './clients.js'
import { makePdf } from './pdf.js'
import { listenForLetters } from './push-listener.js'

const NODES_DIR = fileURLToPath(new URL('../../../', import.meta.url))
const { values: args } = parseArgs({
  options: { once: { type: 'boolean' }, data: { type: 'string' }, verbose: { type: 'boolean' } },
  strict: false,
})
const once = args.once === true || Boolean(process.env.CI)
const say = (s = '') => process.stdout.write(s + '\n')
const step = (s: string) => say(`\n\u25b6 ${s}`)

async function portOr(preferred: number): Promise<number> {
  const tryListen = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(undefined))
      s.listen(p, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port
        s.close(() => resolve(port))
      })
    })
  return (await tryListen(preferred)) ?? (await tryListen(0))!
}

async function configFor(
  folder: string,
  dataDir: string,
  federationFile: string,
): Promise<NodeConfig> {
  const profile = await loadProfile(join(NODES_DIR, folder))
  const port = await portOr(profile.port)
  return resolveConfig(profile, {
    dataDir: join(dataDir, profile.operator),
    port,
    publicUrl: `http://127.0.0.1:${port}`,
    federationFile,
    devIdentityProvider: true,
    logLevel: args.verbose ? 'info' : 'warn',
  })
}

async function waitFor(
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

async function main(): Promise<void> {
  const dataDir =
    typeof args.data === 'string' ? args.data : await mkdtemp(join(tmpdir(), 'barid-demo-'))
  const federationFile = join(dataDir, 'federation.json')
  say('Barid: a federated national digital post, Egypt Post <-> Danish Digital Post')
  say(`data directory: ${dataDir}`)

  step('Creating the local federation (keys and databases are made on first start)')
  const egc = await configFor('egypt-post', dataDir, federationFile)
  const dkc = await configFor('denmark', dataDir, federationFile)
  const operators = [await nodeIdentity(egc), await nodeIdentity(dkc)]
  await writeFile(
    federationFile,
    JSON.stringify(
      { $comment: 'Local federation file (spec 11.1)', version: 1, operators },
      null,
      2,
    ) + '\n',
  )
  const log = createLogger({ level: egc.logLevel })
  const eg = await startNode(egc, { log })
  const dk = await startNode(dkc, { log })
  const nodes: RunningNode[] = [eg, dk]
  for (const n of nodes)
    say(
      `  ${n.config.profile.displayName.en} (${n.config.profile.operator}, ${n.config.profile.timeZone}) at ${n.url}`,
    )
  const trust = createStaticDirectory(
    'demo',
    await parseFederationFile(JSON.parse(JSON.stringify({ operators }))),
  )

  let stopping = false
  const stop = async (code: number) => {
    if (stopping) return
    stopping = true
    say('\nStopping the nodes (draining in-flight work)...')
    await Promise.all(nodes.map((n) => n.stop()))
    process.exit(code)
  }
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))

  try {
    await run(eg, dk, trust)
  } catch (e) {
    say(`\nDEMO FAILED: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
    await stop(1)
    return
  }

  say('\nThe federation is running:')
  for (const n of nodes) {
    say(
      `  ${n.config.profile.operator}: ${n.url}  (/.well-known/barid, /healthz, /readyz, /metrics)`,
    )
    say(`    admin token: ${join(n.config.dataDir, 'keys', 'admin-token')}`)
  }
  if (once) {
    say('\nDemo complete (--once).')
    await stop(0)
    return
  }
  say('\nPress Ctrl-C to stop.')
}

async function run(
  eg: RunningNode,
  dk: RunningNode,
  trust: ReturnType<typeof createStaticDirectory>,
): Promise<void> {
  step('Opening accounts')
  const eta = await registerSender(eg.services, {
    id: 'eta',
    name: 'Egyptian Tax Authority',
    address: 'tax',
  }).catch(() => undefined)
  const skat = await registerSender(dk.services, {
    id: 'skat',
    name: 'Skattestyrelsen',
    address: 'skat',
    identifier: 'dk:cvr:12345674',
  }).catch(() => undefined)
  if (!eta || !skat)
    throw new Error(
      'this data directory was used by an earlier demo run; use a fresh --data directory',
    )
  const larsId = 'dk:cpr:0101901234'
  const aminaId = 'eg:nid:29001011234567'
  await openMailbox(dk.services, {
    address: 'lars.jensen',
    identifier: larsId,
    kind: 'person',
    displayName: 'Lars Jensen',
  })
  await openMailbox(eg.services, {
    address: 'amina.hassan',
    identifier: aminaId,
    kind: 'person',
    displayName: 'Amina Hassan',
  })
  say(`  sender organisation ${eta.mailbox.address} (Egyptian Tax Authority) with an API key`)
  say(`  sender organisation ${skat.mailbox.address} (Skattestyrelsen) with an API key`)
  say(`  mailbox lars.jensen@digitalpost.dk for ${larsId} (a resident of Denmark)`)
  say(`  mailbox amina.hassan@post.eg for ${aminaId} (a resident of Egypt)`)

  step('Devices generate their keys; the node certifies them')
  const etaKeys = await newPartyKeys()
  const skatKeys = await newPartyKeys()
  const larsKeys = await newPartyKeys()
  const aminaKeys = await newPartyKeys()
  const etaApi = new AgencyClient(eg.url, eta.apiKey)
  const skatApi = new AgencyClient(dk.url, skat.apiKey)
  // Each citizen signs in once (here with the development identity provider standing in for
  // MitID or Egypt's digital identity) and the device uses the token for its calls.
  const larsToken = await devToken(dk.url, larsId)
  const aminaToken = await devToken(eg.url, aminaId)
  const lars = new CitizenClient(dk.url, async () => larsToken)
  const amina = new CitizenClient(eg.url, async () => aminaToken)
  await etaApi.registerKeys(etaKeys)
  await skatApi.registerKeys(skatKeys)
  await lars.registerKeys(larsKeys)
  await amina.registerKeys(aminaKeys)
  say(
    '  Ed25519 signing key and X25519 encryption key for each party; private keys never leave the device',
  )
  const push = await listenForLetters(dk.url, larsToken, 0)
  say("  Lars's phone is connected for push (WebSocket)")

  // 1. Egypt -> Denmark
  step('Egyptian Tax Authority -> resident of Denmark: a registered letter with a PDF')
  await sendRegistered(etaApi, { address: eta.mailbox.address, keys: etaKeys }, larsId, trust, {
    subject: 'Tax assessment 2025 (income earned in Egypt)',
    body: 'Dear Mr Jensen,\nyour assessment for income earned in Egypt in 2025 is attached.\nEgyptian Tax Authority',
    lang: 'en',
    pdf: makePdf([
      'Egyptian Tax Authority',
      'Tax assessment 2025',
      'Taxpayer: Lars Jensen',
      'Amount due: 0 EGP',
    ]),
    filename: 'assessment-2025.pdf',
    then: async (letterId) => {
      const e = await push.next((x) => x.letterId === letterId)
      say(`  push to Lars's phone: new ${e.kind} letter from ${e.sender} (cursor ${e.cursor})`)
      await openAndShow(
        lars,
        'Lars',
        { address: 'lars.jensen@digitalpost.dk', keys: larsKeys },
        letterId,
      )
    },
  })
  push.close()

  // 2. Denmark -> Egypt, and a reply
  step('Skattestyrelsen -> resident of Egypt: a registered letter with a PDF')
  const sent = await sendRegistered(
    skatApi,
    { address: skat.mailbox.address, keys: skatKeys },
    aminaId,
    trust,
    {
      subject: 'Årsopgørelse 2025 / Annual tax statement 2025',
      body: 'Kære Amina Hassan,\ndin årsopgørelse for 2025 er vedhæftet.\nDear Amina Hassan, your annual statement for 2025 is attached.\nSkattestyrelsen',
      lang: 'da',
      pdf: makePdf([
        'Skattestyrelsen',
        'Aarsopgoerelse 2025 / Annual tax statement 2025',
        'Amina Hassan',
        'Refund: 1,250 DKK',
      ]),
      filename: 'aarsopgoerelse-2025.pdf',
      then: async (letterId) => {
        await waitFor(
          async () => (await amina.list('/letters')).letters.some((l) => l.letterId === letterId),
          "the letter in Amina's mailbox",
        )
        await openAndShow(
          amina,
          'Amina',
          { address: 'amina.hassan@post.eg', keys: aminaKeys },
          letterId,
        )
      },
    },
  )

  step('Amina replies (threaded) from her device; the reply crosses back to Denmark')
  const to = await amina.lookup({ address: skat.mailbox.address })
  if (to.status !== 'active') throw new Error('Skattestyrelsen not found in the directory')
  const reply = await sealFor({
    from: { address: 'amina.hassan@post.eg', keys: aminaKeys },
    to: [{ address: to.address, keys: to }],
    subject: 'Re: Årsopgørelse 2025',
    body: 'Thank you. Please pay the refund to my Egyptian bank account.',
    lang: 'en',
    threadId: sent,
    replyTo: sent,
  })
  await amina.submit(reply.bytes)
  await waitFor(
    async () => (await skatApi.list('/inbox')).letters.some((l) => l.letterId === reply.id),
    'the reply in the Skattestyrelsen inbox',
  )
  const r = await skatApi.open('/inbox', reply.id, {
    address: skat.mailbox.address,
    keys: skatKeys,
  })
  say(
    `  Skattestyrelsen's inbox: "${r.subject}" from ${r.header.sender}, in thread ${r.header.threadId}`,
  )
  say(`    "${new TextDecoder().decode(r.body)}"`)
}

async function sendRegistered(
  api: AgencyClient,
  me: { address: string; keys: PartyKeys },
  identifier: string,
  trust: ReturnType<typeof createStaticDirectory>,
  l: {
    subject: string
    body: string
    lang: string
    pdf: Uint8Array
    filename: string
    then: (letterId: string) => Promise<void>
  },
): Promise<string> {
  const found = await api.lookup({ identifier })
  if (found.status !== 'active') throw new Error(`${identifier}: ${found.status}`)
  say(
    `  directory: ${identifier} -> ${found.address} (asked ${found.operator} over the federation API)`,
  )
  for (const k of found.keys) {
    const c = await verifyKeyCertificate(
      k.certificate,
      async (kid, iss) => (await trust.evidenceKey(iss, kid, Date.now()))?.key.publicKey,
      Date.now(),
    )
    say(
      `    ${k.use === 'enc' ? 'encryption' : 'signing'} key ${k.kid.slice(0, 12)}... certified by ${c.iss}`,
    )
  }
  const sealed = await sealFor({
    from: me,
    to: [{ address: found.address, keys: found }],
    kind: 'registered',
    subject: l.subject,
    body: l.body,
    lang: l.lang,
    attachments: [{ filename: l.filename, mediaType: 'application/pdf', bytes: l.pdf }],
  })
  say(
    `  sealed on the agency's side: letter ${sealed.id}, ${sealed.bytes.length} bytes, PDF encrypted separately`,
  )
  for (const b of sealed.blobs) await api.uploadBlob(b.digest, b.bytes)
  say(
    `  attachment uploaded as ciphertext (${sealed.blobs[0]!.bytes.length} bytes, digest ${sealed.blobs[0]!.digest.slice(0, 16)}...)`,
  )
  const accepted = await api.submit(sealed.bytes, `demo-${sealed.id}`)
  say(`  submitted: ${accepted.recipients.map((x) => `${x.address} ${x.state}`).join(', ')}`)
  let status: LetterStatusView = accepted
  await waitFor(async () => {
    status = await api.status(sealed.id)
    return status.recipients.every((x) => x.state === 'delivered' || x.state === 'not-delivered')
  }, 'delivery')
  say(`  status: ${status.recipients.map((x) => `${x.address} ${x.state}`).join(', ')}`)
  await l.then(sealed.id)
  await waitFor(async () => {
    status = await api.status(sealed.id)
    return status.recipients.every((x) => (x.chain?.length ?? 0) >= 4)
  }, 'the retrieval evidence to come back')
  await printTrail(status, trust)
  return sealed.id
}

async function openAndShow(
  client: CitizenClient | AgencyClient,
  who: string,
  me: { address: string; keys: PartyKeys },
  letterId: string,
): Promise<void> {
  const opened = await client.open('/letters', letterId, me)
  say(`  ${who}'s device opened it: "${opened.subject}" from ${opened.header.sender}`)
  for (const line of new TextDecoder().decode(opened.body).split('\n')) say(`    | ${line}`)
  for (const f of opened.files) {
    const pdf = new TextDecoder().decode(f.bytes.slice(0, 8))
    say(
      `    attachment ${f.filename}: ${f.bytes.length} bytes, decrypted and checked (${pdf.trim()})`,
    )
  }
  await client.markOpened('/letters', letterId)
  say(`  marked opened: the node issues "retrieved" evidence`)
}

async function printTrail(
  status: LetterStatusView,
  trust: ReturnType<typeof createStaticDirectory>,
): Promise<void> {
  for (const r of status.recipients) {
    const chain = (r.chain ?? []).map(fromBase64Url)
    const verified = await verifyEvidenceChain(chain, async (kid) => {
      const k = await trust.evidenceKeyByKid(toBase64Url(kid))
      if (!k) throw new Error('unknown evidence key')
      return { key: k.key.key.publicKey, issuer: k.peer.operator }
    })
    say(
      `  evidence trail for ${r.address}: ${verified.length} records, signatures and chain verified`,
    )
    for (const v of verified) {
      const rec = v.record
      const peer = await trust.getPeer(rec.issuer)
      const tz = peer?.country === 'EG' ? 'Africa/Cairo' : 'Europe/Copenhagen'
      const t = new Date(rec.time).toLocaleString('en-GB', { timeZone: tz, hour12: false })
      say(
        `    ${rec.type.padEnd(20)} by ${rec.issuer.padEnd(15)} ${t} (${tz})${rec.reason ? ` reason ${rec.reason}` : ''}`,
      )
    }
  }
}

await main()
