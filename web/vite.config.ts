// The web lab's build: one HTML page per lesson (multi-page app), the engine from ../src bundled into a
// module Web Worker, the wasm kernels as assets. `npm run build` writes dist/web, which `nnlab serve`
// serves; `npx vite web` is the dev server, with the same /data, /api and /runs routes and headers.

import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";
// the compiled server routes (tsc runs before vite in `npm run build`)
import { ISOLATION_HEADERS, labRoutes } from "../dist/src/server/routes.js";
import { BEYOND, LESSONS } from "./src/lessons.ts";

const here = import.meta.dirname;

/** The lab's Node routes inside Vite's dev and preview servers. */
function labServer(): Plugin {
  const handle = labRoutes({ runsDir: resolve(here, "../runs") });
  const mount = (server: { middlewares: { use(fn: (req: any, res: any, next: () => void) => void): void } }) =>
    server.middlewares.use((req, res, next) => {
      handle(req, res).then((done) => (done ? undefined : next()), next);
    });
  return { name: "nnlab-lab-routes", configureServer: mount, configurePreviewServer: mount };
}

/**
 * Fails the build when browser code imports a Node built-in: the engine's browser path must stay
 * Node-free (the wasm backend reaches node:os / node:worker_threads only through runtime-checked
 * dynamic imports that bundlers never see).
 */
function noNodeBuiltins(): Plugin {
  return {
    name: "nnlab-no-node-builtins",
    enforce: "pre",
    resolveId(id, importer) {
      if (id.startsWith("node:")) this.error(`${importer ?? "?"} imports ${id}: browser code must not use Node built-ins (split the Node part into its own module)`);
      return null;
    },
  };
}

/** The home page, every lesson page that exists (lessons.ts marks them live) and "Beyond the series". */
export const PAGES = ["index", ...[...LESSONS.filter((l) => l.live), BEYOND].map((l) => l.page.replace(/\.html$/, ""))];

export default defineConfig({
  root: here,
  base: "./",
  publicDir: false,
  plugins: [noNodeBuiltins(), labServer()],
  server: { headers: ISOLATION_HEADERS, host: "127.0.0.1" },
  preview: { headers: ISOLATION_HEADERS, host: "127.0.0.1" },
  worker: { format: "es", plugins: () => [noNodeBuiltins()] },
  build: {
    outDir: resolve(here, "../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: Object.fromEntries(PAGES.map((p) => [p, resolve(here, `${p}.html`)])) },
  },
});
