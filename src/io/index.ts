// The io layer in one import: atomic writes, safetensors and JSON files with validators.
// It depends only on core/errors and Node built-ins (DESIGN.md: "data · io beside core").

export { ensureDir, writeFileAtomic, writeFilesAtomic, type FileData, type FileSource } from "./atomic.js";
export {
  MAX_HEADER_BYTES,
  decodeSafetensors,
  encodeSafetensors,
  int64ToInt32,
  type DtypeArrays,
  type SafeTensor,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsHeader,
} from "./safetensors.js";
export { readSafetensors, readSafetensorsHeader, writeSafetensors } from "./safetensors-file.js";
export {
  describeValue,
  expectArray,
  expectBoolean,
  expectInteger,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  parseJsonText,
  readJsonFile,
  type ExpectOptions,
  type RangeOptions,
} from "./json.js";
export { readFileBytes } from "./fs-errors.js";
