/**
 * @module http/paging
 * Walking paged listings: cursor pages of a mailbox (spec 13.5: newest first, `before` the
 * cursor of the next page, null at the end) and offset pages of a batch's results (spec 12.4).
 */
import { BaridError } from '../core.js'

/** One page of a cursor listing. */
export interface CursorPage<T> {
  items: readonly T[]
  next: number | null
}

/**
 * Yields every item of a cursor listing, fetching pages as they are consumed. Stops with
 * `ERR_INTERNAL` if the node hands back a cursor that does not move on (it would loop forever).
 *
 * @example
 * ```ts
 * for await (const entry of cursorPages((before) => fetchPage(before))) console.log(entry.letterId)
 * ```
 */
export async function* cursorPages<T>(
  fetchPage: (before: number | undefined) => Promise<CursorPage<T>>,
): AsyncGenerator<T, void, undefined> {
  let before: number | undefined
  for (;;) {
    const page = await fetchPage(before)
    yield* page.items
    if (page.next === null) return
    if (!Number.isSafeInteger(page.next) || (before !== undefined && page.next >= before)) {
      throw new BaridError('ERR_INTERNAL', 'the node returned a cursor that does not advance')
    }
    before = page.next
  }
}

/**
 * Collects `total` items of an offset listing, `pageSize` at a time.
 *
 * @example
 * ```ts
 * const results = await offsetPages(2500, 1000, (offset, limit) => fetchResults(offset, limit))
 * ```
 */
export async function offsetPages<T>(
  total: number,
  pageSize: number,
  fetchPage: (offset: number, limit: number) => Promise<readonly T[]>,
): Promise<T[]> {
  const out: T[] = []
  while (out.length < total) {
    const page = await fetchPage(out.length, Math.min(pageSize, total - out.length))
    if (page.length === 0)
      throw new BaridError('ERR_INTERNAL', 'the node returned fewer results than it counts')
    out.push(...page.slice(0, total - out.length))
  }
  return out
}
