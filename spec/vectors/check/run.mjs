#!/usr/bin/env node
// Checks the vector files of spec/vectors against the spec text, without the reference
// implementation (node:crypto only). Usage: node spec/vectors/check/run.mjs [area ...]
// Exit status 0 when every check passes.
import { Results } from './harness.mjs'
import { checkAddresses } from './check-addresses.mjs'
import { checkAttachments } from './check-attachments.mjs'
import { checkCbor } from './check-cbor.mjs'
import { checkCertificates } from './check-certificates.mjs'
import { checkEvidence } from './check-evidence.mjs'
import { checkEvidenceBundle } from './check-evidence-bundle.mjs'
import { checkLetter } from './check-letter.mjs'
import { checkTransparency } from './check-transparency.mjs'
import { checkTrustList } from './check-trust-list.mjs'

const areas = {
  cbor: checkCbor,
  addresses: checkAddresses,
  letter: checkLetter,
  attachments: checkAttachments,
  evidence: checkEvidence,
  transparency: checkTransparency,
  certificates: checkCertificates,
  'trust-list': checkTrustList,
  'evidence-bundle': checkEvidenceBundle,
}
// Vector files this checker does not read yet (see README.md).
const notCovered = [
  'addresses.json (identifiers)',
]

const only = process.argv.slice(2)
const unknown = only.filter((a) => !(a in areas))
if (unknown.length > 0) {
  console.error(`unknown area ${unknown.join(', ')}; areas: ${Object.keys(areas).join(', ')}`)
  process.exit(2)
}
let failed = 0
for (const [name, fn] of Object.entries(areas)) {
  if (only.length > 0 && !only.includes(name)) continue
  const r = new Results()
  try {
    fn(r)
  } catch (e) {
    r.failures.push(`(crashed) ${e instanceof Error ? e.stack : e}`)
  }
  console.log(
    `${r.failures.length === 0 ? 'ok  ' : 'FAIL'} ${name}: ${r.passed} passed, ${r.failures.length} failed`,
  )
  for (const f of r.failures) console.log(`     - ${f}`)
  failed += r.failures.length
}
if (only.length === 0) console.log(`not checked: ${notCovered.join(', ')}`)
process.exit(failed === 0 ? 0 : 1)
