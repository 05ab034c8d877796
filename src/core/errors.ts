// Errors that speak to the user: each names the thing (a file, a flag, a tensor), what was expected,
// what was found and what to do. The CLI prints `message` on one line and exits with code 2.

/** Parts of a user-facing error message. */
export interface ProblemParts {
  /** The file, flag, tensor or setting at fault, e.g. `--epochs` or `/tmp/x.idx`. */
  subject: string;
  /** What nnlab expected to find. */
  expected: string;
  /** What it found instead. */
  found: string;
  /** What the user can do about it (optional). */
  fix?: string;
}

/**
 * An error caused by input the user controls (files, flags, shapes, configs). The CLI reports it as one
 * line and exits with code 2; everything else is a bug and gets a stack trace.
 */
export class NnlabError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NnlabError";
  }

  /** Builds the standard one-line message: "subject: expected X, found Y. Fix." */
  static problem(parts: ProblemParts): NnlabError {
    const fix = parts.fix ? ` ${parts.fix}` : "";
    return new NnlabError(`${parts.subject}: expected ${parts.expected}, found ${parts.found}.${fix}`);
  }
}

/** A shape or dtype mismatch between tensors passed to an op. */
export class ShapeError extends NnlabError {
  constructor(message: string) {
    super(message);
    this.name = "ShapeError";
  }
}
