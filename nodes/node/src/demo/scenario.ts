/**
 * @module demo/scenario
 * The demo's story (`pnpm start`): accounts at both operators; agencies and citizens' devices
 * on `@barid/client`, their keys certified with X.509 certificates from the operators' CAs; a
 * registered letter with a PDF each way across the border, pushed, opened on the device, its
 * evidence verified online and offline; and a threaded reply.
 */
import {
  createCitizenClient,
  createSenderClient,
  generatePartyKeys,
  requestDevToken,
  trustFromNode,
  type KeyTrust,
} from '@barid/client'
import { openMailbox, registerSender } from '../admin/admin.js'
import type { RunningNode } from '../node.js'
import {
  describeCertificate,
  listen,
  openAndShow,
  sendRegistered,
  waitFor,
  type DemoContext,
} from './letters.js'
import { makePdf } from './pdf.js'

/**
 * The letters of the demo, between two running nodes, written as integrators write them.
 *
 * @example
 * ```ts
 * await runScenario(ctx, egyptPost, denmark)
 * ```
 */
export async function runScenario(
  ctx: DemoContext,
  eg: RunningNode,
  dk: RunningNode,
): Promise<void> {
  const say = ctx.say
  const step = (s: string) => say(`\n\u25b6 ${s}`)
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

  step('Clients: @barid/client, trusting the federation through its governance key')
  // Every party anchors its trust in the governance key, published by the federation; the list
  // itself comes from the party's own node and must verify under that key.
  const trustOf = (n: RunningNode): KeyTrust =>
    trustFromNode(n.url, { governanceKeys: ctx.governanceKeys })
  const token = async (n: RunningNode, identifier: string) => {
    const t = await requestDevToken({ baseUrl: n.url, identifier })
    return () => t
  }
  const [etaKeys, skatKeys, larsKeys, aminaKeys] = await Promise.all([
    generatePartyKeys(),
    generatePartyKeys(),
    generatePartyKeys(),
    generatePartyKeys(),
  ])
  const etaTrust = trustOf(eg)
  const skatTrust = trustOf(dk)
  const etaApi = createSenderClient({
    baseUrl: eg.url,
    apiKey: eta.apiKey,
    signingKey: etaKeys.signing,
    encryptionKey: etaKeys.encryption,
    trust: etaTrust,
  })
  const skatApi = createSenderClient({
    baseUrl: dk.url,
    apiKey: skat.apiKey,
    signingKey: skatKeys.signing,
    encryptionKey: skatKeys.encryption,
    trust: skatTrust,
    lang: 'da',
  })
  // Each citizen signs in once (the development identity provider stands in for MitID or
  // Egypt's digital identity) and the device uses the token for its calls.
  const lars = createCitizenClient({
    baseUrl: dk.url,
    token: await token(dk, larsId),
    keys: larsKeys,
    trust: trustOf(dk),
    lang: 'da',
  })
  const amina = createCitizenClient({
    baseUrl: eg.url,
    token: await token(eg, aminaId),
    keys: aminaKeys,
    trust: trustOf(eg),
  })
  say(`  each client fetches its node's trust list and verifies it with ${ctx.governanceKeyFile}`)

  step('Devices and agencies generate their keys; each node certifies them with its operator CA')
  for (const [who, client] of [
    ['Egyptian Tax Authority', etaApi],
    ['Skattestyrelsen', skatApi],
    ["Lars's phone", lars],
    ["Amina's phone", amina],
  ] as const) {
    const keys = await client.registerKeys({ label: who })
    say(
      `  ${who}: Ed25519 signing key and X25519 encryption key; private keys never leave the device`,
    )
    for (const k of keys) say(`    ${await describeCertificate(k.certificate)}`)
  }
  const push = listen(lars)
  await push.sub.ready
  say("  Lars's phone is connected for push (WebSocket)")

  // 1. Egypt -> Denmark
  step('Egyptian Tax Authority -> resident of Denmark: a registered letter with a PDF')
  await sendRegistered(ctx, etaApi, etaTrust, larsId, {
    subject: 'Tax assessment 2025 (income earned in Egypt)',
    body: 'Dear Mr Jensen,\nyour assessment for income earned in Egypt in 2025 is attached.\nEgyptian Tax Authority',
    lang: 'en',
    pdf: makePdf([
      'مصلحة الضرائب المصرية',
      'Egyptian Tax Authority',
      'Tax assessment 2025',
      'Taxpayer: Lars Jensen',
      'Amount due: 0 EGP',
    ]),
    filename: 'assessment-2025.pdf',
    then: async (letterId) => {
      const e = await push.next((x) => x.letterId === letterId)
      say(`  push to Lars's phone: new ${e.kind} letter from ${e.sender} (cursor ${e.cursor})`)
      await openAndShow(ctx, lars, 'Lars', letterId)
    },
  })
  push.sub.close()

  // 2. Denmark -> Egypt, and a reply
  step('Skattestyrelsen -> resident of Egypt: a registered letter with a PDF')
  const sent = await sendRegistered(ctx, skatApi, skatTrust, aminaId, {
    subject: 'Årsopgørelse 2025 / Annual tax statement 2025',
    body: 'Kære Amina Hassan,\ndin årsopgørelse for 2025 er vedhæftet.\nDear Amina Hassan, your annual statement for 2025 is attached.\nSkattestyrelsen',
    lang: 'da',
    pdf: makePdf([
      'Skattestyrelsen',
      'Årsopgørelse 2025 / Annual tax statement 2025',
      'Amina Hassan',
      'Refund: 1,250 DKK',
    ]),
    filename: 'aarsopgoerelse-2025.pdf',
    then: async (letterId) => {
      await waitFor(
        async () => (await amina.list()).letters.some((l) => l.letterId === letterId),
        "the letter in Amina's mailbox",
      )
      await openAndShow(ctx, amina, 'Amina', letterId)
    },
  })

  step('Amina replies (threaded) from her device; the reply crosses back to Denmark')
  const reply = await amina.reply(sent, {
    subject: 'Re: Årsopgørelse 2025',
    body: 'Thank you. Please pay the refund to my Egyptian bank account.',
  })
  await waitFor(
    async () => (await skatApi.inbox.list()).letters.some((l) => l.letterId === reply.letterId),
    'the reply in the Skattestyrelsen inbox',
  )
  const r = await skatApi.inbox.open(reply.letterId)
  say(`  Skattestyrelsen's inbox: "${r.subject}" from ${r.sender}, in thread ${r.header.threadId}`)
  say(`    "${r.text()}"`)
}
