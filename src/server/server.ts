// The web lab's HTTP server (`nnlab serve`): the built app from dist/web plus the lab routes, on
// 127.0.0.1 by default. Node's own http module; nothing is written to disk.

import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NnlabError } from "../core/errors.js";
import { DEFAULT_TRANSFER_LIMITS, hostName, TransferQueue, type TransferLimits } from "./guard.js";
import { LAB_HEADERS, labRoutes } from "./routes.js";

/** Where `npm run build` puts the web app: dist/web at the package root. */
export function defaultWebRoot(): string {
  // compiled to dist/src/server/server.js; the app is dist/web
  return fileURLToPath(new URL("../../web/", import.meta.url));
}

export interface ServeOptions {
  port: number;
  host: string;
  runsDir: string;
  webRoot?: string;
  /** Bounds on large transfers (see guard.ts). */
  transfers?: Partial<TransferLimits>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Words for a failed listen, blaming --host or --port as the error code says. */
function listenProblem(err: NodeJS.ErrnoException, options: ServeOptions): NnlabError {
  const host = `--host ${options.host}`;
  const port = `--port ${options.port}`;
  let e: NnlabError;
  switch (err.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      e = NnlabError.problem({ subject: host, expected: "an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name of this machine", found: "a name that does not resolve to an address", fix: "Leave --host out to serve on 127.0.0.1." });
      break;
    case "EADDRNOTAVAIL":
    case "EINVAL":
      e = NnlabError.problem({ subject: host, expected: "an address of this machine", found: "an address no network interface here has", fix: "Leave --host out to serve on 127.0.0.1." });
      break;
    case "EADDRINUSE":
      e = NnlabError.problem({ subject: port, expected: "a free port", found: "a port another program listens on", fix: "Pick another port with --port N (0 picks a free one)." });
      break;
    case "EACCES":
    case "EPERM":
      e = NnlabError.problem({ subject: port, expected: "a port this user may listen on", found: "a port that needs more privileges (below 1024)", fix: "Pick a port from 1024 up, e.g. --port 8080." });
      break;
    default:
      e = NnlabError.problem({ subject: `${host} ${port}`, expected: "an address and port this machine can listen on", found: `an error (${err.message})`, fix: "Check --host and --port." });
  }
  e.cause = err;
  return e;
}

/** Starts the lab's server; resolves once it listens. Port 0 picks a free port (see `url`). */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const webRoot = options.webRoot ?? defaultWebRoot();
  if (!existsSync(path.join(webRoot, "index.html"))) {
    throw NnlabError.problem({
      subject: webRoot,
      expected: "the built web lab (index.html)",
      found: "no index.html",
      fix: "Run `npm run build` (npm ci does it) in the nnlab folder.",
    });
  }
  let port: number | undefined;
  const hosts = { names: [hostName(options.host)], port: () => port };
  const transfers = new TransferQueue({ ...DEFAULT_TRANSFER_LIMITS, ...options.transfers });
  const handle = labRoutes({ runsDir: options.runsDir, webRoot, hosts, transfers });
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { ...LAB_HEADERS, "content-type": "text/plain; charset=utf-8" });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenProblem(err, options)));
    server.listen(options.port, options.host, resolve);
  });
  port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
