import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cursorPages, offsetPages } from './paging.js'

/** A mailbox of cursors 1..n listed newest first, `limit` per page, as spec 13.5 pages it. */
function mailbox(n: number, limit: number) {
  return async (before: number | undefined) => {
    const all = Array.from({ length: n }, (_, i) => n - i).filter(
      (c) => before === undefined || c < before,
    )
    const items = all.slice(0, limit)
    return { items, next: all.length > limit ? items[items.length - 1]! : null }
  }
}

describe('cursorPages', () => {
  it('yields every entry once, newest first, whatever the page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(60), fc.integer({ min: 1, max: 20 }), async (n, limit) => {
        const got: number[] = []
        for await (const c of cursorPages(mailbox(n, limit))) got.push(c)
        expect(got).toEqual(Array.from({ length: n }, (_, i) => n - i))
      }),
      { numRuns: 60 },
    )
  })

  it('stops with ERR_INTERNAL when a cursor does not advance', async () => {
    const stuck = async () => ({ items: [1], next: 5 })
    const walk = async () => {
      for await (const _ of cursorPages(stuck)) void _
    }
    await expect(walk()).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
  })
})

describe('offsetPages', () => {
  it('collects exactly total results in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(50), fc.integer({ min: 1, max: 13 }), async (total, size) => {
        const got = await offsetPages(total, size, async (offset, limit) =>
          Array.from({ length: limit }, (_, i) => offset + i),
        )
        expect(got).toEqual(Array.from({ length: total }, (_, i) => i))
      }),
      { numRuns: 40 },
    )
  })

  it('refuses a listing that ends before its count', async () => {
    await expect(offsetPages(3, 10, async () => [])).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
  })
})
