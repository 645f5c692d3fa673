/**
 * @module transparency/checkpoint-epoch
 * The epoch of a checkpoint this node stored after verifying it (its own, or a peer's it
 * witnessed), read from the payload without verifying the signature again: 0 when the payload
 * leaves it out (spec 16.4.1).
 */
import { decodeSign1, decodeStrict } from '../core.js'

/**
 * @example
 * ```ts
 * storedCheckpointEpoch(view.checkpoint) // 0 for a log never reset
 * ```
 */
export function storedCheckpointEpoch(bytes: Uint8Array): number {
  const payload = decodeSign1(bytes).payload
  const map = payload && decodeStrict(payload)
  const epoch = map instanceof Map ? map.get('epoch') : undefined
  return typeof epoch === 'number' ? epoch : 0
}
