/**
 * `GET /v1/citizen/me` (spec 13.2): the `status` it answers is `active` or `exempt`, following
 * the mailbox's status as the operator sets it (15.5) and the exemption registry (17.6); a
 * closed mailbox's holder is refused with `ERR_FORBIDDEN`, never answered `closed`.
 */
import { describe, expect, it } from 'vitest'
import { clientFetch, makeCitizen, startPair } from '../../test/harness.js'
import { devToken } from '../../test/clients.js'

describe('GET /v1/citizen/me', () => {
  it('answers status active or exempt as the mailbox changes, and refuses a closed mailbox', async () => {
    await using pair = await startPair()
    const dk = pair.nodes.dk
    const f = clientFetch(pair, 'dk')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const admin = (path: string, method: string, body: unknown) =>
      f(`${dk.url}/v1/admin${path}`, {
        method,
        headers: {
          authorization: `Bearer ${dk.services.keys.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    const me = async () => {
      const token = await devToken(dk.url, lars.identifier, f)
      return f(`${dk.url}/v1/citizen/me`, { headers: { authorization: `Bearer ${token}` } })
    }
    const status = async () => {
      const res = await me()
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(Object.keys(body).sort()).toEqual(['address', 'identifier', 'operator', 'status'])
      expect(body).toMatchObject({
        address: lars.address,
        identifier: 'dk:cpr:0101901234',
        operator: 'digitalpost.dk',
      })
      return body.status
    }
    const setStatus = async (s: string) => {
      const res = await admin(`/mailboxes/${encodeURIComponent(lars.address)}/status`, 'PUT', {
        status: s,
      })
      expect(res.status).toBe(200)
    }

    expect(await status()).toBe('active')
    await setStatus('exempt')
    expect(await status()).toBe('exempt')
    await setStatus('active')
    expect(await status()).toBe('active')

    // An entry in the exemption registry makes the mailbox exempt too (served on paper).
    const registered = await admin('/exemptions', 'PUT', {
      identifier: lars.identifier,
      address: lars.address,
      reason: 'no-internet-access',
      name: 'Lars Jensen',
      postalAddress: ['Nørregade 1, 2. th.', '1165 København K'],
    })
    expect(registered.ok).toBe(true)
    expect(await status()).toBe('exempt')

    await setStatus('closed')
    const closed = await me()
    expect(closed.status).toBe(403)
    expect(((await closed.json()) as { error: { code: string } }).error.code).toBe('ERR_FORBIDDEN')
  })
})
