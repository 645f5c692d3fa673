/**
 * @module push/node-websocket
 * Node-only: a {@link WebSocketFactory} over the `ws` package, for Node versions without a
 * global `WebSocket`. `ws` implements the WHATWG event interface (`addEventListener`, text
 * frames as strings), so the subscription code is the same in every runtime.
 */
import { WebSocket } from 'ws'
import type { WebSocketFactory, WebSocketLike } from './websocket.js'

/** Largest message accepted from the node (events are small). */
const MAX_PAYLOAD = 64 * 1024

/**
 * @example
 * ```ts
 * const open = nodeWebSocketFactory()
 * ```
 */
export function nodeWebSocketFactory(): WebSocketFactory {
  return (url) =>
    new WebSocket(url, {
      maxPayload: MAX_PAYLOAD,
      followRedirects: false,
    }) as unknown as WebSocketLike
}
