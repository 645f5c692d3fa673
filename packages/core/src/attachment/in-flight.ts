/**
 * @module attachment/in-flight
 * A small first-in, first-out window of pending WebCrypto operations. WebCrypto calls run off
 * the main thread but each costs a fixed overhead, so one chunk at a time leaves the cores
 * idle (about 200 MB/s for 64 KiB AES-GCM in Node 20); a few in flight more than doubles that.
 * Results are always taken in submission order, so output order never depends on timing.
 */

import { BaridError } from '../errors.js'

/** How many chunk operations a stream keeps pending at once. */
export const IN_FLIGHT_LIMIT = 4

/** An ordered window of pending operations. */
export class InFlight<T> {
  readonly #queue: Promise<T>[] = []

  /** Number of operations pending. */
  get length(): number {
    return this.#queue.length
  }

  /** Adds an operation. Its failure is reported when it is taken with {@link take}, not before. */
  add(op: Promise<T>): void {
    // Mark as handled now: an operation behind a failed one is never taken, and must not
    // surface as an unhandled rejection.
    op.catch(() => undefined)
    this.#queue.push(op)
  }

  /** Waits for the oldest operation and returns its result (or throws its error). */
  async take(): Promise<T> {
    const op = this.#queue.shift()
    if (op === undefined) throw new BaridError('ERR_INTERNAL', 'no operation in flight')
    return op
  }
}
