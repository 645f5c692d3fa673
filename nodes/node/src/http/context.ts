/**
 * @module http/context
 * The Hono environment shared by every route: per-request variables set by middleware.
 */
import type { Logger } from '../ops/logger.js'
import type { Mailbox, Sender } from '../storage/types.js'
import type { Peer } from '../federation/peer-directory.js'

export interface NodeVariables {
  /** The request id (from a well-formed `X-Request-Id`, or generated). */
  reqId: string
  log: Logger
  /** Set by sender authentication. */
  sender: Sender
  /** The mailbox the caller acts for (citizen or sender organisation). */
  mailbox: Mailbox
  /** Set by federation signature verification. */
  peer: Peer
  /** The verified request body of a signed federation request. */
  fedBody: Uint8Array
}

export type NodeEnv = { Variables: NodeVariables }
