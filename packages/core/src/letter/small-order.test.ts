/**
 * A sealed letter whose X25519 ephemeral key has small order gives its recipient the all-zero
 * shared secret. The key is well-formed (5.7 step 6), so a node inspecting the letter accepts it;
 * the recipient finds the all-zero secret when it derives the KEK (5.8 step 4), and refuses the
 * letter as that step refuses any failure: `ERR_LETTER_TAMPERED`.
 */
import { describe, expect, it } from 'vitest'
import { fromHex, utf8 } from '../bytes.js'
import { X25519_SMALL_ORDER } from '../cose/x25519-small-order.js'
import { codeOf } from '../../test/code-of.js'
import { directory, forge, letterParts, makeMailbox, makeSender } from '../../test/letter-fixtures.js'
import { inspectLetter } from './inspect.js'
import { openLetter } from './open.js'
import { sealLetter } from './seal.js'
import { withEphemeral } from './vectors-invalid.js'

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0)
const skat = await makeSender('skat@digitalpost.dk', 'Ed25519')
const amina = await makeMailbox('amina.hassan@post.eg', ['X25519'])
const resolveSenderKey = directory([skat])

describe('a small-order X25519 ephemeral key', () => {
  it('passes inspection and is refused by its recipient with ERR_LETTER_TAMPERED', async () => {
    const sealed = await sealLetter({
      sender: skat.seal,
      recipients: [amina.seal],
      contentType: 'text/plain; charset=utf-8',
      lang: 'ar',
      body: utf8('مرحبا'),
      now: NOW,
    })
    const key = amina.keys[0]!
    for (const point of X25519_SMALL_ORDER) {
      // Re-signed by the sender: the signature covers the changed key, as a hostile sender's would.
      const letter = await forge(
        sealed.bytes,
        skat.signing.privateKey,
        () => {},
        withEphemeral(letterParts(sealed.bytes).payload, key.kid, fromHex(point.hex)),
      )
      expect(await codeOf(inspectLetter(letter, { resolveSenderKey, now: NOW })), point.name).toBe(
        'accepted',
      )
      const opened = openLetter(letter, {
        key: { privateKey: key.privateKey, kid: key.kid },
        resolveSenderKey,
        now: NOW,
      })
      expect(await codeOf(opened), point.name).toBe('ERR_LETTER_TAMPERED')
    }
  })
})
