// The wasm backend's allocator over the module's linear memory: size-classed free lists on top of a
// bump pointer, growing the memory when the top runs out. The engine's reference counting calls
// `free`; a training step that allocates the same sizes every time reuses the same blocks, so memory
// stops growing after the first step.

const PAGE = 65536;
/** Every block starts on a 64-byte boundary (a cache line; SIMD loads never straddle one). */
const ALIGN = 64;

/** Rounds a request up to its size class: multiples of 64 B up to 4 KiB, then 8 steps per power of two (≤ 12.5% waste). */
export function sizeClass(bytes: number): number {
  const b = Math.max(bytes, ALIGN);
  if (b <= 4096) return Math.ceil(b / ALIGN) * ALIGN;
  const step = 2 ** (Math.floor(Math.log2(b)) - 3);
  return Math.ceil(b / step) * step;
}

export class WasmHeap {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** A block of at least `bytes` zeroed bytes; returns its byte offset and real size. */
  alloc(bytes: number): { ptr: number; bytes: number } {
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    if (list && list.length > 0) {
      const ptr = list.pop()!;
      new Uint8Array(this.memory.buffer, ptr, size).fill(0);
      return { ptr, bytes: size };
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // grow by at least a quarter of the current size so that growth steps stay few
      const pages = Math.max(Math.ceil((end - have) / PAGE), Math.ceil(have / PAGE / 4));
      this.memory.grow(pages); // fresh pages are zero
    }
    this.top = end;
    return { ptr, bytes: size };
  }

  /** Returns a block from `alloc` to its free list. */
  free(ptr: number, bytes: number): void {
    let list = this.freeLists.get(bytes);
    if (!list) this.freeLists.set(bytes, (list = []));
    list.push(ptr);
  }

  /** Bytes of linear memory in use by the module and the heap (live plus free-listed blocks). */
  get reservedBytes(): number {
    return this.top;
  }

  /** A float32 view of the whole memory (renewed after the memory grows, which detaches old views). */
  f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  /** An int32 view of the whole memory. */
  i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.i32View = new Int32Array(this.memory.buffer);
    return this.i32View;
  }
}
