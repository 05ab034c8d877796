// Lesson 1's methods: MNIST-style preprocessing of a drawing, step by step, with the same functions
// `nnlab predict` uses; and the current network's weights and biases, layer by layer, for the weight
// tiles and the matrix view.

import { noGrad, tidy } from "../../../../src/core/engine.js";
import type { Tensor } from "../../../../src/core/tensor.js";
import { grayImage, type GrayImage } from "../../../../src/data/image.js";
import { centerByMass, centerOfMass, crop, inkBoundingBox, normalizeInk, scaleToFit, type Box } from "../../../../src/data/preprocess.js";
import type { MethodTable } from "../protocol.js";
import { state } from "../state.js";

/** The steps from a drawing to the network's 784 inputs (LeCun et al.'s MNIST normalisation). */
export interface PreprocessSteps {
  /** The ink's bounding box in the drawing's pixels. */
  box: Box;
  /** The drawing cropped to that box (ink bright on black). */
  cropped: GrayImage;
  /** Scaled so the longer side is 20 pixels, keeping the aspect ratio. */
  scaled20: GrayImage;
  /** Placed in 28×28 with its centre of mass at (14, 14): the network's input. */
  centered28: GrayImage;
  /** Where the centre of mass of `centered28` lies (pixel coordinates). */
  centerOfMass: { x: number; y: number };
}

/** One layer l of the network: a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾). */
export interface LayerWeights {
  /** nₗ rows × nₗ₋₁ columns, row-major: row j holds neuron j's incoming weights. */
  weights: Float32Array;
  rows: number;
  cols: number;
  biases: Float32Array;
  /**
   * nₗ × 784, row-major: W⁽ˡ⁾ W⁽ˡ⁻¹⁾ ⋯ W⁽¹⁾, each neuron's weights carried back to the pixels — for layer
   * 1 its own weights, for deeper layers the sum of the previous layer's pixel pictures weighted by the
   * neuron's weights. The activation functions and biases are left out, so beyond layer 1 it is only a
   * rough picture of what the neuron looks for.
   */
  pixelPatterns: Float32Array;
}

declare module "../protocol.js" {
  interface EngineMethods {
    /**
     * MNIST-style preprocessing of a `width`×`height` grayscale drawing (ink bright on black, values in
     * [0, 1]); null when the drawing is blank.
     */
    "lesson1.preprocess": { params: { pixels: Float32Array; width: number; height: number }; result: PreprocessSteps | null };
    /** The current network's weights and biases, layer by layer. */
    "lesson1.weights": { params: Record<string, never>; result: { layers: LayerWeights[] } };
  }
}

/** The arrays of `image`, to transfer rather than copy. */
function buffersOf(...images: GrayImage[]): Transferable[] {
  return images.map((i) => i.pixels.buffer as ArrayBuffer);
}

export const lesson1Methods: MethodTable = {
  "lesson1.preprocess"({ pixels, width, height }, ctx) {
    const { image } = normalizeInk(grayImage(width, height, pixels), { invert: false });
    const box = inkBoundingBox(image);
    if (box === null) return null;
    const cropped = crop(image, box);
    const scaled20 = scaleToFit(cropped, 20);
    const centered28 = centerByMass(scaled20, 28);
    ctx.transfer.push(...buffersOf(cropped, scaled20, centered28));
    return { box, cropped, scaled20, centered28, centerOfMass: centerOfMass(centered28) ?? { x: 14, y: 14 } };
  },

  "lesson1.weights"() {
    const model = state.model;
    if (!model) throw new Error("no network yet: train one or load a run first");
    return noGrad(() =>
      tidy(() => {
        let toPixels: Tensor | null = null; // W⁽ˡ⁾ ⋯ W⁽¹⁾, (nₗ, 784)
        const layers = model.layers.map((layer) => {
          const w = layer.weight; // (nₗ, nₗ₋₁)
          toPixels = toPixels === null ? w : w.matmul(toPixels);
          return {
            weights: w.toArray() as Float32Array,
            rows: w.shape[0],
            cols: w.shape[1],
            biases: (layer.bias?.toArray() as Float32Array | undefined) ?? new Float32Array(w.shape[0]),
            pixelPatterns: toPixels.toArray() as Float32Array,
          };
        });
        return { layers };
      }),
    );
  },
};
