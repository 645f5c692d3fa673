/**
 * @module transparency
 * The transparency log (`spec/16-transparency-log.md`): RFC 9162 Merkle trees, inclusion and
 * consistency proofs, a storage-agnostic append-only log with bounded batching, signed
 * checkpoints, witness cosignatures and fork statements.
 */
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from './hash.js'
export type { HashOptions, Sha256 } from './hash.js'
export {
  MAX_TREE_SIZE,
  consistencyPathLength,
  consistencyRanges,
  frontierNodes,
  inclusionPathLength,
  inclusionRanges,
  rangeNodes,
} from './tree-math.js'
export type { LeafRange, NodeId } from './tree-math.js'
export { verifyConsistency, verifyInclusion } from './verify-proof.js'
export type { ConsistencyClaim, InclusionClaim } from './verify-proof.js'
export { createMemoryLogStore } from './store.js'
export type { LogCommit, LogStore, MaybePromise, MemoryLogStore, StoredNode } from './store.js'
export { DEFAULT_MAX_BATCH, DEFAULT_MAX_LEAF_BYTES, openLog } from './log.js'
export type {
  AppendResult,
  ConsistencyProof,
  InclusionProof,
  LogLimits,
  MerkleLog,
  OpenLogOptions,
} from './log.js'
export { DEFAULT_MAX_DELAY_MS, createSequencer } from './sequencer.js'
export type {
  CommittedBatch,
  LogSequencer,
  Scheduler,
  Sequenced,
  SequencerOptions,
} from './sequencer.js'
export {
  MAX_PROOF_PATH,
  consistencyProofValue,
  inclusionProofValue,
  readConsistencyProof,
  readInclusionProof,
} from './proof-codec.js'
export { TRANSPARENCY_TYPE } from './envelope.js'
export type {
  KeyResolver,
  KeyRole,
  ResolvedKey,
  TransparencySigner,
  TransparencyType,
} from './envelope.js'
export {
  CHECKPOINT_MAX_BYTES,
  DEFAULT_MAX_CLOCK_SKEW,
  MAX_EPOCH,
  TRANSPARENCY_VERSION,
  checkpointPayload,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js'
export type { Checkpoint, SignedCheckpoint, VerifyCheckpointOptions } from './checkpoint.js'
export {
  FORK_KINDS,
  assertCheckpointsConsistent,
  checkForkEvidence,
  classifyCheckpoints,
} from './consistency.js'
export type { CheckpointRelation, ClassifyOptions, ForkEvidence, ForkKind } from './consistency.js'
export {
  FORK_STATEMENT_MAX_BYTES,
  signForkStatement,
  verifyForkStatement,
} from './fork-statement.js'
export type {
  SignForkStatementOptions,
  VerifiedForkStatement,
  VerifyForkStatementOptions,
} from './fork-statement.js'
export {
  LOG_RESET_MAX_BYTES,
  LOG_RESET_MAX_REASON,
  signLogReset,
  verifyLogReset,
} from './log-reset.js'
export type { LogReset, VerifiedLogReset, VerifyLogResetOptions } from './log-reset.js'
export {
  COSIGNATURE_MAX_BYTES,
  signCosignature,
  verifyCosignature,
  witnessCheckpoint,
} from './witness.js'
export type {
  SignCosignatureOptions,
  VerifiedCosignature,
  VerifyCosignatureOptions,
  WitnessCheckpointOptions,
  WitnessResult,
} from './witness.js'
