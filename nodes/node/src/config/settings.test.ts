import fc from 'fast-check'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBaridError } from '../core.js'
import { loadConfig, type NodeConfig } from './config.js'
import { loadProfile, type Profile } from './profile.js'
import { SETTINGS, settingsTable, type Setting } from './settings.js'

const NODES = fileURLToPath(new URL('../../../', import.meta.url))

let dir: string
let profile: Profile
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-settings-'))
  profile = await loadProfile(join(NODES, 'denmark'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Loads the config from a file holding `text`, with the Danish profile. */
async function fromFile(text: string, env: Record<string, string> = {}): Promise<NodeConfig> {
  const file = join(dir, 'node.json')
  await writeFile(file, text)
  return loadConfig({ profile, configFile: file, env })
}

/** The refusal of a config, or what it accepted. */
async function refusal(p: Promise<NodeConfig>): Promise<string> {
  try {
    await p
    return 'accepted'
  } catch (e) {
    if (!isBaridError(e)) throw e
    return `${e.code}: ${e.message}`
  }
}

/** A config's leaves as `path → value` (lists are leaves). */
function leaves(o: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [k, v] of Object.entries(o)) {
    const path = prefix === '' ? k : `${prefix}.${k}`
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      for (const [p, x] of leaves(v as Record<string, unknown>, path)) out.set(p, x)
    else out.set(path, v)
  }
  return out
}

function at(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], o)
}

/** A JSON object holding `value` at `path`. */
function nest(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>
}

/** Every resolved value is of its setting's declared kind and range (or null, or absent). */
function expectWellTyped(config: NodeConfig): void {
  const values = leaves({ ...config, profile: undefined })
  values.delete('profile')
  const declared = new Set(SETTINGS.map((s) => s.path as string))
  for (const path of values.keys()) expect(declared, `undeclared ${path}`).toContain(path)
  for (const s of SETTINGS) {
    const v = at(config, s.path)
    if (v === undefined) expect(s.unset, s.path).toBe('absent')
    else if (v === null) expect(s.nullable, s.path).toBe(true)
    else expect(valueOk(s, v), `${s.path} = ${JSON.stringify(v)}`).toBe(true)
  }
}

/** The declared kinds, checked here without the code under test. */
function valueOk(s: Setting, v: unknown): boolean {
  const k = s.kind
  const text = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 4096
  switch (k.type) {
    case 'int':
      return Number.isSafeInteger(v) && (v as number) >= k.min && (v as number) <= k.max
    case 'bool':
      return typeof v === 'boolean'
    case 'enum':
      return k.values.includes(v as string)
    case 'enumList':
      return Array.isArray(v) && v.every((w) => k.values.includes(w as string))
    case 'text':
      return text(v) && (v as string).length >= (k.minLength ?? 1)
    case 'path':
      return text(v)
    case 'pathList':
      return Array.isArray(v) && v.every(text)
    case 'url':
      return (
        text(v) &&
        (k.base ? /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/ : /^https?:\/\/[^\s/?#@]+[^\s#]*$/).test(
          v as string,
        )
      )
    case 'intList':
      return Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n >= k.min && n <= k.max)
  }
}

/** What an accepted value from a file in `dir` becomes in the config. */
function expectedFromFile(s: Setting, v: unknown): unknown {
  if (v === null) return null
  if (s.path === 'publicUrl') return (v as string).replace(/\/+$/, '')
  if (s.kind.type === 'path') return resolve(dir, v as string)
  if (s.kind.type === 'pathList') return (v as string[]).map((p) => resolve(dir, p))
  return v
}

