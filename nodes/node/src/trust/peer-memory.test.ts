import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../config/profile.js'
import { importPublicJwk, parseCertificate, type NodeKey } from '../core.js'
import { createLogger } from '../ops/logger.js'
import { barid } from './barid-cli.js'
import { createLocalFederation, OPERATOR_FILES } from './local-federation.js'
import { openPeerMemory } from './peer-memory.js'

const NODES = fileURLToPath(new URL('../../../', import.meta.url))
let dir: string
let keys: NodeKey[]
let n = 0
const file = () => join(dir, `peers-${n++}.json`)

async function nodeKey(pem: string, retired?: number): Promise<NodeKey> {
  const certificate = await parseCertificate(pem)
  const { publicKey } = await importPublicJwk(certificate.publicJwk!, { use: 'sign' })
  return {
    kid: certificate.kid!,
    uses: ['request-signing', 'evidence-signing'],
    certificate,
    publicKey,
    ...(retired === undefined ? {} : { retired }),
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-memory-'))
  const operatorDir = join(dir, 'operator')
  await createLocalFederation({
    dir: join(dir, 'federation'),
    operators: [
      {
        profile: await loadProfile(join(NODES, 'egypt-post')),
        url: 'http://127.0.0.1:7401',
        operatorDir,
      },
    ],
  })
  const first = await readFile(join(operatorDir, OPERATOR_FILES.nodeCert), 'utf8')
  const retireAt = Math.floor(Date.now() / 1000) + 60
  await barid(['operator', 'rotate-node', '--dir', operatorDir, '--retire-at', String(retireAt)])
  const second = await readFile(join(operatorDir, OPERATOR_FILES.nodeCert), 'utf8')
  keys = [await nodeKey(second), await nodeKey(first, retireAt)]
}, 30_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('peer memory', () => {
  it('remembers peer keys with their retirement, and the operators exchanged with, across a reopen', async () => {
    const f = file()
    const a = await openPeerMemory({ file: f })
    a.rememberKeys('post.eg', keys)
    a.contacted('post.eg')
    await a.flush()
    const b = await openPeerMemory({ file: f })
    expect(b.hasContacted('post.eg')).toBe(true)
    expect(b.hasContacted('digitalpost.dk')).toBe(false)
    for (const k of keys) {
      const r = b.key(k.kid)
      expect(r?.operator).toBe('post.eg')
      expect(r?.key.retired).toBe(k.retired)
      expect(r?.key.certificate.der).toEqual(k.certificate.der)
    }
  })

  it('keeps a later retirement of a key it remembered as current', async () => {
    const f = file()
    const a = await openPeerMemory({ file: f })
    const old = keys[1]!
    a.rememberKeys('post.eg', [{ ...old, retired: undefined } as NodeKey])
    await a.flush()
    a.rememberKeys('post.eg', [old])
    await a.flush()
    expect((await openPeerMemory({ file: f })).key(old.kid)?.key.retired).toBe(old.retired)
  })

  it('forgets the oldest entries beyond its bounds', async () => {
    const a = await openPeerMemory({ file: file(), maxKeys: 1, maxContacts: 2 })
    a.rememberKeys('post.eg', keys)
    expect(a.key(keys[0]!.kid)).toBeUndefined()
    expect(a.key(keys[1]!.kid)).toBeDefined()
    for (const op of ['a.example', 'b.example', 'c.example']) a.contacted(op)
    expect(['a.example', 'b.example', 'c.example'].map((op) => a.hasContacted(op))).toEqual([
      false,
      true,
      true,
    ])
  })

  it('drops entries that do not parse or name another operator than their certificate, with a warning', async () => {
    const f = file()
    const a = await openPeerMemory({ file: f })
    a.rememberKeys('post.eg', keys)
    await a.flush()
    const doc = JSON.parse(await readFile(f, 'utf8')) as {
      keys: { operator: string; cert: string }[]
    }
    doc.keys[0]!.operator = 'digitalpost.dk'
    doc.keys[1]!.cert = 'AAAA'
    await writeFile(f, JSON.stringify(doc))
    const lines: string[] = []
    const log = createLogger({ level: 'warn', write: (l) => void lines.push(l) })
    const b = await openPeerMemory({ file: f, log })
    expect(keys.map((k) => b.key(k.kid))).toEqual([undefined, undefined])
    expect(lines.join('\n')).toContain('"dropped":2')
    await writeFile(f, '{not json')
    await expect(openPeerMemory({ file: f, log })).resolves.toBeDefined()
  })
})
