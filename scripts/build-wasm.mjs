// Compiles the AssemblyScript kernels (src/backend/wasm/assembly/) into four WebAssembly modules:
//   kernels-simd.wasm             SIMD-128 (every current browser and Node >= 16)
//   kernels-relaxed.wasm          SIMD-128 + relaxed SIMD (fused multiply-add in the matmul micro-kernel)
//   kernels-{simd,relaxed}-shared.wasm  the same over a shared memory, for the worker threads
// All import their memory (the host creates it, shared where threads are possible).
// Both land in src/backend/wasm/build/ (next to the loader source, for Vite) and in
// dist/src/backend/wasm/build/ (next to the compiled loader, for Node). Generated files, never committed.
// Runs as the first step of `npm run build` (and so of `npm ci`, through `prepare`). NNLAB_WASM_DEBUG=1
// keeps function names (a CPU profile then names the kernels).

import asc from "assemblyscript/asc";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "src/backend/wasm/assembly/index.ts");
const outDirs = [join(root, "src/backend/wasm/build"), join(root, "dist/src/backend/wasm/build")];

const SIMD = ["--enable", "simd"];
const RELAXED = ["--enable", "simd", "--enable", "relaxed-simd"];
/** Must match MAX_PAGES in src/backend/wasm/loader.ts (2 GiB; shared memories declare a maximum). */
const SHARED = ["--enable", "threads", "--sharedMemory", "--maximumMemory", "32768"];
const variants = [
  { file: "kernels-simd.wasm", features: SIMD },
  { file: "kernels-relaxed.wasm", features: RELAXED },
  { file: "kernels-simd-shared.wasm", features: [...SIMD, ...SHARED] },
  { file: "kernels-relaxed-shared.wasm", features: [...RELAXED, ...SHARED] },
];

for (const dir of outDirs) await mkdir(dir, { recursive: true });
for (const { file, features } of variants) {
  const out = join(outDirs[0], file);
  const { error, stderr } = await asc.main([entry, "--outFile", out, "-O3", "--runtime", "stub", "--noAssert", ...(process.env.NNLAB_WASM_DEBUG ? ["--debug"] : []), "--importMemory", ...features]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: compiling ${file} failed: ${error.message}`);
    process.exit(1);
  }
  await copyFile(out, join(outDirs[1], file));
}
