/**
 * @module files
 * Reading inputs and writing outputs. Secrets (private keys) are created with mode 0600 in a
 * directory that is 0700, never echoed, and never overwritten except atomically by a rotation
 * that keeps the key it replaces; public outputs are created exclusively too unless a command
 * owns the file (the current trust list).
 */
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { FileError, fileRefusal } from './errors.js'

/** Largest input file read, in bytes: every Barid document is far smaller. */
export const MAX_INPUT_BYTES = 8 << 20

function fileError(e: unknown, path: string, doing: string): FileError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EEXIST'
        ? 'already exists (refusing to overwrite)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not accessible'
          : code === 'EISDIR'
            ? 'is a directory'
            : 'cannot be used'
  return new FileError(`cannot ${doing} ${path}: it ${why}`, path, { cause: e })
}

/** Reads a whole file (bounded). */
export async function readBytes(path: string, maxBytes = MAX_INPUT_BYTES): Promise<Uint8Array> {
  try {
    const s = await stat(path)
    if (s.size > maxBytes)
      throw new FileError(`cannot read ${path}: larger than ${maxBytes} bytes`, path)
    return new Uint8Array(await readFile(path))
  } catch (e) {
    if (e instanceof FileError) throw e
    throw fileError(e, path, 'read')
  }
}

/** Reads a UTF-8 text file. */
export async function readText(path: string): Promise<string> {
  return new TextDecoder('utf-8', { fatal: false }).decode(await readBytes(path))
}

/**
 * Reads a JSON file. Text that is not JSON is a refusal of the file's content (exit 1,
 * `ERR_INVALID_ARGUMENT`), like JSON of the wrong shape: the file was there and readable.
 */
export async function readJson(path: string): Promise<unknown> {
  const text = await readText(path)
  try {
    return JSON.parse(text) as unknown
  } catch {
    // The parser's message may quote the text, and the file may hold a secret.
    throw fileRefusal(path, 'is not valid JSON')
  }
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function ensureDir(path: string, mode: number): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode })
  } catch (e) {
    throw fileError(e, path, 'create directory')
  }
}

/**
 * Creates `path` with mode 0600 (and its directory with 0700 if new) and writes a secret to it.
 * Refuses to overwrite. The content is never logged.
 */
export async function writeSecret(path: string, data: string): Promise<void> {
  await ensureDir(dirname(path), 0o700)
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (e) {
    throw fileError(e, path, 'create')
  }
  try {
    // The umask can only remove bits; chmod makes the mode exact whatever it is.
    await handle.chmod(0o600)
    await handle.writeFile(data, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes a public file; refuses to overwrite unless `replace` (then written atomically). */
export async function writePublic(
  path: string,
  data: string | Uint8Array,
  options: { replace?: boolean } = {},
): Promise<void> {
  await ensureDir(dirname(path), 0o755)
  try {
    if (options.replace === true) {
      const tmp = `${path}.tmp-${process.pid}`
      await writeFile(tmp, data, { mode: 0o644 })
      await rename(tmp, path)
    } else {
      await writeFile(path, data, { flag: 'wx', mode: 0o644 })
    }
  } catch (e) {
    throw fileError(e, path, 'write')
  }
}

/** Makes a file read-only for everyone but its owner (used when a secret is retired). */
export async function restrict(path: string): Promise<void> {
  try {
    await chmod(path, 0o600)
  } catch (e) {
    throw fileError(e, path, 'restrict')
  }
}

/** Resolves `p` against the working directory. */
export function resolvePath(cwd: string, p: string): string {
  return resolve(cwd, p)
}

/** Reads a certificate file: PEM text (returned as a string) or DER bytes. */
export async function readCertificateFile(path: string): Promise<string | Uint8Array> {
  const bytes = await readBytes(path)
  const head = new TextDecoder().decode(bytes.subarray(0, 64))
  return head.includes('-----BEGIN') ? new TextDecoder().decode(bytes) : bytes
}

/**
 * Replaces a secret atomically: written 0600 to a temporary file beside it, then renamed over
 * it, so that a reader sees the old key or the new one, never a part.
 */
export async function replaceSecret(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  await rm(tmp, { force: true })
  await writeSecret(tmp, data)
  try {
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw fileError(e, path, 'replace')
  }
}
