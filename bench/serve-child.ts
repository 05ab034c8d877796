// The serve bench's other processes, so the load generator shares no event loop with them: `nnlab`
// (the lab's server, with a bound on large transfers) or `bare` (Node's http module streaming the same
// files with no routes or checks, the peer), which print their URL; or `flood URL N`, N clients that
// download URL to the end again and again (discarding the bytes) until killed.

import { createReadStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { mnistDataDir } from "../src/data/mnist.js";
import { defaultWebRoot, startServer } from "../src/server/server.js";

const [mode, concurrent, runsDir] = process.argv.slice(2);

if (mode === "flood") {
  const [, url, clients] = process.argv.slice(2);
  const one = (): void => {
    http
      .get(url, (res) => {
        res.resume(); // read and discard
        res.on("end", one);
        res.on("error", () => setTimeout(one, 100));
      })
      .on("error", () => setTimeout(one, 100));
  };
  for (let i = 0; i < Number(clients); i++) one();
  console.log("flooding");
} else if (mode === "bare") {
  const webRoot = defaultWebRoot();
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const file = url.startsWith("/data/mnist/") ? path.join(mnistDataDir(), path.basename(url)) : path.join(webRoot, path.basename(url));
    res.writeHead(200, { "content-type": url.endsWith(".html") ? "text/html" : "application/octet-stream" });
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  });
  server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
} else {
  const limit = Number(concurrent);
  const server = await startServer({ port: 0, host: "127.0.0.1", runsDir, transfers: { concurrent: limit, queued: 100_000 } });
  console.log(server.url);
}
