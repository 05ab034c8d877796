// `npm run bench -- serve`: a loopback load test of `nnlab serve` with autocannon — requests per second
// and latency percentiles for a lesson page, a small and a large data file, each against Node's bare
// http module streaming the same file (the peer: what the routes and checks cost); and a page's latency
// while 64 clients (another process) download the 47 MB MNIST images, with large transfers bounded (4 at a time, the
// default) against unbounded.

import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, statsOf, type Bench, type Entry } from "./harness.js";

interface Server {
  url: string;
  child: ChildProcess;
}

/** Starts bench/serve-child.ts with `args`; resolves with its first line of output once printed. */
async function child(...args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [path.join(ROOT, "dist/bench/serve-child.js"), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0].trim());
    });
    child.on("exit", (code) => reject(new Error(`serve-child exited with ${code}`)));
  });
  return { url, child };
}

const stop = (s: Server) => new Promise<void>((resolve) => (s.child.exitCode !== null ? resolve() : (s.child.once("exit", () => resolve()), s.child.kill())));

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  mbPerSec: number;
  non2xx: number;
}

/**
 * `clients` downloads of a large file at a time for `seconds`: completed downloads per second, MB/s
 * (bytes of unfinished downloads included) and the latency percentiles of the completed ones.
 * autocannon counts only completed responses, which says little when one takes seconds.
 */
async function download(url: string, clients: number, seconds: number): Promise<Load> {
  const end = performance.now() + seconds * 1000;
  let bytes = 0;
  const times: number[] = [];
  let failed = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const req = http.get(url, (res) => {
        if (res.statusCode !== 200) failed++;
        res.on("data", (d: Buffer) => {
          bytes += d.length;
          if (performance.now() > end) req.destroy();
        });
        res.on("end", () => {
          times.push(performance.now() - started);
          resolve();
        });
        res.on("close", resolve);
      });
      req.on("error", () => resolve());
    });
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  times.sort((a, b) => a - b);
  const pct = (q: number) => (times.length ? Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]) : NaN);
  return { reqPerSec: times.length / seconds, p50: pct(0.5), p99: pct(0.99), mbPerSec: bytes / seconds / 1e6, non2xx: failed };
}

async function load(url: string, connections: number, seconds: number): Promise<Load> {
  const r = await autocannon({ url, connections, duration: seconds });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mbPerSec: r.throughput.average / 1e6, non2xx: r.non2xx + r.errors + r.timeouts };
}

export const serveBench: Bench = {
  name: "serve",
  title: "nnlab serve on loopback: requests per second (autocannon)",
  unit: "req/s",
  higherIsBetter: true,
  async run(ctx) {
    const seconds = ctx.quick ? 2 : 5;
    const repeats = ctx.quick ? 1 : 3;
    const runs = await mkdtemp(path.join(tmpdir(), "nnlab-bench-serve-"));
    const entries: Entry[] = [];
    const notes: string[] = [];
    const cases = [
      { name: "page /lesson1.html, 10 connections", target: "lesson1.html", connections: 10 },
      { name: "data 10 kB (t10k-labels), 10 connections", target: "data/mnist/t10k-labels-idx1-ubyte", connections: 10 },
      { name: "data 47 MB (train-images), 4 clients", target: "data/mnist/train-images-idx3-ubyte", connections: 4, large: true },
    ];
    try {
      for (const [impl, mode] of [["nnlab serve", "nnlab"], ["node http, bare", "bare"]] as const) {
        const server = await child(mode, "4", runs);
        try {
          for (const c of cases) {
            const seen: Load[] = [];
            for (let i = 0; i < repeats; i++) seen.push(await ("large" in c ? download : load)(server.url + c.target, c.connections, seconds));
            console.error(`  ${impl}: ${c.name}: ${Math.round(seen[seen.length - 1].reqPerSec)} req/s`);
            const best = seen[seen.length - 1];
            entries.push({
              case: c.name,
              impl,
              nnlab: mode === "nnlab",
              threads: 1,
              stats: statsOf(seen.map((s) => s.reqPerSec)),
              extra: { "p50 ms": best.p50, "p99 ms": best.p99, "MB/s": Math.round(best.mbPerSec * 10) / 10, "errors/non-2xx": best.non2xx },
            });
          }
        } finally {
          await stop(server);
        }
      }
      // A page while 64 clients download the 47 MB images: bounded (the default) against unbounded.
      for (const [impl, concurrent] of [["nnlab serve, 4 large at once (default)", 4], ["nnlab serve, unbounded", 1_000_000]] as const) {
        const server = await child("nnlab", String(concurrent), runs);
        const downloads = await child("flood", server.url + "data/mnist/train-images-idx3-ubyte", "64");
        try {
          await new Promise((resolve) => setTimeout(resolve, 1000)); // let the downloads start
          const seen: Load[] = [];
          for (let i = 0; i < repeats; i++) seen.push(await load(server.url + "lesson1.html", 4, seconds));
          console.error(`  ${impl}: page under load: p99 ${seen[seen.length - 1].p99} ms`);
          const best = seen[seen.length - 1];
          entries.push({
            case: "page /lesson1.html, 4 connections, while 64 clients download 47 MB",
            impl,
            nnlab: concurrent === 4,
            threads: 1,
            stats: statsOf(seen.map((s) => s.reqPerSec)),
            extra: { "p50 ms": best.p50, "p99 ms": best.p99, "errors/non-2xx": best.non2xx },
          });
        } finally {
          await stop(downloads);
          await stop(server);
        }
      }
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
    notes.push(
      `autocannon ${seconds} s per run, ${repeats} run(s) per row (median req/s; latencies and MB/s from the last run); server in its own Node process on 127.0.0.1, client in this one.`,
      "The 47 MB row counts whole downloads per second with node:http clients (autocannon counts only completed responses); its MB/s includes unfinished ones.",
      "The bare peer streams files with node:http and no routes, Host check, headers or queue: the ratio is what the lab's routes cost.",
    );
    return { entries, notes };
  },
};
