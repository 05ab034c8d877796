// `nnlab serve`: the web lab on http://127.0.0.1:PORT/, with the runs folder's models read-only.

import { intFlag } from "../args.js";
import { startServer } from "../../server/server.js";
import { defineCommand } from "../command.js";

export const serveCommand = defineCommand({
  name: "serve",
  summary: "Serve the web lab (lessons 1–4) on this machine",
  spec: {
    description:
      "Serves the built web lab with cross-origin isolation headers (so the wasm engine can use worker threads), " +
      "the MNIST files for in-page training, and read-only access to the models under --runs. Stop it with Ctrl-C.",
    options: [
      { name: "port", type: "string", valueName: "N", default: "8080", description: "Port to listen on (0 picks a free one)" },
      { name: "host", type: "string", valueName: "ADDR", default: "127.0.0.1", description: "Address to listen on (127.0.0.1: this machine only)" },
      { name: "runs", type: "string", valueName: "DIR", default: "runs", description: "Folder of run directories whose models the lab may load" },
    ],
  },
  examples: ["serve", "serve --port 9000 --runs runs"],
  async run(args, ctx) {
    const port = intFlag("port", args.options.port, { min: 0, max: 65535 });
    const server = await startServer({ port, host: String(args.options.host), runsDir: String(args.options.runs) });
    ctx.print(`nnlab web lab: ${server.url}  (runs from ${args.options.runs}; Ctrl-C stops)`);
    ctx.result({ url: server.url, runs: args.options.runs });
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        server.close().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  },
});
