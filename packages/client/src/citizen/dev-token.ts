/**
 * @module citizen/dev-token
 * A token from the reference node's development identity provider (spec 13.2), which stands in
 * for a national eID on a developer's machine and signs a token for any identifier it is
 * asked for. For local federations and tests only: a production node does not serve it.
 */
import { check } from '../args/check.js'
import { devTokenOptions } from '../args/shapes.js'
import { BaridError, parseIdentifier } from '../core.js'
import { createTransport, type FetchLike } from '../http/transport.js'

/**
 * @example
 * ```ts
 * const token = await requestDevToken({ baseUrl: 'http://127.0.0.1:7402', identifier: 'dk:cpr:0101901234' })
 * ```
 */
export async function requestDevToken(o: {
  baseUrl: string
  identifier: string
  fetch?: FetchLike
}): Promise<string> {
  check(o, devTokenOptions, 'options')
  const t = createTransport({ baseUrl: o.baseUrl, fetch: o.fetch })
  const { data } = await t.json<{ access_token?: unknown }>({
    method: 'POST',
    path: '/dev/idp/token',
    json: { identifier: parseIdentifier(o.identifier).text },
    repeatable: true,
  })
  if (typeof data?.access_token !== 'string')
    throw new BaridError(
      'ERR_INTERNAL',
      'the development identity provider answered without a token',
    )
  return data.access_token
}
