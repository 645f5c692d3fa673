/**
 * @module commands/evidence-verify
 * `barid evidence verify FILE`: offline verification of an evidence record, or of an evidence
 * bundle (a letter's records with the certificates and revocation lists to check them), against
 * a trust list: each record's signature, the chain between records, and each signer against the
 * trust list at the time the record was signed, and not retired then (the bundle's key
 * retirement times, spec 21.4, 21.7), the log proofs and witnesses. The checks are core's
 * `verifyEvidenceBundle`, which locates a failure; this command reads the files and formats.
 */
import { integer, many, optional, type Command } from '../command.js'
import { EVIDENCE_BUNDLE_LIMITS, parseCertificate, verifyEvidenceBundle } from '../core.js'
import { UsageError } from '../errors.js'
import { readBytes, readCertificateFile, resolvePath } from '../files.js'
import { loadTrustList, readGovernanceKeys } from '../trust-input.js'
import { evidenceReport, reportLines } from './evidence-report.js'

export const evidenceVerify: Command = {
  name: ['evidence', 'verify'],
  summary: 'Verify an evidence record or bundle offline against a trust list',
  help: `Usage: barid evidence verify FILE --trust-list FILE --governance-key JWK [options]

FILE is one evidence record (COSE_Sign1, spec/07) or an evidence bundle (spec 21.7: records
oldest first, with node certificates and revocation lists). Verifies each record's
signature and the chain between them, then each signer against the trust list at the time
the record was signed: the operator was active then, the node certificate chained to one of
its listed CAs, and (with revocation lists) was not revoked then. A withdrawn operator's
records from before its withdrawal therefore still verify. A record dated at or after the
retirement time the bundle gives for its key (after a node key rotation) is refused with
ERR_KEY_RETIRED; a bundle without retirement times is read as retiring no key. When the
bundle carries log proofs (spec 16.8), each record's inclusion proof and its issuer's signed
checkpoint are verified too, and the witnesses that cosigned it are listed; a record without
one is reported as not shown in a log, and a checkpoint no witness other than the log
cosigned as vouched for by no independent witness. A record dated more than 300 s after the
verification time (--now), or after the checkpoint that shows it in its log, is refused with
ERR_EVIDENCE_TIME_INVALID. The report gives the letter's id and SHA-256, each record's
SHA-256, and the trust list used (federation, sequence, SHA-256), with when it was issued and
when its next update was due, relative to the verification time; its freshness is reported
but not required. A trust list that holds none of the bundle's operators is refused as
appearing to be another federation's. Nothing is fetched. Exits 1 if anything fails, saying
which record, certificate, revocation list or log proof failed and what that means.

Options:
      --trust-list FILE      The trust list (required); use the newest available.
      --governance-key JWK   Its governance public key. Repeatable (required).
      --cert FILE            A node certificate (PEM/DER) of a signer. Repeatable; added to
                             those in a bundle.
      --revocations FILE     An operator's revocation list. Repeatable; added to a bundle's.
                             Without any, revocation is reported as not checked.
      --require-witnesses N  Refuse (ERR_WITNESS_INSUFFICIENT, exit 1) unless every record has
                             a log proof whose checkpoint at least N witnesses other than the
                             log cosigned (spec 16.8 rule 3). Default: none required.`,
  options: {
    'trust-list': { type: 'string' },
    'governance-key': { type: 'string', multiple: true },
    cert: { type: 'string', multiple: true },
    revocations: { type: 'string', multiple: true },
    'require-witnesses': { type: 'string' },
  },
  positionals: ['file'],
  async run(ctx, values, [file]) {
    // 0: none required. At most the cosignatures a bundle's log entry can hold.
    const witnessesRequired = integer(values, 'require-witnesses', 0, 16)
    const keys = await readGovernanceKeys(ctx.cwd, many(values, 'governance-key'))
    const listFile = optional(values, 'trust-list')
    if (listFile === undefined) throw new UsageError('--trust-list is required')
    const list = await loadTrustList(ctx.cwd, listFile, keys, ctx.now)
    // A bundle may carry revocation lists up to their own limit (spec 21.7), so it may be larger
    // than other inputs: it is read up to the bundle limit.
    const path = resolvePath(ctx.cwd, file as string)
    const bytes = await readBytes(path, EVIDENCE_BUNDLE_LIMITS.maxBytes)
    // A bundle is a CBOR map (major type 5); a record is a tagged COSE_Sign1 (tag 18, 0xd2).
    const input =
      bytes[0] !== undefined && bytes[0] >> 5 === 5
        ? bytes
        : { records: [bytes], certificates: [], revocationLists: [] }
    // A --cert file is named by its path when read; the bundle's parts by core, where they sit.
    const certificates = await Promise.all(
      many(values, 'cert').map(async (f) =>
        parseCertificate(await readCertificateFile(resolvePath(ctx.cwd, f))),
      ),
    )
    const revocationLists = await Promise.all(
      many(values, 'revocations').map((f) => readBytes(resolvePath(ctx.cwd, f))),
    )
    // The whole of spec 21.7, in core: this command only reads the files and says the result.
    const verified = await verifyEvidenceBundle(input, {
      trustList: list,
      now: ctx.now,
      requireWitnesses: witnessesRequired,
      certificates,
      revocationLists,
    })
    const report = evidenceReport(verified)
    if (ctx.json) {
      ctx.out(JSON.stringify(report))
      return
    }
    for (const line of reportLines(report)) ctx.out(line)
  },
}
