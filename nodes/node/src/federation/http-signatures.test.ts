import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, isBaridError } from '../core.js'
import { contentDigest, verifyContentDigest } from './content-digest.js'
import { signRequest, verifyRequest, type VerifyOptions } from './http-signatures.js'
import { createReplayCache } from './replay-cache.js'
import { parseDictionary } from './structured-fields.js'

const NOW = 1_700_000_000
const key = await generateKeyPair('Ed25519')
const other = await generateKeyPair('Ed25519')
const URL_ = 'https://digitalpost.example:8443/v1/federation/transactions/abcDEF12?x=1'
const body = new TextEncoder().encode('{"letters":[]}')

function opts(over: Partial<VerifyOptions> = {}): VerifyOptions {
  const cache = createReplayCache({ windowSeconds: 60, now: () => NOW })
  return {
    resolveKey: async (kid) => (kid === key.kidBase64Url ? key.publicKey : undefined),
    authority: 'digitalpost.example:8443',
    windowSeconds: 60,
    now: NOW,
    requireContentDigest: true,
    checkNonce: (k, n, c) => cache.check(k, n, c),
    ...over,
  }
}

async function signed(
  over: { url?: string; method?: string; digest?: string; created?: number } = {},
) {
  return signRequest(
    {
      method: over.method ?? 'PUT',
      url: over.url ?? URL_,
      contentDigest: over.digest ?? contentDigest(body),
    },
    { privateKey: key.privateKey, keyid: key.kidBase64Url, created: over.created ?? NOW },
  )
}

