// How many weights and biases a multilayer perceptron has (lesson 1's 13,002 for 784-16-16-10). Plain
// arithmetic with no imports, so the web pages can use it without bundling the engine.

/** The parameters of one layer l: its weight matrix W⁽ˡ⁾ is nₗ × nₗ₋₁, its bias vector b⁽ˡ⁾ has nₗ entries. */
export interface LayerParameterCount {
  weights: number;
  biases: number;
}

/** Weights and biases of each layer l = 1..L of an MLP with these layer sizes: nₗ₋₁·nₗ and nₗ. */
export function mlpLayerParameterCounts(sizes: readonly number[]): LayerParameterCount[] {
  const layers: LayerParameterCount[] = [];
  for (let i = 1; i < sizes.length; i++) layers.push({ weights: sizes[i - 1] * sizes[i], biases: sizes[i] });
  return layers;
}

/** Number of weights and biases of an MLP with these layer sizes: Σ (nₗ₋₁·nₗ + nₗ). */
export function mlpParameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (const layer of mlpLayerParameterCounts(sizes)) n += layer.weights + layer.biases;
  return n;
}
