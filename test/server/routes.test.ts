// The lab's HTTP routes in this process, on a loopback port: the Host check against DNS rebinding, the
// headers on every answer, 404s that echo nothing, and the queue that keeps pages fast while many large
// downloads run (excess large transfers wait their turn, or get 503, while a page is answered at once).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, truncate, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { hostAllowed, TransferQueue } from "../../src/server/guard.js";
import { labRoutes } from "../../src/server/routes.js";

const BIG = 64 << 20; // larger than loopback socket buffers, so an unread download keeps its slot

let dir = "";
let server: http.Server;
let port = 0;
const queue = new TransferQueue({ minBytes: 1 << 20, concurrent: 2, queued: 3 });

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-routes-"));
  const web = path.join(dir, "web");
  const mnist = path.join(dir, "mnist");
  await mkdir(web);
  await mkdir(mnist);
  await writeFile(path.join(web, "index.html"), "<!doctype html><title>lab</title>");
  await writeFile(path.join(mnist, "train-images-idx3-ubyte"), "");
  await truncate(path.join(mnist, "train-images-idx3-ubyte"), BIG); // sparse: no disk, reads are fast
  const handle = labRoutes({
    runsDir: path.join(dir, "runs"),
    mnistDir: mnist,
    webRoot: web,
    hosts: { names: ["127.0.0.1"], port: () => port },
    transfers: queue,
  });
  server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
  await rm(dir, { recursive: true, force: true });
});

/** A raw HTTP/1.1 request; resolves with the status line, headers and body once the server closes. */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(request));
    let out = "";
    s.on("data", (d) => (out += d.toString("latin1")));
    s.on("end", () => {
      const [head, body = ""] = out.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body });
    });
    s.on("error", reject);
  });
}

const get = (target: string, host: string | null) =>
  raw(`GET ${target} HTTP/1.1\r\n${host === null ? "" : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);

describe("Host header (DNS rebinding)", () => {
  test("answers the loopback names on its own port", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      assert.equal((await get("/", host)).status, 200, host);
    }
  });

  test("refuses other names and other ports with 403 (a missing Host with 400), without serving anything", async () => {
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1:${port + 1}`, "127.0.0.1", `127.0.0.1.evil.example:${port}`, `localhost@evil:${port}`, null]) {
      const r = await get("/api/runs", host);
      // Node's http server itself answers 400 to an HTTP/1.1 request without Host.
      assert.equal(r.status, host === null ? 400 : 403, String(host));
      assert.doesNotMatch(r.body, /runs/, "no listing");
    }
  });

  test("hostAllowed: the --host given, and any IP literal when listening on every interface", () => {
    assert.equal(hostAllowed("192.168.1.5:80", { names: ["192.168.1.5"], port: () => 80 }), true);
    assert.equal(hostAllowed("192.168.1.5:80", { port: () => 80 }), false);
    assert.equal(hostAllowed("10.0.0.7:8080", { names: ["0.0.0.0"], port: () => 8080 }), true);
    assert.equal(hostAllowed("lab.example:8080", { names: ["0.0.0.0"], port: () => 8080 }), false, "names still refused");
    assert.equal(hostAllowed("localhost:5173", {}), true, "any port when unknown (Vite's dev server)");
    assert.equal(hostAllowed("evil.example:5173", {}), false);
  });
});

