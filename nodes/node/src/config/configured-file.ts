/**
 * @module config/configured-file
 * Reading a file a setting names (a config file, a profile, a trust list, a governance key). A
 * configured file that is missing or unreadable is the operator's mistake, to be refused with
 * the setting and the file named, not a stack trace or a message about something else.
 */
import { readFile } from 'node:fs/promises'
import { BaridError } from '../core.js'

/**
 * The bytes of `file`, which `setting` names; refused with `ERR_INVALID_ARGUMENT` when it does
 * not exist, is not a file, or cannot be read.
 *
 * @example
 * ```ts
 * const bytes = await readConfiguredFile('fed/trust-list.cose', 'trust.listFile')
 * ```
 */
export async function readConfiguredFile(file: string, setting: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file))
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read (${code ?? 'error'})`
    throw new BaridError('ERR_INVALID_ARGUMENT', `config: ${setting} ${file} ${why}`, {
      cause,
      details: { setting },
    })
  }
}

/**
 * The JSON value in `file`, which `setting` names; refused as {@link readConfiguredFile} does,
 * and when it is not JSON (the parser's message is not repeated: it quotes the file's text,
 * which may hold a secret).
 *
 * @example
 * ```ts
 * const json = await readJsonFile('node.json', 'config file')
 * ```
 */
export async function readJsonFile(file: string, setting: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readConfiguredFile(file, setting))
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    const at = /at position (\d+)/.exec(String((cause as Error).message))?.[1]
    const where = at === undefined ? '' : ` (at offset ${at})`
    throw new BaridError(
      'ERR_INVALID_ARGUMENT',
      `config: ${setting} ${file} is not valid JSON${where}`,
      { details: { setting } },
    )
  }
}
