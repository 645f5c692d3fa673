import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Notification } from './channel.js'
import { webhookChannel } from './webhook-channel.js'

const n: Notification = {
  id: '7',
  channel: 'webhook',
  contact: 'lars@example.dk',
  mailbox: 'p1@digitalpost.dk',
  letterId: '01972ab8-2280-7303-8303-030303030303',
  sender: 'tax@post.eg',
  title: null,
  category: 'registered',
  receivedAt: Date.parse('2026-03-01T09:30:00Z'),
  replyBy: null,
  link: 'https://barid.digitalpost.dk/v1/citizen/letters/01972ab8-2280-7303-8303-030303030303',
  lang: 'en',
  languages: ['da', 'en'],
  timeZone: 'Europe/Copenhagen',
}

// The operator's notification gateway: a real HTTP server on loopback that keeps what it got.
const bodies: Record<string, unknown>[] = []
const gateway = createServer((req, res) => {
  let text = ''
  req.on('data', (b: Buffer) => (text += b.toString()))
  req.on('end', () => {
    bodies.push(JSON.parse(text) as Record<string, unknown>)
    res.writeHead(204).end()
  })
})
let url = ''
beforeAll(async () => {
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/hook`
})
afterAll(() => new Promise<void>((r) => gateway.close(() => r())))

async function post(over: Partial<Notification>): Promise<Record<string, unknown>> {
  const hook = webhookChannel({ url, secret: null, timeoutMs: 5000, fetch })
  await hook.send({ ...n, ...over })
  return bodies.at(-1)!
}

describe('the webhook channel', () => {
  it('tells the gateway the language to write the notification in', async () => {
    expect(await post({})).toMatchObject({ letterId: n.letterId, lang: 'en' })
    // An Arabic letter to a resident of Denmark: Danish, the operator first language.
    expect((await post({ lang: 'ar' })).lang).toBe('da')
    expect((await post({ lang: 'da-DK' })).lang).toBe('da')
    expect((await post({ lang: null, languages: ['ar', 'en'] })).lang).toBe('ar')
  })
})
