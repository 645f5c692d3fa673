/**
 * @module config/read-settings
 * Reads the settings of one source (a config file, the environment, a caller's overrides)
 * against the table of `settings.ts`, and fills a config from them. A value that is not what its
 * setting takes is refused with `ERR_INVALID_ARGUMENT`, naming the setting, where it came from
 * and what it must be (never the value: it may be a secret). Nothing is coerced: a wrong value is
 * never replaced by another.
 */
import { isAbsolute, resolve } from 'node:path'
import { BaridError } from '../core.js'
import {
  SETTINGS,
  describeKind,
  fromEnvText,
  isOfKind,
  type Setting,
  type SettingPath,
} from './settings.js'

/** Where settings come from, for refusals. */
export type SettingSource =
  | { readonly from: 'file'; readonly file: string }
  | { readonly from: 'env' }
  | { readonly from: 'config' }

/** Settings as nested plain objects (a partial config). */
export type SettingTree = Record<string, unknown>

const BY_PATH = new Map<string, Setting>(SETTINGS.map((s) => [s.path, s]))

/** The keys each object of the config may hold: '' is the top level. */
const CHILDREN = (() => {
  const m = new Map<string, Set<string>>()
  for (const s of SETTINGS) {
    const parts = s.path.split('.')
    for (let i = 0; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('.')
      if (!m.has(parent)) m.set(parent, new Set())
      m.get(parent)!.add(parts[i]!)
    }
  }
  return m
})()

function refuse(path: string, source: SettingSource, expected: string): never {
  const where =
    source.from === 'file'
      ? `${path} in ${source.file}`
      : source.from === 'env'
        ? `${BY_PATH.get(path)?.env ?? path} (${path})`
        : path
  throw new BaridError('ERR_INVALID_ARGUMENT', `config: ${where} must be ${expected}`, {
    details: { path, source: source.from },
  })
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Checks one value against its setting; paths in a file are made relative to `baseDir`. */
function checkValue(s: Setting, v: unknown, source: SettingSource, baseDir?: string): unknown {
  if (v === null && s.nullable) return null
  if (!isOfKind(s.kind, v))
    refuse(s.path, source, `${describeKind(s.kind)}${s.nullable ? ' or null' : ''}`)
  if (baseDir === undefined) return v
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p))
  if (s.kind.type === 'path') return abs(v as string)
  if (s.kind.type === 'pathList') return (v as string[]).map(abs)
  return v
}

/**
 * Reads settings given as JSON (a config file, a caller's overrides): every key must be a
 * setting or an object of settings, every value of its setting's kind. `meta` keys at the top
 * level are passed through unchecked (the caller reads them).
 */
export function readTree(
  value: unknown,
  source: SettingSource,
  o: { baseDir?: string; meta?: readonly string[] } = {},
): SettingTree {
  const walk = (v: unknown, prefix: string): SettingTree => {
    const label = prefix === '' ? 'the config' : prefix
    if (!isPlainObject(v)) refuse(label, source, 'an object')
    const allowed = CHILDREN.get(prefix)!
    const out: SettingTree = {}
    for (const [k, child] of Object.entries(v)) {
      if (child === undefined) continue
      const path = prefix === '' ? k : `${prefix}.${k}`
      if (prefix === '' && o.meta?.includes(k)) {
        out[k] = child
        continue
      }
      if (!allowed.has(k)) refuse(path, source, 'absent (not a setting)')
      const s = BY_PATH.get(path)
      out[k] = s ? checkValue(s, child, source, o.baseDir) : walk(child, path)
    }
    return out
  }
  return walk(value, '')
}

/** Reads the settings the environment sets (an empty variable is unset). */
export function readEnv(env: Record<string, string | undefined>): SettingTree {
  const out: SettingTree = {}
  for (const s of SETTINGS) {
    const text = s.env === undefined ? undefined : env[s.env]
    if (text === undefined || text === '') continue
    setPath(out, s.path, checkValue(s, fromEnvText(s.kind, text), { from: 'env' }))
  }
  return out
}

/** `b` over `a`, objects of settings merged key by key (anything else replaced whole). */
export function mergeTrees(a: SettingTree, b: SettingTree, prefix = ''): SettingTree {
  const out: SettingTree = { ...a }
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue
    const path = prefix === '' ? k : `${prefix}.${k}`
    const prev = out[k]
    out[k] =
      CHILDREN.has(path) && isPlainObject(prev) && isPlainObject(v)
        ? mergeTrees(prev, v, path)
        : v
  }
  return out
}

export function getPath(tree: SettingTree, path: string): unknown {
  let v: unknown = tree
  for (const k of path.split('.')) {
    if (!isPlainObject(v)) return undefined
    v = v[k]
  }
  return v
}

function setPath(tree: SettingTree, path: string, value: unknown): void {
  const parts = path.split('.')
  let o = tree
  for (const k of parts.slice(0, -1)) {
    if (!isPlainObject(o[k])) o[k] = {}
    o = o[k] as SettingTree
  }
  o[parts.at(-1)!] = value
}

/** Every setting's value: the one given (read with {@link readTree}), else its default. */
export function fillSettings(
  given: SettingTree,
  profile: { operator: string; port: number },
): SettingTree {
  const out: SettingTree = {}
  const context = {
    operator: profile.operator,
    profilePort: profile.port,
    get: (path: SettingPath) => getPath(out, path),
  }
  for (const s of SETTINGS) {
    const v = getPath(given, s.path)
    let value: unknown
    if (v !== undefined) value = v
    else if (s.unset === 'absent') continue
    // A copy: a default list must not be shared between configs.
    else value = 'value' in s.unset ? structuredClone(s.unset.value) : s.unset.derive(context)
    setPath(out, s.path, s.normalise && value !== null ? s.normalise(value) : value)
  }
  return out
}
