import fc from 'fast-check'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../config/profile.js'
import { isBaridError, toBase64Url } from '../core.js'
import { barid } from '../trust/barid-cli.js'
import { createLocalFederation, OPERATOR_FILES } from '../trust/local-federation.js'
import { loadNodeKeyRing, operatorDirVersion } from './node-key-ring.js'

const NODES = fileURLToPath(new URL('../../../', import.meta.url))
const operator = 'post.eg'
let dir: string
let pristine: string
let n = 0
const now = () => Math.floor(Date.now() / 1000)

/** A fresh copy of an operator directory with its first node certificate. */
async function operatorDir(): Promise<string> {
  const d = join(dir, `op-${n++}`)
  await cp(pristine, d, { recursive: true })
  return d
}

async function rotate(d: string, retireAt: number) {
  return barid(['operator', 'rotate-node', '--dir', d, '--retire-at', String(retireAt)])
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-ring-'))
  pristine = join(dir, 'operator')
  await createLocalFederation({
    dir: join(dir, 'federation'),
    operators: [
      {
        profile: await loadProfile(join(NODES, 'egypt-post')),
        url: 'http://127.0.0.1:7401',
        operatorDir: pristine,
      },
    ],
  })
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('node key ring', () => {
  it('signs with the previous key until its retirement and with the new one from then on, listing both', async () => {
    const d = await operatorDir()
    const before = await loadNodeKeyRing(d, { operator, now: now() })
    expect(before.retired).toEqual([])
    const oldKid = before.current.keyPair.kidBase64Url
    const t = now()
    const r = await rotate(d, t + 100)
    const ring = await loadNodeKeyRing(d, { operator, now: t })
    const newKid = ring.current.keyPair.kidBase64Url
    expect(newKid).toBe(r.kid)
    expect(newKid).not.toBe(oldKid)
    expect(ring.signingAt(t).keyPair.kidBase64Url).toBe(oldKid)
    expect(ring.signingAt(t + 99).keyPair.kidBase64Url).toBe(oldKid)
    expect(ring.signingAt(t + 100).keyPair.kidBase64Url).toBe(newKid)
    expect(ring.all().map((k) => [toBase64Url(k.certificate.kid!), k.retired])).toEqual([
      [newKid, undefined],
      [oldKid, t + 100],
    ])
    expect(ring.byKid(before.current.certificate.kid!)?.retired).toBe(t + 100)
    expect(ring.credentials.nodeKey.kidBase64Url).toBe(newKid)
  })

  it('does not read a retired private key once its retirement has passed', async () => {
    const d = await operatorDir()
    const t = now()
    await rotate(d, t + 5)
    const ring = await loadNodeKeyRing(d, { operator, now: t + 5 })
    expect(ring.retired[0]!.keyPair).toBeUndefined()
    expect(ring.signingAt(t).keyPair.kidBase64Url).toBe(ring.current.keyPair.kidBase64Url)
  })

  it('refuses a directory caught half-way through a rotation, naming the file', async () => {
    const d = await operatorDir()
    const keyBefore = await readFile(join(d, OPERATOR_FILES.nodeKey), 'utf8')
    const versionBefore = await operatorDirVersion(d)
    await rotate(d, now() + 60)
    expect(await operatorDirVersion(d)).not.toBe(versionBefore)
    // The new certificate is written, the key file is still the previous one.
    await writeFile(join(d, OPERATOR_FILES.nodeKey), keyBefore)
    await expect(loadNodeKeyRing(d, { operator, now: now() })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('node.crt.pem certifies another key'),
    })
    // The manifest names the current key as retired.
    const m = JSON.parse(await readFile(join(d, OPERATOR_FILES.nodeKeys), 'utf8')) as {
      retired: { kid: string; serial: string; cert: string }[]
    }
    await cp(join(d, m.retired[0]!.cert), join(d, OPERATOR_FILES.nodeCert))
    await expect(loadNodeKeyRing(d, { operator, now: now() })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('rotation is under way'),
    })
  })

  it('refuses any malformed node-keys.json with a typed error', async () => {
    const d = await operatorDir()
    await rotate(d, now() + 60)
    const good = JSON.parse(await readFile(join(d, OPERATOR_FILES.nodeKeys), 'utf8')) as {
      retired: Record<string, unknown>[]
    }
    const entry = good.retired[0]!
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ v: fc.constant(1), retired: fc.array(fc.jsonValue(), { maxLength: 3 }) }),
          fc
            .record({
              field: fc.constantFrom('kid', 'serial', 'retired', 'cert', 'key'),
              value: fc.jsonValue(),
            })
            .map(({ field, value }) => ({ v: 1, retired: [{ ...entry, [field]: value }] })),
        ),
        async (doc) => {
          await writeFile(join(d, OPERATOR_FILES.nodeKeys), JSON.stringify(doc))
          const outcome = await loadNodeKeyRing(d, { operator, now: now() }).then(
            (ring) => ring.retired.map((k) => toBase64Url(k.certificate.kid!)),
            (e: unknown) => (isBaridError(e) ? e.code : String(e)),
          )
          // Accepted only as what a real file says (no key, or the real one); else refused.
          if (Array.isArray(outcome)) expect([[], [entry.kid]]).toContainEqual(outcome)
          else expect(outcome).toBe('ERR_INVALID_ARGUMENT')
        },
      ),
      { numRuns: 40 },
    )
  })
})
