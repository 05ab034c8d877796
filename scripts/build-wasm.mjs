// Compiles the AssemblyScript kernels (src/backend/wasm/assembly/) into two WebAssembly modules:
//   kernels-simd.wasm     SIMD-128 (every current browser and Node >= 16)
//   kernels-relaxed.wasm  SIMD-128 + relaxed SIMD (fused multiply-add in the matmul micro-kernel)
// Both land in src/backend/wasm/build/ (next to the loader source, for Vite) and in
// dist/src/backend/wasm/build/ (next to the compiled loader, for Node). Generated files, never committed.
// Runs as the first step of `npm run build` (and so of `npm ci`, through `prepare`).

import asc from "assemblyscript/asc";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "src/backend/wasm/assembly/index.ts");
const outDirs = [join(root, "src/backend/wasm/build"), join(root, "dist/src/backend/wasm/build")];

const variants = [
  { file: "kernels-simd.wasm", features: ["--enable", "simd"] },
  { file: "kernels-relaxed.wasm", features: ["--enable", "simd", "--enable", "relaxed-simd"] },
];

for (const dir of outDirs) await mkdir(dir, { recursive: true });
for (const { file, features } of variants) {
  const out = join(outDirs[0], file);
  const { error, stderr } = await asc.main([entry, "--outFile", out, "-O3", "--runtime", "stub", "--noAssert", ...features]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: compiling ${file} failed: ${error.message}`);
    process.exit(1);
  }
  await copyFile(out, join(outDirs[1], file));
}
