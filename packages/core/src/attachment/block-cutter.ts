/**
 * @module attachment/block-cutter
 * Re-cuts a byte stream that arrives in pieces of any size (1 byte or 10 MiB) into fixed-size
 * blocks, holding at most one block. A full block is released only once a byte after it has
 * arrived, so the block left at the end of the stream is known to be the last one: that is
 * what STREAM's last-chunk flag needs, on both the sealing and the opening side.
 */
import { BaridError } from '../errors.js'

/**
 * Throws unless `chunk` is a `Uint8Array` over an ordinary `ArrayBuffer` (streams accept any
 * value at run time, and WebCrypto refuses views of a `SharedArrayBuffer`).
 */
export function assertBytesChunk(chunk: unknown): asserts chunk is Uint8Array<ArrayBuffer> {
  if (!(chunk instanceof Uint8Array) || !(chunk.buffer instanceof ArrayBuffer)) {
    throw new BaridError('ERR_INVALID_ARGUMENT', 'attachment streams carry Uint8Array chunks only')
  }
}

/** Cuts a stream into `size`-byte blocks; {@link rest} gives the last (0 to `size` bytes). */
export class BlockCutter {
  readonly size: number
  readonly #buf: Uint8Array
  #fill = 0

  constructor(size: number) {
    this.size = size
    this.#buf = new Uint8Array(size)
  }

  /** Bytes currently held (never more than `size`). */
  get held(): number {
    return this.#fill
  }

  /**
   * Yields each block that is followed by at least one more byte. A yielded view is valid only
   * until the generator is resumed (it may be the internal buffer or a view into `input`), so
   * the caller must have copied it, or handed it to WebCrypto, which copies at call time
   * (W3C Web Cryptography API, "get a copy of the bytes held by"), before resuming.
   */
  *push(input: Uint8Array): Generator<Uint8Array, void, undefined> {
    const size = this.size
    let off = 0
    while (off < input.length) {
      if (this.#fill === size) {
        yield this.#buf
        this.#fill = 0
      }
      // Whole blocks that are followed by more input go out as views, without a copy.
      if (this.#fill === 0 && input.length - off > size) {
        yield input.subarray(off, off + size)
        off += size
        continue
      }
      const n = Math.min(size - this.#fill, input.length - off)
      this.#buf.set(input.subarray(off, off + n), this.#fill)
      this.#fill += n
      off += n
    }
  }

  /** True when `block` is the cutter's own buffer, which it overwrites when resumed. */
  isOwnBuffer(block: Uint8Array): boolean {
    return block.buffer === this.#buf.buffer
  }

  /** The bytes held at the end of the stream: the last block, possibly full, possibly empty. */
  rest(): Uint8Array {
    return this.#buf.subarray(0, this.#fill)
  }
}
