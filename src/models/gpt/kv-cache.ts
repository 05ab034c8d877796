// The KV cache: every block's keys and values of the tokens seen so far, so generating one more token
// runs the model on that one position instead of the whole context (the queries of new tokens meet the
// cached keys; earlier tokens never look ahead, so their keys and values never change).

import { keep } from "../../core/engine.js";
import { NnlabError } from "../../core/errors.js";
import * as ops from "../../core/ops.js";
import type { Tensor } from "../../core/tensor.js";

/** Cached keys and values of one block, (B, nh, length, hs) each. */
interface LayerCache {
  k: Tensor | null;
  v: Tensor | null;
}

/**
 * Keys and values of the positions a GPT has already processed, one entry per block. Pass the same cache
 * to successive `model.forward(ids, { cache })` calls (under `noGrad`): each call processes only the new
 * ids, at positions `length`, `length + 1`, …. The cached tensors live outside memory scopes until
 * {@link reset} or {@link dispose}.
 */
export class KVCache {
  private readonly layers: LayerCache[];
  /** Positions processed so far. */
  length = 0;

  constructor(readonly nLayer: number, readonly blockSize: number) {
    this.layers = Array.from({ length: nLayer }, () => ({ k: null, v: null }));
  }

  /** Checks that `count` more positions fit in the context (the position table has blockSize rows). */
  checkRoom(count: number): void {
    if (this.length + count > this.blockSize) {
      throw new NnlabError(`KV cache: ${this.length} cached + ${count} new positions exceed the context of ${this.blockSize}; reset the cache and run on the last ${this.blockSize} tokens`);
    }
  }

  /**
   * Appends block `layer`'s new keys and values (B, nh, Tnew, hs) and returns all of them (B, nh, length + Tnew, hs).
   * The model calls this once per block per forward; {@link advance} then moves `length` on.
   */
  append(layer: number, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    const entry = this.layers[layer];
    const allK = entry.k ? ops.concat([entry.k, k], 2) : k; // (B, nh, L, hs)
    const allV = entry.v ? ops.concat([entry.v, v], 2) : v;
    // the previous tensors are replaced; the new ones must outlive the caller's scope
    entry.k?.dispose();
    entry.v?.dispose();
    entry.k = keep(allK.detach());
    entry.v = keep(allV.detach());
    return { k: allK, v: allV };
  }

  /** Marks `count` new positions as processed (after every block appended its keys and values). */
  advance(count: number): void {
    this.length += count;
  }

  /** Empties the cache (frees its tensors). */
  reset(): void {
    for (const entry of this.layers) {
      entry.k?.dispose();
      entry.v?.dispose();
      entry.k = null;
      entry.v = null;
    }
    this.length = 0;
  }

  dispose(): void {
    this.reset();
  }
}