describe('node settings', () => {
  it('refuses a wrong value in the config file, naming the setting, the file and what it must be', async () => {
    const file = join(dir, 'node.json')
    const cases: [string, RegExp][] = [
      ['{"port":"7622"}', /port in .*node\.json must be an integer in \[0, 65535\]/],
      ['{"port":"abc"}', /port in .*node\.json must be an integer in \[0, 65535\]/],
      ['{"port":70000}', /port in .*node\.json must be an integer in \[0, 65535\]/],
      ['{"synchronous":"sometimes"}', /synchronous in .*node\.json must be one of full, normal/],
      [
        '{"delivery":{"concurrencyPerPeer":"x"}}',
        /delivery\.concurrencyPerPeer in .*node\.json must be an integer in/,
      ],
      ['{"limits":{"maxLetterBytes":-1}}', /limits\.maxLetterBytes in .*node\.json must be an/],
      // Above the protocol's 16 MiB (spec 5.9): no node may advertise it (15.1, 11.3).
      [
        '{"limits":{"maxLetterBytes":16777217}}',
        /limits\.maxLetterBytes in .*node\.json must be an integer in \[1, 16777216\]/,
      ],
      ['{"publicUrl":"ftp://x"}', /publicUrl in .*node\.json must be an http\(s\) URL/],
      ['{"publicUrl":"http://x:0"}', /publicUrl in .*node\.json must be an http\(s\) URL/],
      ['{"delivery":7}', /delivery in .*node\.json must be an object/],
      ['{"trust":{"governanceKeyFiles":"k.jwk"}}', /governanceKeyFiles in .*must be a list/],
      ['{"devIdentityProvider":"yes"}', /devIdentityProvider in .*must be true or false/],
      ['{"housekeepingIntervalMs":1e12}', /housekeepingIntervalMs in .*must be an integer/],
      ['{"testControlSecret":""}', /testControlSecret in .*must be a string of at least 32 /],
      ['{"testControlSecret":"short"}', /testControlSecret in .*at least 32 characters or null/],
      ['{"delivery":{"batchsize":5}}', /delivery\.batchsize in .*must be absent \(not a setting\)/],
    ]
    for (const [text, message] of cases) {
      const r = await refusal(fromFile(text))
      expect(r, text).toMatch(/^ERR_INVALID_ARGUMENT: config: /)
      expect(r, text).toMatch(message)
      expect(r, text).toContain(file)
    }
  })

  it('refuses a wrong environment variable, naming it and what it must be', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ BARID_PORT: '99999' }, /BARID_PORT \(port\) must be an integer in \[0, 65535\]/],
      [{ BARID_PORT: '-1' }, /BARID_PORT \(port\) must be an integer/],
      [{ BARID_PUBLIC_URL: 'notaurl' }, /BARID_PUBLIC_URL \(publicUrl\) must be an http\(s\) URL/],
      [{ BARID_OIDC_JWKS_URL: 'file:///etc/passwd' }, /BARID_OIDC_JWKS_URL .* must be an http\(s\)/],
      [{ BARID_LOG_LEVEL: 'loud' }, /BARID_LOG_LEVEL \(logLevel\) must be one of debug, info/],
      [{ BARID_DEV_IDP: 'yes' }, /BARID_DEV_IDP \(devIdentityProvider\) must be true or false/],
      [{ BARID_HOST: 'a host' }, /BARID_HOST \(host\) must be a host name or IP address/],
    ]
    for (const [env, message] of cases) {
      const r = await refusal(loadConfig({ profile, env }))
      expect(r, JSON.stringify(env)).toMatch(/^ERR_INVALID_ARGUMENT: config: /)
      expect(r, JSON.stringify(env)).toMatch(message)
    }
  })

  it('refuses a config file that is missing or not JSON, naming the file', async () => {
    const missing = join(dir, 'nope.json')
    expect(await refusal(loadConfig({ profile, configFile: missing }))).toBe(
      `ERR_INVALID_ARGUMENT: config: config file ${missing} does not exist`,
    )
    expect(await refusal(fromFile('{"port": 7622,}'))).toMatch(
      /^ERR_INVALID_ARGUMENT: config: config file .*node\.json is not valid JSON/,
    )
    expect(await refusal(loadConfig({ profile: join(dir, 'no-profile') }))).toBe(
      `ERR_INVALID_ARGUMENT: config: profile ${join(dir, 'no-profile', 'profile.json')} does not exist`,
    )
    // The parser's own message quotes the file's text, which may hold a secret.
    expect(await refusal(fromFile('{"testControlSecret": s3cret}'))).not.toContain('s3cret')
  })

  it('has its table in the node README as the code declares it', async () => {
    const readme = await readFile(join(NODES, 'node', 'README.md'), 'utf8')
    const copy = /<!-- settings:begin -->\n([^]*?)\n<!-- settings:end -->/.exec(readme)?.[1]
    expect(copy, 'print it with npx tsx scripts/settings-table.ts').toBe(settingsTable())
  })

  it('resolves a config whose every value is of its declared kind, the defaults included', async () => {
    const c = await loadConfig({ profile, env: {} })
    expectWellTyped(c)
    expect(c.port).toBe(profile.port)
    expect(c.publicUrl).toBe(`http://127.0.0.1:${profile.port}`)
  })

  it('takes any JSON value at any setting unchanged or refuses it with a typed error', async () => {
    const near = (s: Setting): fc.Arbitrary<unknown> => {
      const k = s.kind
      switch (k.type) {
        case 'int':
          return fc.oneof(
            fc.integer({ min: k.min - 2, max: Math.min(k.max, k.min + 100) }),
            fc.constantFrom(k.max, k.max + 1, -1, 0.5, Number.MAX_SAFE_INTEGER + 2, `${k.min}`),
          )
        case 'enum':
        case 'enumList':
          return fc.oneof(
            fc.constantFrom(...k.values, 'sometimes'),
            fc.array(fc.constantFrom(...k.values, 'x')),
          )
        case 'url':
          return fc.oneof(
            fc.webUrl({ withQueryParameters: true, withFragments: true }),
            fc.constantFrom('http://a.example/', 'ftp://x', 'notaurl', 'http://a:0', 'http://u@a'),
            fc.constantFrom(' http://a', 'http://a/b c', 'https://a/?q=1', 'http://a\n'),
          )
        case 'intList':
          return fc.array(fc.oneof(fc.integer({ min: -1, max: 100_000 }), fc.string()))
        case 'pathList':
          return fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 })
        default:
          return fc.oneof(fc.string(), fc.boolean(), fc.constant(null))
      }
    }
    const setting = fc.constantFrom(...SETTINGS)
    const entry = setting.chain((s) =>
      fc.tuple(fc.constant(s), fc.oneof(near(s), fc.jsonValue({ maxDepth: 2 }))),
    )
    await fc.assert(
      fc.asyncProperty(entry, async ([s, value]) => {
        let c: NodeConfig
        try {
          c = await fromFile(JSON.stringify(nest(s.path, value)))
        } catch (e) {
          // Refused: a typed error naming the setting (a thrown TypeError fails the property).
          expect(isBaridError(e) && e.code === 'ERR_INVALID_ARGUMENT', String(e)).toBe(true)
          expect((e as Error).message).toContain(s.path)
          return
        }
        expectWellTyped(c)
        // JSON drops what it cannot hold (undefined, -0): compare with what the file held.
        const held = JSON.parse(JSON.stringify(nest(s.path, value))) as unknown
        expect(at(c, s.path)).toEqual(expectedFromFile(s, at(held, s.path)))
      }),
      { numRuns: 400 },
    )
  })

  it('takes any text in any environment variable as its setting or refuses it with a typed error', async () => {
    const withEnv = SETTINGS.filter((s) => s.env !== undefined)
    const text = fc.oneof(
      fc.string(),
      fc.integer({ min: -5, max: 100_000 }).map(String),
      fc.constantFrom('true', 'false', '1', '0', 'loopback,private', 'http://x.example/', 'full'),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withEnv), text, async (s, value) => {
        let c: NodeConfig
        try {
          c = await loadConfig({ profile, env: { [s.env!]: value } })
        } catch (e) {
          expect(isBaridError(e) && e.code === 'ERR_INVALID_ARGUMENT', String(e)).toBe(true)
          expect((e as Error).message).toContain(s.env!)
          return
        }
        expectWellTyped(c)
      }),
      { numRuns: 300 },
    )
  })
})
