/**
 * The suite's HTTP helper records each exchange for the reports (spec 30.6) with secrets masked
 * and bodies cut, and turns a request that gets no answer into an error naming the node, the
 * request and the cause.
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, lastExchange, maskSecret, nameTarget, TransportError } from '../src/http/http.js'

describe('the HTTP helper', () => {
  let server: Server
  let url: string

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        const pad = 'x'.repeat(500)
        res.end(JSON.stringify({ got: body.length, token: 'answer-token-value', pad }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    nameTarget(url, 'node Z')
  })

  afterAll(async () => {
    await new Promise((r) => server.close(r))
  })

  it('masks bearer secrets, API keys and token fields, and cuts long bodies', async () => {
    const secret = 'test-control-secret-that-must-not-leak'
    maskSecret(secret)
    const r = await call(`${url}/v1/test-control/tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'x-api-key': 'sk_live_key',
        'x-request-id': 'abcdefgh',
      },
      body: JSON.stringify({ secret, apiKey: 'sk_live_key', address: 'a@b' }),
    })
    expect(lastExchange()).toBe(r.exchange)
    const x = JSON.stringify(r.exchange)
    for (const leak of [secret, 'sk_live_key', 'answer-token-value']) expect(x).not.toContain(leak)
    expect(r.exchange.target).toBe(`node Z (${url})`)
    expect(r.exchange.request.headers).toMatchObject({
      authorization: 'Bearer [masked]',
      'x-api-key': '[masked]',
      'x-request-id': 'abcdefgh',
    })
    expect(r.exchange.request.body).toContain('"address":"a@b"')
    expect(r.exchange.response!.status).toBe(200)
    expect(r.exchange.response!.body.length).toBeLessThan(260)
    expect(r.exchange.response!.body).toMatch(/… \(\d+ characters\)$/)
  })

  it('shows a binary body by its length', async () => {
    const r = await call(`${url}/blob`, { method: 'PUT', body: new Uint8Array([0, 1, 2, 255]) })
    expect(r.exchange.request.body).toBe('<4 bytes, binary>')
  })

  it('names node, request and cause when nothing answers', async () => {
    const gone = createServer()
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r))
    const down = `http://127.0.0.1:${(gone.address() as { port: number }).port}`
    await new Promise((r) => gone.close(r))
    nameTarget(down, 'node Y')
    const e = await call(`${down}/v1/log/resets`).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(TransportError)
    const port = new URL(down).port
    expect((e as Error).message).toBe(
      `node Y (${down}): GET ${down}/v1/log/resets: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`,
    )
    expect((e as TransportError).exchange.error).toMatch(/^ECONNREFUSED/)
  })
})
