import { createServer, type Server } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { demoPort, movedPortsLine } from './ports.js'

const held: Server[] = []
afterAll(() => Promise.all(held.map((s) => new Promise((r) => s.close(r)))))

/** A port another process holds for the length of this file. */
async function taken(): Promise<number> {
  const s = createServer()
  held.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return (s.address() as { port: number }).port
}

describe('the ports of the demo nodes', () => {
  it('are the profile ports when free, and others when taken, with the move told', async () => {
    const busy = await taken()
    const moved = await demoPort(busy)
    expect(moved.preferred).toBe(busy)
    expect(moved.port).not.toBe(busy)
    expect(moved.port).toBeGreaterThan(0)
    // The port it gave up is free again: the demo takes the one it found.
    const free = moved.port
    expect(await demoPort(free)).toEqual({ preferred: free, port: free })
  })

  it('are named in one line when any moved, and in none when all are the profile ports', () => {
    const eg = { operator: 'post.eg', preferred: 7401, port: 41001 }
    const dk = { operator: 'digitalpost.dk', preferred: 7402, port: 41002 }
    expect(movedPortsLine([eg, dk])).toBe(
      'ports 7401 and 7402 are taken: post.eg listens on 41001 instead of 7401, ' +
        'digitalpost.dk on 41002 instead of 7402',
    )
    expect(movedPortsLine([{ ...eg, port: 7401 }, dk])).toBe(
      'port 7402 is taken: digitalpost.dk listens on 41002 instead of 7402',
    )
    expect(movedPortsLine([{ ...eg, port: 7401 }, { ...dk, port: 7402 }])).toBeUndefined()
  })
})
