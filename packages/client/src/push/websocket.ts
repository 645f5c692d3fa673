/**
 * @module push/websocket
 * The WebSocket the push subscription uses: the runtime's own (browsers, Deno, Node 22+), or
 * in Node 20 the `ws` package, loaded only then and only from `node-websocket.ts`, so a
 * browser bundle never needs it.
 */

/** The part of the WHATWG `WebSocket` interface the client uses. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: { data?: unknown; code?: number; reason?: string }) => void,
  ): void
}

/** Opens a WebSocket to a URL. */
export type WebSocketFactory = (url: string) => WebSocketLike

/**
 * The runtime's WebSocket, or `ws` where there is none.
 *
 * @example
 * ```ts
 * const open = await defaultWebSocketFactory()
 * const ws = open('wss://barid.digitalpost.dk/v1/citizen/events')
 * ```
 */
export async function defaultWebSocketFactory(): Promise<WebSocketFactory> {
  const native = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket
  if (typeof native === 'function') return (url) => new native(url)
  const { nodeWebSocketFactory } = await import('./node-websocket.js')
  return nodeWebSocketFactory()
}
