import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EvidenceRow } from '../types.js'
import { letterRow, letterWrite as write, T, withMailboxes } from './storage-fixtures.js'

/** The letters here are registered, of 3 bytes. */
const letter = (id: string, digest?: string) => letterRow(id, digest, { kind: 'registered', size: 3 })

function evidence(letterId: string, n: number, issuedAt: number): EvidenceRow {
  return {
    id: `${letterId}-${n}`.padEnd(64, '0'),
    letterId,
    recipient: `m${n}@digitalpost.dk`,
    type: 'relay-accepted',
    issuer: 'digitalpost.dk',
    issuedAt,
    prev: null,
    record: new Uint8Array([n]),
  }
}

describe('sqlite storage: the reads and writes of a federation transaction', () => {
  it('reads the deliveries, held deliveries and evidence of many letters as one read each, exactly as letter by letter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            delivered: fc.subarray([0, 1, 2]),
            held: fc.subarray([0, 1, 2]),
            evidence: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
          }),
          { maxLength: 6 },
        ),
        async (plan) => {
          const { storage: s, ids } = await withMailboxes(3)
          const letterIds = plan.map((_, i) => `L${i}`)
          for (const [i, p] of plan.entries()) {
            const id = letterIds[i]!
            if (p.delivered.length > 0)
              await s.writeLetter(write(letter(id), p.delivered.map((k) => ids[k]!)))
            await s.scheduleDeliveries(
              p.held.map((k) => ({
                letterId: id,
                mailboxId: ids[k]!,
                address: `m${k}`,
                visibleAt: T + k,
              })),
            )
            await s.addEvidence(p.evidence.map((n, j) => evidence(id, j, T + n)))
          }
          const asked = [...letterIds, 'unknown']
          const [deliveries, held, rows] = await Promise.all([
            s.findDeliveriesOf(asked),
            s.scheduledForLetters(asked),
            s.listEvidenceOf(asked),
          ])
          const sorted = <X>(xs: X[]) =>
            [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
          for (const id of asked) {
            expect(sorted(deliveries.get(id) ?? [])).toEqual(sorted(await s.findDeliveries(id)))
            expect(sorted(held.get(id) ?? [])).toEqual(sorted(await s.scheduledFor(id)))
            // Same order as the single read: the chain order callers rely on.
            expect(rows.get(id) ?? []).toEqual(await s.listEvidence(id))
          }
          expect(deliveries.has('unknown') || held.has('unknown') || rows.has('unknown')).toBe(false)
          expect((await s.findDeliveriesOf([])).size).toBe(0)
          await s.close()
        },
      ),
      { numRuns: 25 },
    )
  })

  it('writes terms, sender key and held deliveries with the letter, once, and none for a conflicting letter', async () => {
    const { storage: s, ids } = await withMailboxes(2)
    const extra = {
      terms: {
        letterId: 'A',
        category: 'registered',
        visibleFrom: T + 9,
        title: 't',
        replyBy: null,
      },
      senderKey: { kid: 'k1', jwk: '{"kty":"OKP"}' },
      schedule: [
        { letterId: 'A', mailboxId: ids[1]!, address: 'm1@digitalpost.dk', visibleAt: T + 9 },
      ],
    } as const
    const first = await s.writeLetters([write(letter('A'), [ids[0]!], extra)])
    expect(first[0]!.status).toBe('stored')
    // A repeat keeps what was written first.
    await s.writeLetters([
      write(letter('A'), [ids[0]!], { ...extra, senderKey: { kid: 'k2', jwk: '{}' } }),
    ])
    expect((await s.getLetterTerms(['A'])).get('A')).toEqual(extra.terms)
    expect(await s.getSenderKey('A')).toEqual(extra.senderKey)
    expect(await s.scheduledFor('A')).toEqual(extra.schedule)

    const conflict = await s.writeLetters([
      write(letter('A', 'e'.repeat(64)), [ids[1]!], {
        schedule: [{ letterId: 'A', mailboxId: ids[0]!, address: 'm0', visibleAt: T }],
      }),
      write(letter('B', 'e'.repeat(64)), [], {
        terms: { ...extra.terms, letterId: 'B' },
        senderKey: { kid: 'kb', jwk: '{}' },
      }),
    ])
    expect(conflict[0]!.status).toBe('conflict')
    expect(await s.scheduledFor('A')).toEqual(extra.schedule)
    expect((await s.getLetterTerms(['B'])).get('B')?.letterId).toBe('B')
    expect(await s.getSenderKey('B')).toEqual({ kid: 'kb', jwk: '{}' })
    await s.close()
  })
})