describe('RFC 9421 request signatures (Barid profile)', () => {
  it('verifies what it signed', async () => {
    const h = await signed()
    const v = await verifyRequest(
      { method: 'PUT', url: URL_, contentDigest: contentDigest(body) },
      h.signatureInput,
      h.signature,
      opts(),
    )
    expect(v.keyid).toBe(key.kidBase64Url)
    expect(h.signatureInput).toMatch(
      /^barid=\("@method" "@authority" "@path" "@query" "content-digest"\);created=1700000000;keyid="[^"]+";nonce="[^"]+";alg="ed25519";tag="barid-federation"$/,
    )
  })

  it('refuses a request whose method, authority, path, query or content changed', async () => {
    const h = await signed()
    const variants = [
      { method: 'POST', url: URL_, contentDigest: contentDigest(body) },
      {
        method: 'PUT',
        url: URL_.replace('abcDEF12', 'abcDEF13'),
        contentDigest: contentDigest(body),
      },
      { method: 'PUT', url: URL_.replace('x=1', 'x=2'), contentDigest: contentDigest(body) },
      {
        method: 'PUT',
        url: URL_,
        contentDigest: contentDigest(new TextEncoder().encode('{"letters":[1]}')),
      },
    ]
    for (const v of variants) {
      await expect(verifyRequest(v, h.signatureInput, h.signature, opts())).rejects.toMatchObject({
        code: 'ERR_FED_SIGNATURE_INVALID',
      })
    }
    await expect(
      verifyRequest(
        { method: 'PUT', url: URL_, contentDigest: contentDigest(body) },
        h.signatureInput,
        h.signature,
        opts({ authority: 'evil.example' }),
      ),
    ).rejects.toMatchObject({ code: 'ERR_FED_SIGNATURE_INVALID' })
  })

  it('refuses a signature with any single bit flipped', async () => {
    const h = await signed()
    const raw = Buffer.from(h.signature.slice('barid=:'.length, -1), 'base64')
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: raw.length * 8 - 1 }), async (bit) => {
        const t = Buffer.from(raw)
        t[bit >> 3]! ^= 1 << (bit & 7)
        await expect(
          verifyRequest(
            { method: 'PUT', url: URL_, contentDigest: contentDigest(body) },
            h.signatureInput,
            `barid=:${t.toString('base64')}:`,
            opts(),
          ),
        ).rejects.toMatchObject({ code: 'ERR_FED_SIGNATURE_INVALID' })
      }),
      { numRuns: 30 },
    )
  })

  it('refuses stale, replayed, unsigned and unknown-key requests with their own codes', async () => {
    const req = { method: 'PUT', url: URL_, contentDigest: contentDigest(body) }
    const old = await signed({ created: NOW - 61 })
    await expect(
      verifyRequest(req, old.signatureInput, old.signature, opts()),
    ).rejects.toMatchObject({ code: 'ERR_FED_SIGNATURE_STALE' })
    const h = await signed()
    const o = opts()
    await verifyRequest(req, h.signatureInput, h.signature, o)
    await expect(verifyRequest(req, h.signatureInput, h.signature, o)).rejects.toMatchObject({
      code: 'ERR_FED_REPLAY',
    })
    await expect(verifyRequest(req, null, null, opts())).rejects.toMatchObject({
      code: 'ERR_FED_SIGNATURE_MISSING',
    })
    await expect(
      verifyRequest(
        req,
        h.signatureInput,
        h.signature,
        opts({ resolveKey: async () => undefined }),
      ),
    ).rejects.toMatchObject({ code: 'ERR_FED_KEY_UNKNOWN' })
    await expect(
      verifyRequest(
        req,
        h.signatureInput,
        h.signature,
        opts({ resolveKey: async () => other.publicKey }),
      ),
    ).rejects.toMatchObject({ code: 'ERR_FED_SIGNATURE_INVALID' })
  })

  it('refuses a signature that does not cover content-digest when the request has content', async () => {
    const h = await signRequest(
      { method: 'PUT', url: URL_ },
      { privateKey: key.privateKey, keyid: key.kidBase64Url, created: NOW },
    )
    await expect(
      verifyRequest(
        { method: 'PUT', url: URL_, contentDigest: contentDigest(body) },
        h.signatureInput,
        h.signature,
        opts(),
      ),
    ).rejects.toMatchObject({ code: 'ERR_FED_SIGNATURE_INVALID' })
  })

  it('gives a typed error, never a crash, for arbitrary Signature-Input and Signature fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 120 }),
        async (si, s) => {
          try {
            await verifyRequest(
              { method: 'GET', url: URL_ },
              si,
              s,
              opts({ requireContentDigest: false }),
            )
            expect.unreachable()
          } catch (e) {
            expect(isBaridError(e)).toBe(true)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('Content-Digest (RFC 9530)', () => {
  it('matches the RFC 9530 example and refuses other content', () => {
    const example = new TextEncoder().encode('{"hello": "world"}\n')
    expect(contentDigest(example)).toBe('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:')
    expect(() =>
      verifyContentDigest('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:', example),
    ).not.toThrow()
    expect(() =>
      verifyContentDigest('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:', body),
    ).toThrow(expect.objectContaining({ code: 'ERR_FED_CONTENT_DIGEST' }))
    expect(() => verifyContentDigest('sha-512=:AAAA:', example)).toThrow(
      expect.objectContaining({ code: 'ERR_FED_CONTENT_DIGEST' }),
    )
    expect(() => verifyContentDigest(undefined, example)).toThrow(
      expect.objectContaining({ code: 'ERR_FED_CONTENT_DIGEST' }),
    )
  })

  it('parses structured dictionaries strictly', () => {
    expect(() => parseDictionary('a=1, a=2', 'ERR_FED_CONTENT_DIGEST')).toThrow(
      expect.objectContaining({ code: 'ERR_FED_CONTENT_DIGEST' }),
    )
    expect(() => parseDictionary('a=1,', 'ERR_FED_CONTENT_DIGEST')).toThrow(
      expect.objectContaining({ code: 'ERR_FED_CONTENT_DIGEST' }),
    )
    const d = parseDictionary(
      'sig1=("@method" "@path");created=5;keyid="k", b=?1',
      'ERR_FED_SIGNATURE_INVALID',
    )
    expect([...d.keys()]).toEqual(['sig1', 'b'])
  })
})

describe('the example of spec 11.2', () => {
  it('produces and verifies the signature printed in the spec', async () => {
    const { importKeyPair } = await import('../core.js')
    const k = await importKeyPair(
      {
        kty: 'OKP',
        crv: 'Ed25519',
        d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      },
      { algorithm: 'Ed25519' },
    )
    const content = new TextEncoder().encode('{"hello": "world"}')
    const url = 'https://barid.digitalpost.dk/v1/federation/transactions/Q0rQ8KfB7Yq3pPqhVh1Kxg'
    const req = { method: 'PUT', url, contentDigest: contentDigest(content) }
    const h = await signRequest(req, {
      privateKey: k.privateKey,
      keyid: k.kidBase64Url,
      created: 1767225600,
      nonce: '4bT1x0mL3Yq8ZkQ2pW9sVA',
    })
    expect(k.kidBase64Url).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k')
    expect(h.signature).toBe(
      'barid=:AZFv8M1oQ87kZF1GKQgk+D52fDrNp7O4OE+esSpdvIk4N6iWTXqBbXif19huiZR16B5/6xTuBrUi490NGGgxBg==:',
    )
    const cache = createReplayCache({ windowSeconds: 60, now: () => 1767225600 })
    await expect(
      verifyRequest(req, h.signatureInput, h.signature, {
        resolveKey: async () => k.publicKey,
        authority: 'barid.digitalpost.dk',
        windowSeconds: 60,
        now: 1767225600,
        requireContentDigest: true,
        checkNonce: (a, b, c) => cache.check(a, b, c),
      }),
    ).resolves.toMatchObject({ keyid: k.kidBase64Url })
  })
})
