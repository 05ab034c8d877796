// The wasm backend's allocator over the module's linear memory: size-classed free lists on top of a
// bump pointer, growing the memory when the top runs out. The engine's reference counting calls
// `free`; a training step that allocates the same sizes every time reuses the same blocks, so memory
// stops growing after the first step.

import { NnlabError } from "../../core/errors.js";

const PAGE = 65536;
/** Every block starts on a 64-byte boundary (a cache line; SIMD loads never straddle one). */
const ALIGN = 64;

/** Rounds a request up to its size class: multiples of 64 B up to 4 KiB, then 8 steps per power of two (≤ 12.5% waste). */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return bytes <= ALIGN ? ALIGN : Math.ceil(bytes / ALIGN) * ALIGN;
  const b = bytes;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

export class WasmHeap {
  private top: number;
  /** Bytes of linear memory; only `alloc` grows it (kernels never do), so views are renewed there. */
  private capacity: number;
  private readonly freeLists = new Map<number, number[]>();
  private f32View!: Float32Array;
  private i32View!: Int32Array;
  private u8View!: Uint8Array;

  /** `zero(ptr, bytes)` clears a block (the module's memory.fill). */
  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
    private readonly zero: (ptr: number, bytes: number) => void,
    private readonly poison = false,
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.capacity = memory.buffer.byteLength;
    this.renewViews();
  }

  private renewViews(): void {
    const buffer = this.memory.buffer;
    this.f32View = new Float32Array(buffer);
    this.i32View = new Int32Array(buffer);
    this.u8View = new Uint8Array(buffer);
  }

  /**
   * A block of at least `bytes` bytes (its size class), at the returned byte offset: zeroed, or with
   * `zeroed` false left as it is (filled with NaN where the heap was made with `poison`, so that tests
   * catch a kernel that reads an output it has not written).
   */
  alloc(bytes: number, zeroed = true): number {
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    if (list !== undefined && list.length > 0) {
      const ptr = list.pop()!;
      if (zeroed) this.zero(ptr, size);
      else if (this.poison) this.f32View.fill(NaN, ptr >> 2, (ptr + size) >> 2);
      return ptr;
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.capacity) {
      // grow by at least a quarter of the current size so that growth steps stay few
      const pages = Math.max(Math.ceil((end - this.capacity) / PAGE), Math.ceil(this.capacity / PAGE / 4));
      try {
        this.memory.grow(pages); // fresh pages are zero
      } catch {
        throw NnlabError.problem({
          subject: "wasm backend memory",
          expected: `room for ${size} more bytes`,
          found: `${this.capacity} bytes in use, the most WebAssembly memory can grow to here`,
          fix: "Use smaller batches or models, or run with --backend js.",
        });
      }
      this.capacity = this.memory.buffer.byteLength;
      this.renewViews();
    }
    this.top = end;
    if (!zeroed && this.poison) this.f32View.fill(NaN, ptr >> 2, end >> 2);
    return ptr;
  }

  /** Returns a block from `alloc(bytes)` to its free list. */
  free(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.freeLists.get(size);
    if (list === undefined) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  /** Bytes of linear memory in use by the module and the heap (live plus free-listed blocks). */
  get reservedBytes(): number {
    return this.top;
  }

  /** A float32 view of the whole memory (valid until the next `alloc`, which may grow the memory). */
  f32(): Float32Array {
    return this.f32View;
  }

  /** An int32 view of the whole memory (valid until the next `alloc`). */
  i32(): Int32Array {
    return this.i32View;
  }

  /** A byte view of the whole memory (valid until the next `alloc`). */
  u8(): Uint8Array {
    return this.u8View;
  }
}
