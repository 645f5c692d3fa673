/**
 * @module http/listener
 * The node's listening socket, bound before anything else starts: a port that is taken stops a
 * start before it makes a data directory, and with port 0 the port bound is known before the
 * node names its public URL (in its development federation, its discovery document, its IdP).
 * Until the node is ready, `/healthz` answers 200, `/readyz` 503 `not-ready` and every other
 * request 503 `ERR_UNAVAILABLE` (spec 15.2: not ready yet, retry).
 */
import { createAdaptorServer, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>

/** A bound socket, serving its handler once given one. */
export interface Listener {
  readonly server: ServerType
  /** The address and port bound (the port the system chose for port 0). */
  readonly address: string
  readonly port: number
  /** Serves requests with `fetch` from now on. */
  serve(fetch: Fetch): void
  /** Closes the socket and every connection. */
  close(): Promise<void>
}

function starting(path: string): Response {
  const later = { status: 503, headers: { 'retry-after': '1' } }
  if (path === '/healthz') return Response.json({ status: 'ok' })
  if (path === '/readyz') return Response.json({ status: 'not-ready', starting: true }, later)
  return Response.json(
    { error: { code: 'ERR_UNAVAILABLE', message: 'the node is starting' } },
    later,
  )
}

/**
 * Binds `host`:`port`; rejects with the listen error (`EADDRINUSE`, `EACCES`) as Node gives it.
 *
 * @example
 * ```ts
 * const listener = await bindListener('127.0.0.1', 0)
 * listener.serve(app.fetch)
 * console.log(listener.port)
 * ```
 */
export async function bindListener(host: string, port: number): Promise<Listener> {
  let handler: Fetch = (request) => starting(new URL(request.url).pathname)
  const server = createAdaptorServer({
    fetch: (request: Request, env: unknown) => handler(request, env),
    hostname: host,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = server.address() as AddressInfo
  return {
    server,
    address: bound.address,
    port: bound.port,
    serve(fetch) {
      handler = fetch
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      }),
  }
}
