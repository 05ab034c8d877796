// Neural-network building blocks: modules, layers, initialisations and functional ops.
export { Module } from "./module.js";
export { Linear, Embedding, LayerNorm, ACTIVATIONS, activate, type Activation } from "./layers.js";
export { INITS, initWeight, initBias, type Init } from "./init.js";
export * as functional from "./functional.js";
export { Conv2d, conv2d, maxPool2d, avgPool2d, type Conv2dOptions, type Pool2dOptions, type Pair } from "./conv.js";
export { LSTM, lstm, lstmCell, lstmSteps, type LstmLayerWeights, type LstmState } from "./lstm.js";
