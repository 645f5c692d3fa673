/**
 * A transaction answered with a retried status and a `Retry-After` (spec 14.3) is not sent again
 * before the time it gives, whether in seconds or as an HTTP-date (RFC 9110 10.2.3): the sending
 * node accepts both forms.
 */
import { expect, it } from 'vitest'
import { etaToLars, eventually, startPair } from './harness.js'

const forms = {
  seconds: () => '2',
  // Whole seconds: three seconds ahead is at least two once cut to the second.
  'an HTTP-date': () => new Date(Date.now() + 3000).toUTCString(),
}

for (const [form, retryAfter] of Object.entries(forms)) {
  it(`waits for the Retry-After in ${form} of a transaction answered 503 before sending it again`, async () => {
    const sent: number[] = []
    await using pair = await startPair({
      wrapFetch: (side, f) => async (input, init) => {
        if (side !== 'eg' || !input.includes('/v1/federation/transactions/')) return f(input, init)
        sent.push(Date.now())
        if (sent.length > 1) return f(input, init)
        const body = JSON.stringify({ error: { code: 'ERR_UNAVAILABLE', message: 'busy' } })
        return new Response(body, {
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': retryAfter() },
        })
      },
    })
    const { eta, send } = await etaToLars(pair, { inProcess: true })
    const id = await send('later', { kind: 'letter' })
    await eventually(async () => {
      expect((await eta.client.status(id)).recipients[0]!.state).toBe('delivered')
    }, 8000)
    // Without it, the next try comes after the backoff of the pair (at most 200 ms).
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(1900)
  })
}
