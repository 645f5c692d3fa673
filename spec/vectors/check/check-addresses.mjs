// vectors/addresses.json against spec 03: operator ids (3.2) and mailbox addresses (3.3).
// Participant identifiers (3.4 to 3.10) are not checked here yet.
import { assertEqual, vectors } from './harness.mjs'
import { mailboxAddress, operatorId } from './addresses.mjs'

export function checkAddresses(r) {
  const j = vectors('addresses.json')
  for (const v of j.operatorIds.valid)
    r.check(`operator id ${v.input}`, () =>
      assertEqual(operatorId(v.input), v.canonical, 'canonical'),
    )
  for (const v of j.operatorIds.invalid)
    r.refuses(`operator id invalid: ${v.note}`, v.reason, () => operatorId(v.input))
  for (const v of j.mailboxAddresses.valid) {
    r.check(`mailbox ${v.input}`, () =>
      assertEqual(
        mailboxAddress(v.input),
        { local: v.local, operator: v.operator, address: v.address },
        'parsed',
      ),
    )
  }
  for (const v of j.mailboxAddresses.invalid)
    r.refuses(`mailbox invalid: ${v.note}`, v.reason, () => mailboxAddress(v.input))
}
