// Compiles the optional native addon (native/nnlab.c: matrix products with the system's OpenBLAS on the
// wasm backend's memory) to dist/native/nnlab.node with the machine's C compiler and Node's own headers.
// Runs as a step of `npm run build`. Optional by design: where there is no compiler or no Node headers it
// says so in one line and exits 0, and nnlab runs on wasm (`--backend native` then says why, once).
// OpenBLAS itself is found at run time (dlopen), so building needs neither it nor its headers.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "native/nnlab.c");
const outDir = join(root, "dist/native");
const out = join(outDir, "nnlab.node");

/** Node's C headers: next to this node binary (official builds, Debian's nodejs), or NNLAB_NODE_INCLUDE. */
function nodeHeaders() {
  const candidates = [process.env.NNLAB_NODE_INCLUDE, join(dirname(process.execPath), "../include/node"), "/usr/include/node", "/usr/local/include/node"];
  return candidates.find((dir) => dir && existsSync(join(dir, "node_api.h")));
}

/** Says why there is no addon, removes any earlier one (it would not match this source) and stops. */
async function skip(why) {
  await rm(out, { force: true });
  console.log(`build-native: the native backend is not built (${why}); nnlab runs on wasm`);
  process.exit(0);
}

if (process.env.NNLAB_NO_NATIVE) await skip("NNLAB_NO_NATIVE is set");
if (process.platform === "win32") await skip("building it on Windows is not supported");
const include = nodeHeaders();
if (!include) await skip("Node's headers (node_api.h) were not found; set NNLAB_NODE_INCLUDE to their folder");
const cc = process.env.CC ?? "cc";
await mkdir(outDir, { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const flags = ["-O2", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror", `-I${include}`, source, "-o", tmp];
if (process.platform === "darwin") flags.push("-undefined", "dynamic_lookup");
else flags.push("-ldl");
const run = spawnSync(cc, flags, { encoding: "utf8" });
if (run.error || run.status !== 0) {
  await rm(tmp, { force: true });
  await skip(run.error ? `no C compiler: ${cc} ${run.error.message}` : `${cc} failed: ${(run.stderr || run.stdout).trim().split("\n").slice(0, 3).join(" ")}`);
}
await rename(tmp, out);
