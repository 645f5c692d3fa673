/**
 * Optional protocol features (spec 11.3, 11.4) between two real nodes: Egypt Post puts a letter's
 * `senderDisplay` into a transaction only for a peer whose self-description advertises
 * `sender-display`. Digital Post is started without it, as an operator holding the feature back
 * during a staged rollout would run it (or as a node built before it existed would be seen).
 */
import { describe, expect, it } from 'vitest'
import type { Fetch } from './clients.js'
import { eventually, etaToLars, startPair, type Side } from './harness.js'

/** Every letter entry Egypt Post sent in a transaction, as it went on the wire. */
function recordingEntries() {
  const entries: Record<string, unknown>[] = []
  const wrapFetch =
    (side: Side, f: Fetch): Fetch =>
    async (input, init) => {
      if (side === 'eg' && input.includes('/v1/federation/transactions/') && init?.body) {
        const body = JSON.parse(new TextDecoder().decode(init.body as Uint8Array)) as {
          letters: Record<string, unknown>[]
        }
        entries.push(...body.letters)
      }
      return f(input, init)
    }
  return { entries, wrapFetch }
}

async function selfDescription(pair: Awaited<ReturnType<typeof startPair>>, side: Side) {
  const node = pair.nodes[side]
  const res = await node.app.request(`${node.url}/.well-known/barid`)
  expect(res.status).toBe(200)
  return (await res.json()) as { features?: unknown }
}

async function sendNamedLetter(pair: Awaited<ReturnType<typeof startPair>>) {
  const { lars, send } = await etaToLars(pair, { inProcess: true })
  const id = await send('Skatteopgørelse')
  const list = await eventually(async () => {
    const l = await lars.client.list('/letters')
    expect(l.letters).toHaveLength(1)
    return l
  })
  return { id, entry: list.letters[0]! }
}

describe('optional protocol features', () => {
  it('delivers a letter without its sender names to a node that does not advertise sender-display', async () => {
    const { entries, wrapFetch } = recordingEntries()
    await using pair = await startPair({ wrapFetch, configFor: { dk: { features: [] } } })
    expect((await selfDescription(pair, 'dk')).features).toEqual([])

    const { id, entry } = await sendNamedLetter(pair)
    // Delivered, and shown by the sender address: the names never left Egypt Post.
    expect(entry).toMatchObject({ letterId: id, senderName: null, senderNames: {} })
    expect(entries.length).toBeGreaterThan(0)
    for (const e of entries) expect(e).not.toHaveProperty('senderDisplay')
  })

  it('sends the sender names to a node that advertises sender-display', async () => {
    const { entries, wrapFetch } = recordingEntries()
    await using pair = await startPair({ wrapFetch })
    expect((await selfDescription(pair, 'dk')).features).toEqual(['sender-display'])

    const { id, entry } = await sendNamedLetter(pair)
    expect(entry).toMatchObject({ letterId: id, senderName: 'ETA' })
    expect(entries.length).toBeGreaterThan(0)
    for (const e of entries) expect(e).toHaveProperty('senderDisplay', { name: 'ETA', names: {} })
  })
})