describe("headers and error pages", () => {
  test("every answer carries nosniff and the isolation headers", async () => {
    for (const [target, status] of [["/", 200], ["/nope.js", 404], ["/api/runs", 200]] as const) {
      const r = await get(target, `127.0.0.1:${port}`);
      assert.equal(r.status, status, target);
      assert.match(r.headers, /x-content-type-options: nosniff/, target);
      assert.match(r.headers, /cross-origin-embedder-policy: require-corp/, target);
    }
    const put = await raw(`PUT / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.equal(put.status, 405);
    assert.match(put.headers, /x-content-type-options: nosniff/);
  });

  test("a 404 does not echo the requested path", async () => {
    const r = await get("/%3Cscript%3Ealert(1)%3C/script%3E.html", `127.0.0.1:${port}`);
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.body, /script|alert/);
  });
});

/** A download that reads its first bytes, then stops reading (so the server cannot finish it). */
function stalledDownload(): { socket: net.Socket; started: Promise<string> } {
  const socket = net.connect(port, "127.0.0.1", () =>
    socket.write(`GET /data/mnist/train-images-idx3-ubyte HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
  );
  const started = new Promise<string>((resolve) => {
    socket.once("data", (d) => {
      socket.pause();
      resolve(d.toString("latin1").split("\r\n")[0]);
    });
  });
  socket.on("error", () => {});
  return { socket, started };
}

describe("large transfers are bounded, pages are not", () => {
  test("excess large downloads queue (then get 503) while a page is served at once", { timeout: 60_000 }, async (t) => {
    // One client after the other, each once the server has taken the previous one in (sockets opened
    // together may reach it in any order on a busy machine, and the order is what this test is about).
    const downloads: ReturnType<typeof stalledDownload>[] = [];
    const seen: boolean[] = [];
    t.after(() => downloads.forEach((d) => d.socket.destroy()));
    const open = () => {
      const d = stalledDownload();
      const i = downloads.push(d) - 1;
      seen.push(false);
      void d.started.then(() => (seen[i] = true));
      return d;
    };
    // Two slots: the first two start streaming…
    for (let i = 0; i < 2; i++) assert.equal(await open().started, "HTTP/1.1 200 OK");
    // …three wait (once the server has read their requests); a sixth finds the queue full.
    for (let i = 1; i <= 3; i++) {
      open();
      while (queue.counts.waiting < i) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.deepEqual(queue.counts, { active: 2, waiting: 3 });
    const busy = await get("/data/mnist/train-images-idx3-ubyte", `127.0.0.1:${port}`);
    assert.equal(busy.status, 503);
    assert.match(busy.headers, /retry-after: \d+/);
    // A page and the runs listing are answered while the large transfers hold every slot.
    assert.equal((await get("/", `127.0.0.1:${port}`)).status, 200);
    assert.equal((await get("/api/runs", `127.0.0.1:${port}`)).status, 200);
    assert.deepEqual(seen, [true, true, false, false, false], "the queued downloads have not started");
    // A client that leaves frees its slot for the next in line, in order.
    downloads[0].socket.destroy();
    assert.equal(await downloads[2].started, "HTTP/1.1 200 OK");
    assert.deepEqual(seen, [true, true, true, false, false]);
    // A waiting client that leaves gives up its place without taking a slot.
    downloads[3].socket.destroy();
    downloads[1].socket.destroy();
    assert.equal(await downloads[4].started, "HTTP/1.1 200 OK");
    assert.equal(seen[3], false);
  });

  test("TransferQueue hands out slots first come, first served", async () => {
    const q = new TransferQueue({ minBytes: 1, concurrent: 1, queued: 3 });
    const never = new AbortController().signal;
    const first = await q.acquire(never);
    const order: number[] = [];
    const second = q.acquire(never).then((r) => (order.push(2), r));
    const leaving = new AbortController();
    const third = q.acquire(leaving.signal).then((r) => (order.push(3), r));
    const fourth = q.acquire(never).then((r) => (order.push(4), r));
    assert.equal(await q.acquire(never), null, "queue of 3 is full");
    leaving.abort();
    assert.equal(await third, null, "an abandoned wait resolves with null");
    assert.deepEqual(q.counts, { active: 1, waiting: 2 });
    first!();
    (await second)!();
    (await fourth)!();
    assert.deepEqual(order, [3, 2, 4]);
    assert.deepEqual(q.counts, { active: 0, waiting: 0 });
  });
});
