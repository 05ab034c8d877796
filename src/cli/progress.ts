// Progress on stderr for anything that takes over a second: a live bar with ETA, cost and accuracy on a
// terminal, and a plain line every few seconds (and at the end) otherwise, so CI logs stay readable.
// Never writes to stdout, which is reserved for --json output.

import cliProgress from "cli-progress";

/** A stream the CLI writes text to; `isTTY` tells a terminal from a file or pipe. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  /** What is being counted, e.g. "epoch 1/30". */
  label: string;
  /** The count at completion, e.g. the number of batches in the epoch. */
  total: number;
  /** Where to draw; default `process.stderr`. Never pass stdout. */
  stream?: OutputStream;
  /** When the stream is not a terminal: milliseconds between plain lines (default 5000). */
  plainIntervalMs?: number;
  /** No output at all. */
  quiet?: boolean;
  /** Clock in milliseconds, for tests; default `Date.now`. */
  now?: () => number;
  /**
   * This bar is pass `index` (from 0) of `count` equal passes of one run (epochs of a training run), so
   * it can show an ETA for the whole run besides the pass's own.
   */
  pass?: { index: number; count: number };
  /** When the run's first pass started (the CLI context sets it from the first bar with `pass`). */
  runStartedAt?: number;
  /** The values shown beside the bar and their labels, e.g. `[["cost", "loss"], ["rate", "tok/s"]]`; default cost and acc. */
  columns?: readonly (readonly [keyof ProgressFields, string])[];
}

/** The running values shown next to the bar; a field left out is shown as "-" (or omitted in plain lines). */
export interface ProgressFields {
  /** The running average cost (loss). */
  cost?: number;
  /** The running accuracy, 0..1. */
  acc?: number;
  /** A throughput, e.g. tokens per second. */
  rate?: number;
}

/** Formats a statistic with 3 significant digits: 0.0231, 0.912, 2.5, 1.23e-5. */
export function formatStat(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e5) return String(Number(value.toPrecision(3)));
  return value.toExponential(2);
}

/** A duration for progress lines: "12.3s", "4m05s", "2h07m". */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * A progress bar for one pass (an epoch, a sampling run). Create one per pass, call {@link update} or
 * {@link increment} as work completes and {@link stop} at the end (also on errors: the CLI's main stops
 * bars left running). On a terminal it draws a cli-progress bar with ETA; elsewhere it prints a plain line
 * at most every `plainIntervalMs` and one at the end, e.g. `epoch 1/30 100% cost 0.0231 acc 0.912 12.3s`.
 */
export class ProgressBar {
  private readonly label: string;
  private readonly total: number;
  private readonly stream: OutputStream;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly startedAt: number;
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly quiet: boolean;
  private lastPlainAt: number;
  private done = 0;
  private fields: ProgressFields = {};
  private stopped = false;
  private readonly pass: { index: number; count: number } | undefined;
  private readonly runStartedAt: number;
  private readonly columns: readonly (readonly [keyof ProgressFields, string])[];

  constructor(options: ProgressOptions) {
    this.label = options.label;
    this.total = Math.max(0, options.total);
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.intervalMs = options.plainIntervalMs ?? 5000;
    this.quiet = options.quiet ?? false;
    this.columns = options.columns ?? [["cost", "cost"], ["acc", "acc"]];
    this.startedAt = this.now();
    this.lastPlainAt = this.startedAt;
    this.pass = options.pass && options.pass.count > 1 ? options.pass : undefined;
    this.runStartedAt = options.runStartedAt ?? this.startedAt;
    if (!this.quiet && this.stream.isTTY === true) {
      this.bar = new cliProgress.SingleBar({
        stream: this.stream,
        format: ["{label} {bar} {percentage}% | ETA {eta_formatted}", ...(this.pass ? ["run ETA {run_eta}"] : []), ...this.columns.map(([key, label]) => `${label} {${key}}`)].join(" | "),
        barsize: 30,
        etaBuffer: 50,
        hideCursor: false, // a crash must not leave the terminal without a cursor
        gracefulExit: false, // its SIGINT handler would keep Ctrl-C from ending the run
      }, cliProgress.Presets.shades_classic);
      this.bar.start(this.total, 0, { label: this.label, ...this.payload() });
    }
  }

  /** Whether {@link stop} has been called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Sets the count of completed work (0..total) and, optionally, the running cost and accuracy. */
  update(done: number, fields?: ProgressFields): void {
    if (this.stopped) return;
    this.done = Math.min(Math.max(0, done), this.total);
    if (fields) this.fields = { ...this.fields, ...fields };
    if (this.bar) {
      this.bar.update(this.done, this.payload());
    } else if (!this.quiet && this.now() - this.lastPlainAt >= this.intervalMs) {
      this.writePlainLine();
    }
  }

  /** Adds `by` (default 1) to the completed count, see {@link update}. */
  increment(by = 1, fields?: ProgressFields): void {
    this.update(this.done + by, fields);
  }

  /** Ends the bar: a terminal gets its final state and a newline, a log gets one last plain line. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.bar) this.bar.stop();
    else if (!this.quiet) this.writePlainLine();
  }

  private payload(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key] of this.columns) out[key] = this.fields[key] === undefined ? "-" : formatStat(this.fields[key]);
    const runEta = this.runEta();
    out.run_eta = runEta === undefined ? "-" : formatDuration(runEta);
    return out;
  }

  /**
   * Milliseconds left in the whole run: the time since the run started, scaled by the fraction of all
   * passes still to do (passes are taken as equally long). Undefined without `pass` or before any work.
   */
  runEta(): number | undefined {
    if (!this.pass) return undefined;
    const fraction = (this.pass.index + (this.total === 0 ? 1 : this.done / this.total)) / this.pass.count;
    if (!(fraction > 0) || fraction >= 1) return undefined;
    const elapsed = this.now() - this.runStartedAt;
    return (elapsed / fraction) * (1 - fraction);
  }

  private writePlainLine(): void {
    const now = this.now();
    this.lastPlainAt = now;
    const elapsed = now - this.startedAt;
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    const parts = [this.label, `${Math.floor(fraction * 100)}%`];
    for (const [key, label] of this.columns) if (this.fields[key] !== undefined) parts.push(`${label} ${formatStat(this.fields[key])}`);
    parts.push(formatDuration(elapsed));
    if (fraction > 0 && fraction < 1) parts.push(`eta ${formatDuration((elapsed / fraction) * (1 - fraction))}`);
    const runEta = this.runEta();
    if (runEta !== undefined) parts.push(`run eta ${formatDuration(runEta)}`);
    this.stream.write(parts.join(" ") + "\n");
  }
}
