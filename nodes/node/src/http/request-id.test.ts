import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../ops/logger.js'
import type { NodeEnv } from './context.js'
import { requestId } from './request-id.js'

function app(lines: string[]) {
  const a = new Hono<NodeEnv>()
  a.use('*', requestId({ log: createLogger({ level: 'info', write: (l) => lines.push(l) }) }))
  a.get('/json', (c) => c.json({ ok: true }))
  a.get('/raw', () => new Response('raw', { status: 201 }))
  a.get('/boom', () => {
    throw new Error('boom')
  })
  a.onError((_e, c) => c.json({ error: { code: 'ERR_INTERNAL' } }, 500))
  return a
}

describe('request id', () => {
  it('echoes a well-formed caller id on every kind of response and logs the route pattern', async () => {
    const lines: string[] = []
    const a = app(lines)
    for (const [path, status] of [
      ['/json', 200],
      ['/raw', 201],
      ['/boom', 500],
    ] as const) {
      const res = await a.request(path, { headers: { 'x-request-id': 'caller-id-1234' } })
      expect(res.status).toBe(status)
      expect(res.headers.get('x-request-id')).toBe('caller-id-1234')
    }
    expect(lines.map((l) => JSON.parse(l) as { route: string; status: number })).toMatchObject([
      { route: '/json', status: 200 },
      { route: '/raw', status: 201 },
      { route: '/boom', status: 500 },
    ])
  })

  it('makes its own id when the caller gives none or a malformed one', async () => {
    const a = app([])
    const ids = new Set<string | null>()
    for (const given of [undefined, 'bad id!', 'x'.repeat(65)]) {
      const res = await a.request('/json', given ? { headers: { 'x-request-id': given } } : {})
      ids.add(res.headers.get('x-request-id'))
    }
    expect(ids.size).toBe(3)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/)
  })
})
