/**
 * @module clauses/exclusions
 * The sentences with `MUST` or `SHOULD` in the tested sections (30.1) that are deliberately not
 * clauses of the registry, each with why. A test requires every such sentence to match either a
 * registered clause or an entry here, and every entry here to match a sentence, so that a new
 * statement in the spec cannot go unregistered without someone deciding so in this file.
 */

export interface Exclusion {
  /** The subsection the sentence is in, e.g. `16.3`. */
  section: string
  /** A verbatim part of the sentence (whitespace as in the spec is ignored). */
  excerpt: string
  why: string
}

const LEAD_IN = 'a lead-in: each item of the list it opens is registered on its own'
const VERIFIER =
  'binds a verifier of proofs and statements (packages/core and its vectors), not a node under test'
const WITNESS = 'binds a witness; the test federation (30.5) has none'
const GOVERNANCE = 'binds the federation governance, not a node'
const OPERATOR = 'binds an operator, a person, not what a node does over HTTP'

export const EXCLUDED: readonly Exclusion[] = [
  // Lead-ins whose list items are clauses.
  { section: '10.2', excerpt: 'An implementation of `Storage` MUST:', why: LEAD_IN },
  { section: '10.5', excerpt: 'A node MUST:', why: LEAD_IN },
  { section: '11.4', excerpt: 'For each letter the receiver MUST, in order:', why: LEAD_IN },
  { section: '12.3', excerpt: 'The node MUST, before answering:', why: LEAD_IN },
  {
    section: '15.4',
    excerpt: 'Where a node removes records, it MUST follow the rules below.',
    why: 'a lead-in: the rules below are 15.4-5 to 15.4-8',
  },
  // Other parties.
  {
    section: '11.2',
    excerpt: 'which MUST be revoked (21.6, section 23), not merely retired',
    why: OPERATOR,
  },
  {
    section: '15.5',
    excerpt: 'so it SHOULD register only names the organisation is known by',
    why: OPERATOR,
  },
  {
    section: '13.6',
    excerpt: 'A client SHOULD resume with the cursor of the last event it finished processing',
    why: 'binds a client of the citizen API, not a node',
  },
  {
    section: '15.4',
    excerpt: 'it is not a MUST because an operator',
    why: 'says why there is no MUST; it states no requirement',
  },
  {
    section: '15.7',
    excerpt: 'Administrative changes SHOULD go through the admin API',
    why: OPERATOR,
  },
  { section: '15.8', excerpt: 'A backup MUST hold all of them as of one instant', why: OPERATOR },
  { section: '15.8', excerpt: 'An operator who restores MUST tell the federation', why: OPERATOR },
  {
    section: '16.2',
    excerpt: 'An implementation MUST reproduce the roots and proofs of `vectors/transparency.json`',
    why: "test vectors for an implementation's own tests; the suite checks a node's proofs (16.3-2)",
  },
  {
    section: '16.3',
    excerpt: 'A verifier MUST apply the algorithm of RFC 9162 section 2.1.3.2',
    why: VERIFIER,
  },
  {
    section: '16.3',
    excerpt: 'A verifier MUST apply the algorithm of RFC 9162 section 2.1.4.2.',
    why: VERIFIER,
  },
  { section: '16.3', excerpt: 'the two roots MUST be equal', why: VERIFIER },
  {
    section: '16.3',
    excerpt: 'a verifier MUST check that the path has exactly the number',
    why: VERIFIER,
  },
  {
    section: '16.4',
    excerpt: 'An encoding with `epoch` 0 written out MUST be refused',
    why: VERIFIER,
  },
  { section: '16.4', excerpt: 'A verifier of a checkpoint MUST, in this order:', why: VERIFIER },
  {
    section: '16.6',
    excerpt: 'same size and root otherwise (the proof MUST be empty)',
    why: WITNESS,
  },
  {
    section: '16.6',
    excerpt: 'A verifier of a cosignature MUST verify its envelope',
    why: VERIFIER,
  },
  { section: '16.6', excerpt: 'The witness MUST NOT cosign; it SHOULD retry', why: WITNESS },
  { section: '16.7', excerpt: "A verifier MUST verify the witness's envelope", why: VERIFIER },
  { section: '16.7', excerpt: 'A valid fork statement MUST be treated as proof', why: VERIFIER },
  { section: '16.7', excerpt: 'Both checkpoints MUST be of the same epoch (16.12)', why: VERIFIER },
  {
    section: '16.8',
    excerpt: 'A verifier of an evidence record that claims to be logged',
    why: VERIFIER,
  },
  { section: '16.8', excerpt: 'it SHOULD require at least one from a witness', why: VERIFIER },
  {
    section: '16.8',
    excerpt: 'it MUST count the cosignatures of one witness operator on one',
    why: VERIFIER,
  },
  {
    section: '16.12',
    excerpt: 'A verifier of a reset MUST follow 16.4.3 steps 1 to 4',
    why: VERIFIER,
  },
  { section: '16.12', excerpt: 'the witness SHOULD report it as for 16.6 rule 6', why: WITNESS },
  {
    section: '16.12',
    excerpt: 'A witness with no `previous` (first contact) MUST apply',
    why: WITNESS,
  },
  { section: '16.12', excerpt: 'The governance SHOULD sign a reset only on', why: GOVERNANCE },
  {
    section: '16.12',
    excerpt: 'It MUST NOT sign two resets of one log with the same epoch',
    why: GOVERNANCE,
  },
]
