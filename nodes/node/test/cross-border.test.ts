import { describe, expect, it } from 'vitest'
import { eventually, makeAgency, makeCitizen, startPair } from './harness.js'

const PDF = new TextEncoder().encode(
  '%PDF-1.4\n% Barid test\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
)

describe.each([
  ['in-process', false],
  ['on loopback ports', true],
])('a registered letter across the border (%s)', (_name, listen) => {
  it('is delivered once, opened by the citizen, and its evidence trail returns to the sender', async () => {
    await using pair = await startPair({ listen })
    const f = listen ? fetch : undefined
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax', f)
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234', f)

    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    expect(found.status).toBe('active')
    if (found.status !== 'active') return
    expect(found.address).toBe(lars.address)

    const { sealFor } = await import('./clients.js')
    const sealed = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: found.address, keys: found }],
      kind: 'registered',
      subject: 'Tax assessment 2025',
      body: 'Your assessment is attached.',
      lang: 'en',
      attachments: [{ filename: 'assessment.pdf', mediaType: 'application/pdf', bytes: PDF }],
    })
    for (const b of sealed.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
    const accepted = await eta.client.submit(sealed.bytes, 'k1')
    expect(accepted.recipients).toEqual([
      { address: lars.address, state: 'pending', code: null, chain: [accepted.evidence[0]] },
    ])

    const delivered = await eventually(async () => {
      const s = await eta.client.status(sealed.id)
      expect(s.recipients[0]!.state).toBe('delivered')
      return s
    })
    expect(delivered.evidence.length).toBe(3)

    const list = await lars.client.list('/letters')
    expect(list.letters.map((l) => l.letterId)).toEqual([sealed.id])
    const opened = await lars.client.open('/letters', sealed.id, {
      address: lars.address,
      keys: lars.keys,
    })
    expect(new TextDecoder().decode(opened.body)).toBe('Your assessment is attached.')
    expect(opened.files[0]!.bytes).toEqual(PDF)
    await lars.client.markOpened('/letters', sealed.id)

    const final = await eventually(async () => {
      const s = await eta.client.status(sealed.id)
      expect(s.evidence.length).toBe(4)
      return s
    })
    expect(final.recipients[0]!.state).toBe('delivered')
  })
})
