// The kernels of the wasm backend, compiled by scripts/build-wasm.mjs into two modules (plain SIMD and
// relaxed SIMD). All pointers are byte offsets into the module's memory, owned by the host's allocator
// (src/backend/wasm/heap.ts) from `heapBase()` up; the kernels themselves never allocate.

export { unary, binary, where } from "./elementwise";
export { sum, max, argmax } from "./reduce";
export { im2col, col2im } from "./conv";
export { matmul, matmulBatch, matmulBlock, matmulScratchBytes } from "./matmul";
export { columnRuns, gatherColumns, nonzeroColumns, scatterColumns } from "./columns";
export { sigmoid, sigmoidGrad, addBias, gelu, geluGrad } from "./fused";
export { softmax, softmaxGrad, logSoftmax, logSoftmaxGrad, badTarget, crossEntropy, crossEntropyGrad, layerNorm, layerNormGradX, layerNormGradW, sumBlocks } from "./rows";

/** First byte past the module's static data: the host's heap starts here. */
export function heapBase(): usize {
  return __heap_base;
}
export { attention, attentionBackward, attentionPattern, causalSoftmaxHeads, causalSoftmaxGradHeads } from "./attention";
export { packedAttention, packedAttentionBackward, packedAttentionWork } from "./attention-packed";
export { denseStep, denseStepBatchAt, denseSteps, denseStepPixelsAt, denseStepWorkBytes } from "./dense-step";
export { buildSparseIndex, sparseIndexBytes } from "./dense-pixels";

/** Zeroes `bytes` bytes at `ptr` (the allocator's fill; a typed-array fill on shared memory is slow). */
export function zero(ptr: usize, bytes: usize): void {
  memory.fill(ptr, 0, bytes);
}
export { copyStrided, gatherRows, scatterAddRows } from "./movement";
export { adamStep } from "./optim";
export { lstmCell, lstmCellGrad } from "./lstm";
