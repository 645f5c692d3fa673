/**
 * @module paper/exemption-routes
 * The exemption registry (spec 17.6) in the admin API: residents served on paper, with the reason
 * and the validity of their exemption and the postal address the print channel writes in the
 * address window. Registering a resident without a mailbox makes one for them (status `exempt`),
 * so senders reach them by identifier or address like anyone else; the registry decides, at
 * every moment, whether their letters go to paper.
 */
import { Hono } from 'hono'
import { BaridError } from '../core.js'
import { openMailbox } from '../admin/admin.js'
import { readJson, strField } from '../http/body.js'
import type { NodeEnv } from '../http/context.js'
import type { NodeServices } from '../services.js'
import {
  EXEMPTION_REASONS,
  type Exemption,
  type ExemptionReason,
} from '../storage/registered-types.js'

function time(v: unknown, name: string): number | null {
  if (v === undefined || v === null) return null
  const t = typeof v === 'string' && v.length <= 40 ? Date.parse(v) : NaN
  if (!Number.isFinite(t))
    throw new BaridError('ERR_INVALID_ARGUMENT', `${name} must be an RFC 3339 time`)
  return t
}

const view = (address: string, e: Exemption) => ({
  address,
  reason: e.reason,
  validFrom: new Date(e.validFrom).toISOString(),
  validUntil: e.validUntil === null ? null : new Date(e.validUntil).toISOString(),
  name: e.name,
  postalAddress: e.postalAddress,
})

/**
 * Mounted under `/v1/admin` (after admin authentication).
 *
 * @example
 * ```ts
 * admin.route('/exemptions', exemptionRoutes(svc))
 * ```
 */
export function exemptionRoutes(svc: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>()

  app.put('/', async (c) => {
    const b = await readJson(c, 8192)
    const reason = b.reason
    if (!EXEMPTION_REASONS.includes(reason as ExemptionReason))
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `reason must be one of ${EXEMPTION_REASONS.join(', ')}`,
      )
    const lines = b.postalAddress
    if (
      !Array.isArray(lines) ||
      lines.length === 0 ||
      lines.length > 6 ||
      !lines.every((l) => typeof l === 'string' && l.length > 0 && l.length <= 80)
    )
      throw new BaridError('ERR_INVALID_ARGUMENT', 'postalAddress must be 1 to 6 lines of text')
    const now = svc.now()
    const validFrom = time(b.validFrom, 'validFrom') ?? now
    const validUntil = time(b.validUntil, 'validUntil')
    if (validUntil !== null && validUntil <= validFrom)
      throw new BaridError('ERR_INVALID_ARGUMENT', 'validUntil must be after validFrom')
    const identifier = b.identifier === undefined ? undefined : strField(b, 'identifier', 128)
    const address = b.address === undefined ? undefined : strField(b, 'address', 320)
    let mb =
      (identifier && (await svc.storage.getMailboxByIdentifier(identifier))) ||
      (address && (await svc.storage.getMailboxByAddress(address))) ||
      undefined
    if (!mb) {
      if (!address)
        throw new BaridError(
          'ERR_INVALID_ARGUMENT',
          'address is required for a resident without a mailbox',
        )
      mb = await openMailbox(svc, {
        address,
        ...(identifier === undefined ? {} : { identifier }),
        kind: 'person',
        status: 'active',
      })
    }
    const prior = await svc.storage.getExemption(mb.id)
    const e: Exemption = {
      mailboxId: mb.id,
      reason: reason as ExemptionReason,
      validFrom,
      validUntil,
      name: strField(b, 'name', 120),
      postalAddress: lines as string[],
      createdAt: prior?.createdAt ?? now,
      updatedAt: now,
    }
    await svc.storage.putExemption(e)
    await svc.storage.syncExemptions(now)
    return c.json(view(mb.address, e), prior ? 200 : 201)
  })

  app.get('/', async (c) => {
    const list = await svc.storage.listExemptions()
    const out = []
    for (const e of list) {
      const mb = await svc.storage.getMailboxById(e.mailboxId)
      if (mb) out.push(view(mb.address, e))
    }
    return c.json({ exemptions: out })
  })

  return app
}
