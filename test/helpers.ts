// Shared paths and small helpers for the test suite.
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository root (tests run from dist/test/…). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const REFERENCE_FILE = path.resolve(ROOT, "../shared/reference/ops-torch.json");
