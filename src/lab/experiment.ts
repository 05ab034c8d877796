// What an experiment is: a named procedure that trains (or loads) what it needs, measures something the
// lessons claim, and returns its numbers, its figures and the body of its report. The MNIST lab
// (`nnlab lab NAME`, lessons 1–4) and the facts experiments (`nnlab facts NAME`, lesson 7) share this one
// shape, one runner (src/cli/commands/lab.ts) and one report writer (`writeLabRun`, src/lab/report.ts),
// so an experiment itself never touches the disk except to read `--model`. Only the MNIST lab's
// context carries the MNIST data; the CLI loads it for those experiments alone.

import type { Dataset } from "../data/dataset.js";

/** A progress display for one pass of an experiment (an epoch, a sweep); the CLI draws it as a bar. */
export interface LabProgress {
  /** `done` of the pass's `total` steps; the running cost and accuracy when there are any. */
  update(done: number, fields?: { cost?: number; acc?: number }): void;
  /** Ends the pass (safe to call twice). */
  stop(): void;
}

/** What every experiment gets, whichever group it belongs to. */
export interface ExperimentContext {
  /** Random seed: the same seed gives the same numbers, bit for bit, on the same backend. */
  readonly seed: number;
  /** The small, fast version (for tests and a first look): fewer images, fewer epochs. */
  readonly quick: boolean;
  /** A trained model's run directory to reuse (`--model`), when the experiment takes one. */
  readonly model?: string;
  /** Starts a progress display for a pass of `total` steps. */
  progress(label: string, total: number): LabProgress;
  /** A line of human-readable news while the experiment runs (e.g. "training the 3b1b net"). */
  log(line: string): void;
  /** Values of the experiment's own flags ({@link Experiment.flags}) as given, by name. */
  readonly flags: Readonly<Record<string, string | undefined>>;
}

/** What an experiment of the MNIST lab (`nnlab lab NAME`) gets: the common context plus MNIST. */
export interface LabContext extends ExperimentContext {
  /** MNIST: 60,000 training and 10,000 test images (experiments take subsets as they need). */
  readonly data: { readonly train: Dataset; readonly test: Dataset };
}

/** A flag only one experiment takes, e.g. `--index N` of `lab backprop`; its value is parsed by the experiment. */
export interface LabFlag {
  readonly name: string;
  readonly valueName: string;
  readonly description: string;
}

/** A figure of the report: a PNG (bytes) or an SVG (text), saved under `file` in the run directory. */
export interface LabFigure {
  /** File name inside the output directory, e.g. "tiles-3b1b.png". */
  readonly file: string;
  /** One line under the picture in report.md. */
  readonly caption: string;
  readonly data: Uint8Array | string;
}

/** What an experiment returns; `result` goes to result.json and `--json` as is. */
export interface LabOutput<R> {
  /** A few lines for the terminal: the headline numbers. */
  readonly summary: string[];
  /** Every number of the experiment, JSON-serialisable (the web lab reads it). */
  readonly result: R;
  readonly figures: readonly LabFigure[];
  /**
   * The report's markdown body (after the title): what was done, the numbers, what they mean. Refer to
   * figures by file name (`![caption](file)`); figures not referred to are appended at the end.
   */
  readonly report: string;
}

/**
 * An experiment: `nnlab GROUP NAME`. `C` is the context it needs: {@link LabContext} (with MNIST) for
 * the MNIST lab, {@link ExperimentContext} for experiments that make their own data.
 */
export interface Experiment<R = unknown, C extends ExperimentContext = LabContext> {
  /** The NAME of `nnlab GROUP NAME`, e.g. "hidden-features". */
  readonly name: string;
  /** One line for `nnlab GROUP --help`: the claim it tests. */
  readonly summary: string;
  /** Whether `--model DIR` is accepted (otherwise the experiment trains what it needs). */
  readonly takesModel: boolean;
  /** Flags of its own besides the common ones. */
  readonly flags?: readonly LabFlag[];
  run(ctx: C): Promise<LabOutput<R>>;
}
