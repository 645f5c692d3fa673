import { describe, expect, it } from 'vitest'
import { bindListener } from './listener.js'

describe('the node listener', () => {
  it('answers 503 until the node serves, then the node answers, on the port it bound', async () => {
    const l = await bindListener('127.0.0.1', 0)
    try {
      expect(l.port).toBeGreaterThan(0)
      const url = `http://127.0.0.1:${l.port}`
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      const ready = await fetch(`${url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ status: 'not-ready' })
      const early = await fetch(`${url}/v1/citizen/letters`)
      expect(early.status).toBe(503)
      expect(early.headers.get('retry-after')).toBe('1')
      expect(await early.json()).toMatchObject({ error: { code: 'ERR_UNAVAILABLE' } })
      l.serve(() => new Response('ready'))
      expect(await (await fetch(`${url}/v1/citizen/letters`)).text()).toBe('ready')
    } finally {
      await l.close()
    }
  })

  it('rejects with the listen error when the port is taken', async () => {
    const a = await bindListener('127.0.0.1', 0)
    try {
      await expect(bindListener('127.0.0.1', a.port)).rejects.toMatchObject({
        code: 'EADDRINUSE',
      })
    } finally {
      await a.close()
    }
  })
})
