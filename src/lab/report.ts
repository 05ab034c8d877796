// Writes an experiment's run directory: report.md, result.json and the figures, all in one atomic step
// (src/io's writeFilesAtomic), so a failed or interrupted experiment leaves the previous run intact.

import { writeFilesAtomic } from "../io/atomic.js";
import type { Experiment, ExperimentContext, LabOutput } from "./experiment.js";

/** What the report needs to know of an experiment: its name, its claim and its CLI group (default "lab"). */
export type ReportedExperiment = Pick<Experiment<unknown, ExperimentContext>, "name" | "summary"> & { readonly group?: string };

/** The contents of report.md: title, the experiment's body, then any figure it did not show. */
export function formatReport(experiment: ReportedExperiment, output: LabOutput<unknown>, settings: Record<string, unknown>): string {
  const shown = output.figures.filter((f) => output.report.includes(`(${f.file})`));
  const rest = output.figures.filter((f) => !shown.includes(f));
  const lines = [
    `# nnlab ${experiment.group ?? "lab"} ${experiment.name}`,
    "",
    `*${experiment.summary}*`,
    "",
    `Settings: ${Object.entries(settings).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ")}.`,
    "",
    output.report.trim(),
    "",
    ...rest.flatMap((f) => [`![${f.caption}](${f.file})`, "", `*${f.caption}*`, ""]),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Writes report.md, result.json (`{experiment, settings, result}`) and every figure into `dir`. */
export async function writeLabRun(dir: string, experiment: ReportedExperiment, output: LabOutput<unknown>, settings: Record<string, unknown>): Promise<void> {
  const files: Record<string, string | Uint8Array> = {
    "report.md": formatReport(experiment, output, settings),
    "result.json": `${JSON.stringify({ experiment: experiment.name, settings, result: output.result }, null, 2)}\n`,
  };
  for (const f of output.figures) {
    if (f.file in files || f.file.includes("/") || f.file.includes("\\")) throw new Error(`figure file name "${f.file}" is taken or not a plain name`);
    files[f.file] = f.data;
  }
  await writeFilesAtomic(dir, files);
}
