/**
 * The sender's view of a recipient follows records that arrive after the delivery attempt was
 * answered (spec 17.5), between two real nodes on loopback: a letter for a resident served on
 * paper is answered `delivered` (relay-accepted only); when the print channel then issues
 * `not-delivered`, the sender sees `not-delivered` with the code, and when it issues
 * `handed-to-paper`, `delivered` still. A record sent again, or arriving before the answer that
 * says `delivered`, never moves the state back.
 */
import { describe, expect, it } from 'vitest'
import { fedRequest } from '../federation/federation-client.js'
import { evidenceChain } from '../letters/submit.js'
import type { NodeServices } from '../services.js'
import { toBase64Url } from '../core.js'
import {
  eventually,
  makeAgency,
  servedOnPaper,
  startPair,
  type Side,
} from '../../test/harness.js'
import { newPartyKeys, type Fetch } from '../../test/clients.js'
import { PRINT_LIMITS } from '../paper/print-limits.js'

const FAST = { registered: { batchIntervalMs: 20 } }

/** The state the sending node stored when the attempt settled (before records are followed). */
async function storedState(svc: NodeServices, letterId: string): Promise<string | undefined> {
  return (await svc.storage.getRecipients(letterId))[0]?.state
}

const chainTypes = async (svc: NodeServices, letterId: string, recipient: string) =>
  evidenceChain(await svc.storage.listEvidence(letterId), recipient).map((r) => r.type)

describe("the sender's view of a recipient after the answer", () => {
  it('turns delivered into not-delivered when the print channel gives a letter up, keeps delivered when it hands one to paper, and is not moved by records sent again', async () => {
    await using pair = await startPair({ listen: true, config: FAST })
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const { to, seal } = await servedOnPaper(pair, eta)
    const stranger = await newPartyKeys()
    const printed = await seal('Du kan klage inden 4 uger.')
    const tooLarge = await seal(
      'Lorem ipsum dolor sit amet.\n'.repeat(PRINT_LIMITS.maxBodyBytes / 28 + 1),
    )
    // Sealed to a key that is not the print key: the print channel cannot open it.
    const unreadable = await seal('Du kan klage inden 4 uger.', {
      ...to,
      keys: to.keys.map((k) => ({ ...k, jwk: stranger.enc.publicJwk })),
    })
    for (const l of [printed, tooLarge, unreadable]) await eta.client.submit(l.bytes)

    const eg = pair.nodes.eg.services
    await eventually(async () => {
      expect(await chainTypes(eg, printed.id, to.address)).toEqual([
        'submission-accepted',
        'relay-accepted',
        'handed-to-paper',
      ])
      for (const l of [tooLarge, unreadable])
        expect(await chainTypes(eg, l.id, to.address)).toEqual([
          'submission-accepted',
          'relay-accepted',
          'not-delivered',
        ])
    }, 20_000)
    // Every attempt was answered delivered (relay-accepted only); the records came later.
    for (const l of [printed, tooLarge, unreadable])
      expect(await storedState(eg, l.id)).toBe('delivered')

    const view = async (id: string) => {
      const s = await eta.client.status(id)
      return { state: s.recipients[0]!.state, code: s.recipients[0]!.code }
    }
    expect(await view(printed.id)).toEqual({ state: 'delivered', code: null })
    expect(await view(tooLarge.id)).toEqual({ state: 'not-delivered', code: 'ERR_INPUT_TOO_LARGE' })
    expect(await view(unreadable.id)).toEqual({
      state: 'not-delivered',
      code: 'ERR_RECIPIENT_EXEMPT',
    })

    // digitalpost.dk sends the records of the chain again, the earliest last: nothing moves.
    const dk = pair.nodes.dk.services
    const peer = (await dk.directory.getPeer('post.eg'))!
    for (const l of [tooLarge, printed]) {
      const rows = evidenceChain(await eg.storage.listEvidence(l.id), to.address)
      const r = await fedRequest(dk, peer, {
        method: 'PUT',
        path: `/v1/federation/transactions/resend-${l.id}`,
        json: {
          evidence: rows
            .filter((x) => x.issuer === 'digitalpost.dk')
            .reverse()
            .map((x) => ({ record: toBase64Url(x.record) })),
        },
      })
      expect(r.status).toBe(200)
    }
    expect(await view(tooLarge.id)).toEqual({ state: 'not-delivered', code: 'ERR_INPUT_TOO_LARGE' })
    expect(await view(printed.id)).toEqual({ state: 'delivered', code: null })
  }, 60_000)

  it('stays not-delivered when the not-delivered record arrives before the answer that says delivered', async () => {
    // post.eg's first transaction reaches digitalpost.dk but its answer is lost (an ambiguous
    // attempt); its retries are held until the print channel's not-delivered record has come
    // back as an evidence item, so the answer `delivered` settles the item after the record.
    let sent = 0
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    const wrapFetch = (side: Side, f: Fetch): Fetch =>
      side !== 'eg'
        ? f
        : async (input, init) => {
            if (init?.method !== 'PUT' || !input.includes('/v1/federation/transactions/'))
              return f(input, init)
            sent += 1
            if (sent === 1) {
              await (await f(input, init)).arrayBuffer()
              throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
            }
            await released
            return f(input, init)
          }
    await using pair = await startPair({ listen: true, config: FAST, wrapFetch })
    // A failed check must not leave the held retries, and so the node, waiting at close.
    try {
      const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
      const { to, seal } = await servedOnPaper(pair, eta)
      const sealed = await seal(
        'Lorem ipsum dolor sit amet.\n'.repeat(PRINT_LIMITS.maxBodyBytes / 28 + 1),
      )
      await eta.client.submit(sealed.bytes)
      const eg = pair.nodes.eg.services
      const view = async () => {
        const s = await eta.client.status(sealed.id)
        return { state: s.recipients[0]!.state, code: s.recipients[0]!.code }
      }
      await eventually(async () => {
        const types = (await eg.storage.listEvidence(sealed.id)).map((r) => r.type)
        expect(types).toContain('not-delivered')
      }, 20_000)
      expect(await storedState(eg, sealed.id)).toBe('pending')
      expect(await view()).toEqual({ state: 'not-delivered', code: 'ERR_INPUT_TOO_LARGE' })

      release()
      await eventually(
        async () => expect(await storedState(eg, sealed.id)).toBe('delivered'),
        20_000,
      )
      expect(sent).toBeGreaterThanOrEqual(2)
      expect(await view()).toEqual({ state: 'not-delivered', code: 'ERR_INPUT_TOO_LARGE' })
    } finally {
      release()
    }
  }, 60_000)
})
