/**
 * The address policy of spec 22.4 in a running node: a node configured as in production (no
 * non-public address allowed) sends nothing to a peer whose endpoint is on loopback, neither a
 * federation request nor a discovery fetch, while the local federation's settings allow it.
 */
import { describe, expect, it } from 'vitest'
import { fedRequest } from '../src/federation/federation-client.js'
import { discoveryUrl } from '@barid/core'
import { startPair } from './harness.js'

describe('peer addresses', () => {
  it('sends nothing to a peer on a loopback address unless loopback is allowed', async () => {
    const sent: string[] = []
    await using pair = await startPair({
      config: { trust: { allowNonPublic: [] } },
      wrapFetch: (side, f) => async (input, init) => {
        sent.push(input)
        return f(input, init)
      },
    })
    const eg = pair.nodes.eg.services
    expect(eg.trust.config.allowNonPublic).toEqual([])
    const dk = (await eg.directory.getPeer('digitalpost.dk'))!
    await expect(
      fedRequest(eg, dk, {
        method: 'POST',
        path: '/v1/federation/directory/lookup',
        json: { address: 'lars@digitalpost.dk' },
      }),
    ).rejects.toMatchObject({ code: 'ERR_PEER_ADDRESS_REFUSED', details: { class: 'loopback' } })
    await expect(
      eg.trust.discovery.fetchDocument('digitalpost.dk', discoveryUrl(`${dk.baseUrl}/`)),
    ).rejects.toMatchObject({ code: 'ERR_PEER_ADDRESS_REFUSED' })
    expect(sent).toEqual([])
  })

  it('allows loopback peers in the local federation', async () => {
    await using pair = await startPair()
    const eg = pair.nodes.eg.services
    expect(eg.trust.config.allowNonPublic).toEqual(['loopback'])
    const dk = (await eg.directory.getPeer('digitalpost.dk'))!
    const r = await fedRequest(eg, dk, {
      method: 'POST',
      path: '/v1/federation/directory/lookup',
      json: { address: 'lars@digitalpost.dk' },
    })
    expect(r.status).toBe(200)
  })
})
