/**
 * @module commands/evidence-verify
 * `barid evidence verify FILE`: offline verification of an evidence record, or of an evidence
 * bundle (a letter's records with the certificates and revocation lists to check them), against
 * a trust list: each record's signature, the chain between records, and each signer against the
 * trust list at the time the record was signed, and not retired then (the bundle's key
 * retirement times, spec 21.4, 21.7).
 */
import { iso, many, optional, type Command } from '../command.js'
import {
  BaridError,
  parseCertificate,
  toBase64Url,
  RevocationCache,
  TrustStore,
  readEvidenceBundle,
  verifyBundleLog,
  verifyEvidenceWithTrust,
} from '../core.js'
import { UsageError } from '../errors.js'
import { readBytes, readCertificateFile, resolvePath } from '../files.js'
import { loadTrustList, readGovernanceKeys } from '../trust-input.js'

export const evidenceVerify: Command = {
  name: ['evidence', 'verify'],
  summary: 'Verify an evidence record or bundle offline against a trust list',
  help: `Usage: barid evidence verify FILE --trust-list FILE --governance-key JWK [options]

FILE is one evidence record (COSE_Sign1, spec/07) or an evidence bundle (spec/21 section 7.2:
records oldest first, with node certificates and revocation lists). Verifies each record's
signature and the chain between them, then each signer against the trust list at the time
the record was signed: the operator was active then, the node certificate chained to one of
its listed CAs, and (with revocation lists) was not revoked then. A withdrawn operator's
records from before its withdrawal therefore still verify. A record dated at or after the
retirement time the bundle gives for its key (after a node key rotation) is refused with
ERR_KEY_RETIRED; a bundle without retirement times is read as retiring no key. When the
bundle carries log proofs (spec 16.8), each record's inclusion proof and its issuer's signed
checkpoint are verified too, and the witnesses that cosigned it are listed. The trust list's
freshness is reported but not required. Exits 1 if anything fails.

Options:
      --trust-list FILE      The trust list (required); use the newest available.
      --governance-key JWK   Its governance public key. Repeatable (required).
      --cert FILE            A node certificate (PEM/DER) of a signer. Repeatable; added to
                             those in a bundle.
      --revocations FILE     An operator's revocation list. Repeatable; added to a bundle's.
                             Without any, revocation is reported as not checked.`,
  options: {
    'trust-list': { type: 'string' },
    'governance-key': { type: 'string', multiple: true },
    cert: { type: 'string', multiple: true },
    revocations: { type: 'string', multiple: true },
  },
  positionals: ['file'],
  async run(ctx, values, [file]) {
    const keys = await readGovernanceKeys(ctx.cwd, many(values, 'governance-key'))
    const listFile = optional(values, 'trust-list')
    if (listFile === undefined) throw new UsageError('--trust-list is required')
    const list = await loadTrustList(ctx.cwd, listFile, keys, ctx.now)
    const bytes = await readBytes(resolvePath(ctx.cwd, file as string))
    // A bundle is a CBOR map (major type 5); a record is a tagged COSE_Sign1 (tag 18, 0xd2).
    const bundle =
      bytes[0] !== undefined && bytes[0] >> 5 === 5 ? readEvidenceBundle(bytes) : undefined
    const records = bundle?.records ?? [bytes]
    const certificates = [
      ...(bundle?.certificates ?? []),
      ...(await Promise.all(
        many(values, 'cert').map(
          async (f) =>
            (await parseCertificate(await readCertificateFile(resolvePath(ctx.cwd, f)))).der,
        ),
      )),
    ]
    const crls = [
      ...(bundle?.revocationLists ?? []),
      ...(await Promise.all(
        many(values, 'revocations').map((f) => readBytes(resolvePath(ctx.cwd, f))),
      )),
    ]
    let revocation: RevocationCache | undefined
    if (crls.length > 0) {
      // Offline: only the lists given, checked against the trust list's CAs; none is fetched.
      revocation = new RevocationCache({
        now: () => ctx.now,
        maxStaleness: Number.MAX_SAFE_INTEGER,
      })
      const probe = await TrustStore.open(list, { now: () => ctx.now })
      for (const crl of crls) {
        // A list names its operator inside the signed payload; try each listed operator's CAs.
        let failure: unknown = new BaridError(
          'ERR_REVOCATION_LIST_UNTRUSTED',
          'a revocation list is not signed by any listed operator CA',
        )
        let installed = false
        for (const o of list.operators) {
          try {
            await revocation.install(crl, { operator: o.id, cas: probe.casOf(o.id) })
            installed = true
            break
          } catch (e) {
            if (!(e instanceof BaridError && e.code === 'ERR_REVOCATION_LIST_UNTRUSTED'))
              failure = e
          }
        }
        if (!installed) throw failure
      }
    }
    const store = await TrustStore.open(list, {
      now: () => ctx.now,
      ...(revocation ? { revocation } : {}),
    })
    const trail = await verifyEvidenceWithTrust(records, {
      store,
      // Spec 21.7 step 5: a key the bundle lists as retired signs nothing dated after that time.
      keys: { certificates, retiredKeys: bundle?.retiredKeys ?? [] },
      offline: true,
    })
    const logged = bundle
      ? await verifyBundleLog(bundle, {
          issuers: trail.map((t) => t.record.issuer),
          trusted: trail.map((t) => t.peer.certificate),
          certificates: await Promise.all(certificates.map((c) => parseCertificate(c))),
          store,
        })
      : []
    const freshness = store.freshness().state
    const out = trail.map((t, i) => ({
      index: i,
      type: t.record.type,
      issuer: t.record.issuer,
      time: iso(t.signedAt),
      letterId: t.record.letterId,
      ...(t.record.recipient === undefined ? {} : { recipient: t.record.recipient }),
      ...(t.record.reason === undefined ? {} : { reason: t.record.reason }),
      kid: toBase64Url(t.kid),
      certificateSerial: t.peer.certificate.serialNumber,
    }))
    const summary = {
      ok: true,
      records: out,
      trustList: { sequence: list.sequence, freshness },
      revocation: revocation ? 'checked' : 'not-checked',
      log: logged.map((l) => ({ ...l, time: iso(l.time) })),
    }
    if (ctx.json) {
      ctx.out(JSON.stringify(summary))
      return
    }
    ctx.out(
      `${trail.length} evidence record(s) valid against trust list ${list.federation} #${list.sequence} (${freshness})`,
    )
    for (const r of out) {
      ctx.out(
        `  ${r.index + 1}. ${r.type} by ${r.issuer} at ${r.time}${'recipient' in r ? ` for ${r.recipient}` : ''}${'reason' in r ? ` (${r.reason})` : ''}`,
      )
    }
    for (const l of logged) {
      const epoch = l.epoch > 0 ? ` (epoch ${l.epoch}: reset by its governance, spec 16.12)` : ''
      const cosigned =
        l.witnesses.length > 0 ? `, cosigned by ${l.witnesses.join(', ')}` : ', no cosignature'
      ctx.out(
        `  record ${l.record + 1} is leaf ${l.index} of ${l.logId}'s log${epoch} ` +
          `(checkpoint of ${l.size} at ${iso(l.time)}${cosigned})`,
      )
    }
    ctx.out(
      `  letter ${out[0]?.letterId}; revocation ${summary.revocation === 'checked' ? 'checked' : 'not checked (no revocation lists given)'}`,
    )
  },
}
