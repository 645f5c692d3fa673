/**
 * @module citizen-inbox
 * A citizen's device with `@barid/client`: signs in, registers its keys, opens the letters in
 * its mailbox on the device (signature checked, body and attachments decrypted here), and then
 * listens for new letters pushed over the WebSocket, opening each as it arrives.
 *
 *   npx tsx citizen-inbox.ts --node http://127.0.0.1:7402 \
 *     --identifier dk:cpr:0101901234 --keys ./lars-phone.json --governance-key $DATA/federation/governance.pub.jwk
 *
 * Sign-in uses the node's development identity provider (standing in for MitID or Egypt's
 * digital identity); pass `--token` to use a real one. See README.md.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import {
  createCitizenClient,
  requestDevToken,
  type CitizenClient,
  type LetterEvent,
} from '@barid/client'
import { isBaridError } from '@barid/core'
import { loadOrCreateKeys, loadTrust, run, say } from './src/common.js'

const USAGE = `usage: npx tsx citizen-inbox.ts --node URL (--identifier ID | --token JWT) [options]

  --node URL          the citizen's operator's node (e.g. Denmark, http://127.0.0.1:7402)
  --identifier ID     sign in with the node's development identity provider (e.g. dk:cpr:0101901234)
  --token JWT         or with a bearer token from the real identity provider
  --keys FILE         this device's keys, kept between runs (created 0600 if missing);
                      letters can be opened only with the keys they were sealed to
  --cursor FILE       remember the last letter seen, to resume there on the next run
  --governance-key FILE  the federation's governance key (default: the keys the node names)
  --count N           exit after N pushed letters were opened (0: after the unread ones;
                      default: run until Ctrl-C)
  --timeout SECONDS   with --count: fail if they have not arrived by then (default 60)`

const { values: a } = parseArgs({
  options: {
    node: { type: 'string' },
    identifier: { type: 'string' },
    token: { type: 'string' },
    keys: { type: 'string' },
    cursor: { type: 'string' },
    'governance-key': { type: 'string' },
    count: { type: 'string' },
    timeout: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h' },
  },
})

/** Opens a letter on this device and prints it; marks it opened. */
async function show(citizen: CitizenClient, letterId: string): Promise<boolean> {
  let mail
  try {
    mail = await citizen.open(letterId)
  } catch (e) {
    // Sealed to another device's keys (e.g. before this one was registered): not for us to read.
    if (isBaridError(e, 'ERR_NOT_A_RECIPIENT')) {
      say(`  letter ${letterId}: sealed to another device's key, skipped`)
      return false
    }
    throw e
  }
  say(
    `  "${mail.subject ?? '(no subject)'}" from ${mail.sender} (${mail.kind}), signature verified`,
  )
  for (const line of mail.text().split('\n')) say(`    | ${line}`)
  for (const att of mail.attachments) {
    const bytes = await att.bytes()
    const magic = new TextDecoder().decode(bytes.subarray(0, 8)).trim()
    say(
      `    attachment ${att.filename} (${att.mediaType}): ${bytes.length} bytes decrypted and checked, starts ${magic}`,
    )
  }
  const r = await citizen.markOpened(letterId)
  if (r.first)
    say(
      `    marked opened${mail.kind === 'registered' ? ': the node issues "retrieved" evidence to the sender' : ''}`,
    )
  return true
}

async function main(): Promise<void> {
  if (a.help || !a.node || (!a.identifier && !a.token)) {
    say(USAGE)
    process.exit(a.help ? 0 : 2)
  }
  const node = a.node.replace(/\/+$/, '')
  const token = a.token ?? (await requestDevToken({ baseUrl: node, identifier: a.identifier! }))
  const { keys, created } = await loadOrCreateKeys(a.keys)
  const trust = await loadTrust(node, a['governance-key'])
  const citizen = createCitizenClient({ baseUrl: node, token, keys, trust })

  const me = await citizen.me()
  say(`signed in: mailbox ${me.address} at ${me.operator}`)
  const registered = await citizen.registerKeys({ label: 'citizen-inbox example' })
  say(`device keys ${created ? 'generated and ' : ''}registered; the node certified them`)
  // Letters go to the four newest encryption keys of a mailbox (spec 13.4).
  for (const kid of registered.flatMap((k) => k.displaced))
    say(`the older device key ${kid} no longer receives new letters`)

  // What is in the mailbox now, newest first, across pages; anything newer comes by push.
  const saved = a.cursor
    ? Number((await readFile(a.cursor, 'utf8').catch(() => '0')).trim()) || 0
    : 0
  const newest = (await citizen.list({ limit: 1 })).letters[0]?.cursor ?? 0
  let unread = 0
  for await (const entry of citizen.entries({ unread: true })) {
    if (entry.cursor > newest) continue
    if (entry.cursor <= saved) break
    if (unread++ === 0) say('unread letters:')
    await show(citizen, entry.letterId)
  }
  if (unread === 0) say('no unread letters')
  const remember = async (c: number) => {
    if (a.cursor) await writeFile(a.cursor, `${c}\n`)
  }
  const cursor = Math.max(saved, newest)
  await remember(cursor)

  const want = a.count === undefined ? Infinity : Number(a.count)
  let opened = 0
  let finish!: () => void
  const done = new Promise<void>((r) => (finish = r))
  const sub = citizen.subscribe(
    async (e: LetterEvent) => {
      const from = e.senderName === null ? e.sender : `${e.senderName} <${e.sender}>`
      say(`push: new ${e.kind} letter from ${from} (cursor ${e.cursor})`)
      if (await show(citizen, e.letterId)) opened++
      // Saved only once the letter was shown: if anything above throws, the subscription hands
      // this event over again (showing it twice is harmless; markOpened is idempotent).
      await remember(e.cursor)
      if (opened >= want) finish()
    },
    {
      after: cursor,
      onError: (e) => say(`  (push: ${isBaridError(e) ? e.code : String(e)}; reconnecting)`),
      onClose: (e) => (e ? say(`push ended: ${e.code}`) : undefined),
    },
  )
  const ready = await sub.ready
  say(
    `listening for new letters after cursor ${ready}${want === Infinity ? ' (Ctrl-C to stop)' : ''}`,
  )
  if (opened >= want) finish() // --count 0: only the letters already there
  process.once('SIGINT', finish)
  process.once('SIGTERM', finish)
  const timer =
    want === Infinity
      ? undefined
      : setTimeout(
          () => {
            say(`FAILED: ${opened} of ${want} letters arrived in time`)
            process.exit(1)
          },
          Number(a.timeout) * 1000,
        )
  await done
  if (timer) clearTimeout(timer)
  await sub[Symbol.asyncDispose]()
  say(`done: ${opened} pushed letter(s) opened; resume cursor ${sub.cursor}`)
}

await run(main)
