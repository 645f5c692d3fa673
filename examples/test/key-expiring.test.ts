/**
 * `@barid/client`'s `onKeyExpiring` against a real reference node started by its command line:
 * the operator rotates an agency's API key with a grace period through the admin API (spec 12.1,
 * 15.5), and the agency, still on the old key, is told when it stops working by the node's own
 * answers, with no word from the operator.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  createSenderClient,
  generatePartyKeys,
  trustFromNode,
  type KeyExpiring,
} from '@barid/client'
import { admin, startLocalFederation } from './local-federation.js'

describe('onKeyExpiring against a real node', () => {
  it('tells an agency on the old key when the grace period of a rotation ends', async () => {
    await using fed = await startLocalFederation()
    const { apiKey: old } = (await admin(fed.eg, 'POST', '/v1/admin/senders', {
      id: 'eta',
      name: 'Egyptian Tax Authority',
      address: 'tax',
    })) as { apiKey: string }
    const keys = await generatePartyKeys()
    const governanceKey = JSON.parse(await readFile(fed.governanceKeyFile, 'utf8')) as Record<
      string,
      unknown
    >
    const trust = trustFromNode(fed.eg.url, { governanceKeys: [governanceKey] })
    const told: Record<'old' | 'fresh', KeyExpiring[]> = { old: [], fresh: [] }
    const agency = (apiKey: string, who: 'old' | 'fresh') =>
      createSenderClient({
        baseUrl: fed.eg.url,
        apiKey,
        signingKey: keys.signing,
        encryptionKey: keys.encryption,
        trust,
        onKeyExpiring: (e) => void told[who].push(e),
      })
    const before = agency(old, 'old')
    await before.registerKeys()
    expect(told.old).toEqual([])

    const rotated = (await admin(fed.eg, 'POST', '/v1/admin/senders/eta/api-keys', {
      graceSeconds: 7 * 86_400,
    })) as { apiKey: string; previous: { keyId: string; expiresAt: string }[] }
    await before.listKeys()
    await before.listKeys()
    expect(told.old).toEqual([rotated.previous[0]])

    const after = agency(rotated.apiKey, 'fresh')
    await after.listKeys()
    expect(told.fresh).toEqual([])
  }, 120_000)
})
