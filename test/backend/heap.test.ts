// The wasm backend's allocator: size classes, reuse of freed blocks (zeroed), growth, and a clear error
// when WebAssembly memory cannot grow any further.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NnlabError } from "../../src/core/errors.js";
import { sizeClass, WasmHeap } from "../../src/backend/wasm/heap.js";

function heap(maximum: number): WasmHeap {
  const memory = new WebAssembly.Memory({ initial: 1, maximum });
  return new WasmHeap(memory, 100, (ptr, bytes) => new Uint8Array(memory.buffer, ptr, bytes).fill(0));
}

test("size classes are 64-byte multiples and waste at most 12.5% above 4 KiB", () => {
  assert.equal(sizeClass(1), 64);
  assert.equal(sizeClass(65), 128);
  assert.equal(sizeClass(4096), 4096);
  for (const bytes of [4097, 10_000, 123_457, 5_000_000]) {
    const c = sizeClass(bytes);
    assert.ok(c >= bytes && c <= bytes * 1.125 && c % 64 === 0, `${bytes} -> ${c}`);
  }
});

test("freed blocks are reused, zeroed, and memory grows only when the free lists cannot serve", () => {
  const h = heap(100);
  const a = h.alloc(1000);
  assert.equal(a % 64, 0);
  h.f32().fill(7, a >> 2, (a >> 2) + 250);
  const top = h.reservedBytes;
  h.free(a, 1000);
  const b = h.alloc(1000);
  assert.equal(b, a);
  assert.ok(h.f32().subarray(b >> 2, (b >> 2) + 250).every((v) => v === 0));
  assert.equal(h.reservedBytes, top);
  const big = h.alloc(200_000); // beyond the first page: the memory grows, the views follow
  h.f32()[(big >> 2) + 49_999] = 1;
  assert.ok(h.memory.buffer.byteLength >= big + 200_000);
});

test("running out of WebAssembly memory is a clear NnlabError", () => {
  const h = heap(2);
  assert.throws(() => h.alloc(3 * 65536), (err: unknown) => err instanceof NnlabError && /wasm backend memory: expected room for/.test(err.message));
});
