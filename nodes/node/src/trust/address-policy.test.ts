import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classifyAddress, createAddressPolicy, guardFetch, type Lookup } from './address-policy.js'

const answers =
  (table: Record<string, string[]>): Lookup =>
  async (host) => {
    const a = table[host]
    if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.3.9', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.7', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['2a00:1450:4001::200e', 'public'],
  ])('classes %s as %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls)
  })

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['0:0:0:0:0:ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:93.184.216.34', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
  ])('classes the IPv4 address that %s embeds (%s)', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls)
  })

  it('classes every IPv4-mapped IPv6 address like the IPv4 address it maps', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(classifyAddress(`::ffff:${v4}`)).toBe(classifyAddress(v4))
      }),
      { numRuns: 200 },
    )
  })

  it('never classes a text that is not an IP address as public', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        fc.pre(!/^[\d.]+$/.test(s) && !s.includes(':'))
        expect(classifyAddress(s)).toBe('reserved')
      }),
      { numRuns: 200 },
    )
  })
})

describe('createAddressPolicy', () => {
  it('refuses decimal, hex and octal spellings of a loopback address, as URLs normalise them', async () => {
    const policy = createAddressPolicy({ allow: [], lookup: answers({}) })
    for (const url of [
      'http://2130706433:8080/',
      'http://0x7f000001/',
      'http://0x7f.1/',
      'http://017700000001/',
      'http://127.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]:7401/',
    ])
      await expect(policy.check(url), url).rejects.toMatchObject({
        code: 'ERR_PEER_ADDRESS_REFUSED',
        details: { class: 'loopback' },
      })
  })

  it('refuses a name when any one of its addresses is not public', async () => {
    const policy = createAddressPolicy({
      allow: [],
      lookup: answers({
        'barid.post.eg': ['93.184.216.34', '10.0.0.5'],
        'mapped.example': ['::ffff:169.254.169.254'],
        'ok.example': ['93.184.216.34', '2a00:1450:4001::200e'],
      }),
    })
    await expect(policy.check('https://barid.post.eg/')).rejects.toMatchObject({
      code: 'ERR_PEER_ADDRESS_REFUSED',
      details: { class: 'private' },
    })
    await expect(policy.check('https://mapped.example/')).rejects.toMatchObject({
      code: 'ERR_PEER_ADDRESS_REFUSED',
      details: { class: 'link-local' },
    })
    await expect(policy.check('https://ok.example/x')).resolves.toBeUndefined()
  })

  it('allows loopback only when configured to, and never the unspecified address', async () => {
    const lookup = answers({ localhost: ['127.0.0.1', '::1'] })
    const local = createAddressPolicy({ allow: ['loopback'], lookup })
    await expect(local.check('http://127.0.0.1:7401/')).resolves.toBeUndefined()
    await expect(local.check('http://localhost:7401/')).resolves.toBeUndefined()
    await expect(local.check('http://10.0.0.1/')).rejects.toMatchObject({
      code: 'ERR_PEER_ADDRESS_REFUSED',
    })
    await expect(local.check('http://0.0.0.0:7401/')).rejects.toMatchObject({
      code: 'ERR_PEER_ADDRESS_REFUSED',
      details: { class: 'unspecified' },
    })
    const production = createAddressPolicy({ allow: [], lookup })
    await expect(production.check('http://localhost:7401/')).rejects.toMatchObject({
      code: 'ERR_PEER_ADDRESS_REFUSED',
    })
  })

  it('answers a name that does not resolve with ERR_PEER_UNAVAILABLE', async () => {
    const policy = createAddressPolicy({ allow: [], lookup: answers({}) })
    await expect(policy.check('https://nowhere.example/')).rejects.toMatchObject({
      code: 'ERR_PEER_UNAVAILABLE',
    })
  })

  it('resolves a name once per cache period', async () => {
    let lookups = 0
    let t = 0
    const policy = createAddressPolicy({
      allow: [],
      now: () => t,
      cacheMs: 1000,
      lookup: async () => {
        lookups++
        return [{ address: '93.184.216.34', family: 4 }]
      },
    })
    await policy.check('https://a.example/')
    await policy.check('https://A.example/x')
    expect(lookups).toBe(1)
    t = 1001
    await policy.check('https://a.example/')
    expect(lookups).toBe(2)
  })

  it('sends nothing through a guarded fetch when the address is refused', async () => {
    const sent: string[] = []
    const f = guardFetch(
      async (url: string) => {
        sent.push(url)
        return new Response('ok')
      },
      createAddressPolicy({ allow: [], lookup: answers({}) }),
    )
    await expect(f('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({
      code: 'ERR_PEER_ADDRESS_REFUSED',
    })
    expect(sent).toEqual([])
  })
})
