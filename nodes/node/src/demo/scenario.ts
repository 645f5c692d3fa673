/**
 * @module demo/scenario
 * The demo's story (`pnpm start`): accounts at both operators; agencies and citizens' devices
 * on `@barid/client`, their keys certified with X.509 certificates from the operators' CAs; a
 * registered letter with a PDF each way across the border, pushed, opened on the device, its
 * evidence verified online and offline; and a threaded reply. The accounts of an earlier run in
 * the same data directory are reused (demo/accounts.ts).
 */
import {
  createCitizenClient,
  createSenderClient,
  generatePartyKeys,
  requestDevToken,
  trustFromNode,
  type KeyTrust,
} from '@barid/client'
import type { RunningNode } from '../node.js'
import { demoMailbox, demoSender, registerFreshKeys } from './accounts.js'
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
  const larsId = 'dk:cpr:0101901234'
  const aminaId = 'eg:nid:29001011234567'
  const eta = await demoSender(eg, { id: 'eta', name: 'Egyptian Tax Authority', address: 'tax' })
  const skat = await demoSender(dk, {
    id: 'skat',
    name: 'Skattestyrelsen',
    address: 'skat',
    identifier: 'dk:cvr:12345674',
  })
  const lars = await demoMailbox(dk, {
    address: 'lars.jensen',
    identifier: larsId,
    displayName: 'Lars Jensen',
  })
  const amina = await demoMailbox(eg, {
    address: 'amina.hassan',
    identifier: aminaId,
    displayName: 'Amina Hassan',
  })
  for (const [s, name] of [
    [eta, 'Egyptian Tax Authority'],
    [skat, 'Skattestyrelsen'],
  ] as const)
    say(
      s.reused
        ? `  sender organisation ${s.mailbox.address} (${name}): a new API key, the earlier one revoked`
        : `  sender organisation ${s.mailbox.address} (${name}) with an API key`,
    )
  for (const [m, id, resident] of [
    [lars, larsId, 'a resident of Denmark'],
    [amina, aminaId, 'a resident of Egypt'],
  ] as const)
    say(
      `  mailbox ${m.mailbox.address} for ${id} (${resident})${m.reused ? ', opened by an earlier run' : ''}`,
    )

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
  const larsPhone = createCitizenClient({
    baseUrl: dk.url,
    token: await token(dk, larsId),
    keys: larsKeys,
    trust: trustOf(dk),
    lang: 'da',
  })
  const aminaPhone = createCitizenClient({
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
    ["Lars's phone", larsPhone],
    ["Amina's phone", aminaPhone],
  ] as const) {
    const { keys, revoked } = await registerFreshKeys(client, who)
    say(
      `  ${who}: Ed25519 signing key and X25519 encryption key; private keys never leave the device`,
    )
    for (const k of keys) say(`    ${await describeCertificate(k.certificate)}`)
    if (revoked > 0) say(`    revoked the ${revoked} keys an earlier run registered`)
  }
  const push = listen(larsPhone)
  await push.sub.ready
  say("  Lars's phone is connected for push (WebSocket)")

  // 1. Egypt -> Denmark
  step('Egyptian Tax Authority -> resident of Denmark: a registered letter with a PDF')
  await sendRegistered(ctx, etaApi, larsId, {
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
      await openAndShow(ctx, larsPhone, 'Lars', letterId)
    },
  })
  push.sub.close()

  // 2. Denmark -> Egypt, and a reply
  step('Skattestyrelsen -> resident of Egypt: a registered letter with a PDF')
  const sent = await sendRegistered(ctx, skatApi, aminaId, {
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
        async () => (await aminaPhone.list()).letters.some((l) => l.letterId === letterId),
        "the letter in Amina's mailbox",
      )
      await openAndShow(ctx, aminaPhone, 'Amina', letterId)
    },
  })

  step('Amina replies (threaded) from her device; the reply crosses back to Denmark')
  const reply = await aminaPhone.reply(sent, {
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
