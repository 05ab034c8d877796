// nanoGPT-style GPT in one import: config, model with capture and KV cache, HF GPT-2 weight mapping,
// sampling and generation.
export { validateGptConfig, gptConfigFromHf, hfConfigFromGpt, headSize, type GptConfig, type GeluKind, type NnlabConfigSection } from "./config.js";
export { GPT, Block, CausalSelfAttention, MLP, GptCapture, GPT_CAPTURE_KEYS, type GptCaptureKey, type GptForwardOptions, type GptPatchSite } from "./model.js";
export { KVCache } from "./kv-cache.js";
export { toHfState, fromHfState, type NamedTensors } from "./hf.js";
export { argmax, drawToken, nextTokenProbabilities, sampleNext, softmaxWithTemperature, topCandidates, topIndices, validateSampling, type SamplingOptions } from "./sampling.js";
export { generate, generateSteps, type GenerateOptions, type GeneratedToken } from "./generate.js";
