/**
 * @module delivery/local-store-fault
 * This node failing to read its own store during an attempt: a permission, a disk error (EACCES,
 * EIO), not a letter or blob that is gone (spec 14.4). Such a fault is the node's own, not the
 * peer's: its letters are retried with their backoff (a disk may recover, an operator may fix a
 * permission), the peer is not held for it (14.3), and it is counted apart from the peer's
 * failures (`local-store` in `barid_federation_transactions_total`, 15.3).
 */
import type { Peer } from '../federation/peer-directory.js'
import type { NodeServices } from '../services.js'

/** Reading `what` from this node's own store failed; `cause` is the store's error. */
export class LocalStoreFault extends Error {
  /** The system error code (`EACCES`, `EIO`, `SQLITE_IOERR`, ...), when the store gave one. */
  readonly errno: string | undefined
  /** The file the store could not read, when its error names one. */
  readonly path: string | undefined
  readonly syscall: string | undefined

  constructor(
    readonly what: 'blob' | 'letter',
    cause: unknown,
  ) {
    const e = (typeof cause === 'object' && cause !== null ? cause : {}) as {
      code?: unknown
      path?: unknown
      syscall?: unknown
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
    const errno = text(e.code)
    super(`cannot read the ${what} from this node's own store: ${errno ?? 'error'}`, { cause })
    this.name = 'LocalStoreFault'
    this.errno = errno
    this.path = text(e.path)
    this.syscall = text(e.syscall)
  }
}

/**
 * Logs a fault of this node's own store as an error for its operator, naming the store's problem
 * (code, system call, path) and what it held back, never a letter's bytes.
 *
 * @example
 * ```ts
 * logLocalFault(svc, peer, fault, { letterId, digest, recipients: 2 })
 * ```
 */
export function logLocalFault(
  svc: NodeServices,
  peer: Peer,
  fault: LocalStoreFault,
  fields: Record<string, string | number>,
): void {
  svc.log.error(`cannot read the ${fault.what} from this node's own store: retried later`, {
    peer: peer.operator,
    ...fields,
    code: fault.errno ?? null,
    syscall: fault.syscall ?? null,
    path: fault.path ?? null,
    error: String(fault.cause).slice(0, 200),
  })
}

/**
 * `source` as it is read, and the error reading it failed with, if any: an upload that fails
 * because its source did is this node's fault, whatever the transport makes of it.
 *
 * @example
 * ```ts
 * const { stream, failed } = watchedSource(await svc.blobs.open(digest))
 * ```
 */
export function watchedSource(source: ReadableStream<Uint8Array>): {
  stream: ReadableStream<Uint8Array>
  failed: () => unknown
} {
  const reader = source.getReader()
  let error: unknown
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(ctl) {
        let r: ReadableStreamReadResult<Uint8Array>
        try {
          r = await reader.read()
        } catch (e) {
          error = e ?? new Error('read failed')
          throw e
        }
        if (r.done) ctl.close()
        else ctl.enqueue(r.value)
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, failed: () => error }
}
