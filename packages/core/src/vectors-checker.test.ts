/**
 * Runs the independent checker of spec/vectors (spec/vectors/check/run.mjs), a second
 * implementation written from the spec text with node:crypto only, so that the vectors keep
 * passing it as they change.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const VECTORS = fileURLToPath(new URL('../../../spec/vectors/', import.meta.url))
const CHECKER = join(VECTORS, 'check', 'run.mjs')

function runChecker(env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECKER], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

describe('the independent checker of spec/vectors', () => {
  it('passes every vector file it reads', () => {
    const { status, out } = runChecker()
    expect(out).not.toContain('FAIL')
    const areas = [
      'cbor',
      'addresses',
      'letter',
      'attachments',
      'evidence',
      'transparency',
      'certificates',
      'trust-list',
      'evidence-bundle',
    ]
    for (const area of areas)
      expect(out).toMatch(new RegExp(`^ok {3}${area}: [1-9][0-9]* passed, 0 failed$`, 'm'))
    expect(status).toBe(0)
  })

  it('fails when one byte of the signature of an ES256 evidence record is changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'barid-vectors-'))
    try {
      cpSync(VECTORS, dir, { recursive: true })
      const file = join(dir, 'evidence.json')
      const evidence = JSON.parse(readFileSync(file, 'utf8')) as {
        records: { alg: string; bytes: string }[]
      }
      const v = evidence.records.find((r) => r.alg === 'ES256')!
      const at = v.bytes.length - 10
      const flipped = v.bytes.slice(at, at + 2) === '00' ? '01' : '00'
      v.bytes = v.bytes.slice(0, at) + flipped + v.bytes.slice(at + 2)
      writeFileSync(file, JSON.stringify(evidence))
      const { status, out } = runChecker({ BARID_VECTORS_DIR: dir })
      expect(out).toMatch(/^FAIL evidence: /m)
      expect(out).toContain('ES256')
      expect(status).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails when one byte of a valid letter is changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'barid-vectors-'))
    try {
      cpSync(VECTORS, dir, { recursive: true })
      const file = join(dir, 'letter.json')
      const letters = JSON.parse(readFileSync(file, 'utf8')) as { valid: { letter: string }[] }
      const v = letters.valid[0]!
      const at = v.letter.length - 2
      v.letter = v.letter.slice(0, at) + (v.letter.slice(at) === '00' ? '01' : '00')
      writeFileSync(file, JSON.stringify(letters))
      const { status, out } = runChecker({ BARID_VECTORS_DIR: dir })
      expect(out).toMatch(/^FAIL letter: /m)
      expect(status).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  // One byte of a signature, in each file the X.509 and trust checks read.
  const flipAt = (h: string, at: number) =>
    h.slice(0, at) + (h.slice(at, at + 2) === '00' ? '01' : '00') + h.slice(at + 2)
  const cases: [string, string, (j: Record<string, unknown>) => void, RegExp][] = [
    [
      'certificates.json',
      'certificates',
      (j) => {
        const c = (j.certificates as { name: string; der: string }[]).find((x) => x.name === 'node')!
        c.der = flipAt(c.der, c.der.length - 10)
      },
      /certificate chain node: ERR_CERT_SIGNATURE_INVALID/,
    ],
    [
      'trust-list.json',
      'trust-list',
      (j) => {
        const v = (j.valid as { name: string; hex: string }[]).find((x) => x.name === 'base')!
        v.hex = flipAt(v.hex, v.hex.length - 10)
      },
      /trust list base: ERR_SIGNATURE_INVALID/,
    ],
    [
      'evidence-bundle.json',
      'evidence-bundle',
      (j) => {
        const v = (j.valid as { hex: string }[])[1]!
        const at = v.hex.indexOf('6470617468') + 26 // in the first hash of the proof's path
        v.hex = flipAt(v.hex, at)
      },
      /evidence bundle with the accepted record proved .*: ERR_PROOF_INVALID/,
    ],
  ]
  it.each(cases)('fails when one byte of %s is changed', (file, area, change, failure) => {
    const dir = mkdtempSync(join(tmpdir(), 'barid-vectors-'))
    try {
      cpSync(VECTORS, dir, { recursive: true })
      const path = join(dir, file)
      const j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
      change(j)
      writeFileSync(path, JSON.stringify(j))
      const { status, out } = runChecker({ BARID_VECTORS_DIR: dir })
      expect(out).toMatch(new RegExp(`^FAIL ${area}: `, 'm'))
      expect(out).toMatch(failure)
      expect(status).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
