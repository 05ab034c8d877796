#!/usr/bin/env node
// The `nnlab` command: loads the compiled CLI from dist/ and exits with the code main() returns.
// It sets process.exitCode instead of calling process.exit, so pending output is written in full.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const mainUrl = new URL("../dist/src/cli/main.js", import.meta.url);
const commandsUrl = new URL("../dist/src/cli/commands.js", import.meta.url);

// `nnlab … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on("error", (err) => {
  if (err && err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

if (!existsSync(fileURLToPath(mainUrl)) || !existsSync(fileURLToPath(commandsUrl))) {
  process.stderr.write("nnlab: not built yet; run `npm run build`\n");
  process.exitCode = 2;
} else {
  let loaded;
  try {
    loaded = await Promise.all([import(mainUrl.href), import(commandsUrl.href)]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`nnlab: could not load the compiled CLI (${message}); run \`npm run build\`\n`);
    if (process.argv.includes("--debug") && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 2;
  }
  if (loaded) {
    const [{ main }, { commands }] = loaded;
    process.exitCode = await main(process.argv.slice(2), commands);
  }
}
