// Errors that speak to the user: each names the thing (a file, a flag, a tensor), what was expected,
// what was found and what to do. The CLI prints `message` on one line and exits with code 2. Also the
// words for file-system errors (ENOENT, EISDIR, …) that data and io readers use instead of raw codes.

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

/** The errno code of a Node file-system error, or undefined for any other thrown value. */
export function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string") {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}

/** Words for what the file system found, e.g. "no such file" for ENOENT. */
export function describeFsError(err: unknown, writing: boolean): string {
  switch (errnoCode(err)) {
    case "ENOENT":
      return writing ? "no such directory" : "no such file";
    case "EISDIR":
      return "a directory";
    case "ENOTDIR":
      return "a path that goes through a file, not a directory";
    case "EEXIST":
      return "a file already in the way";
    case "EACCES":
    case "EPERM":
      return writing ? "no permission to write there" : "a file it has no permission to read";
    case "EROFS":
      return "a read-only file system";
    case "ENOSPC":
      return "a full disk";
    case "ENAMETOOLONG":
      return "a file name that is too long";
    case "ELOOP":
      return "a loop of symbolic links";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    case "EIO":
      return "an input/output error of the disk";
    default:
      return `an error (${err instanceof Error ? err.message : String(err)})`;
  }
}
