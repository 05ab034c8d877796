// What keeps the lab's server safe and responsive: the Host check against DNS rebinding, and a queue
// that bounds how many large files stream at once, so pages stay fast under a flood of downloads.

/**
 * The names the server answers to. A page on another site that rebinds its DNS name to 127.0.0.1 still
 * sends its own name in `Host`, so answering only to these names keeps such pages from reading runs.
 */
export interface AllowedHosts {
  /** Names besides the loopback ones (127.0.0.1, localhost, [::1]), e.g. the `--host` given; lower case. */
  names?: readonly string[];
  /** The port the server listens on, once known; when absent any port is accepted (the Vite dev server). */
  port?: () => number | undefined;
}

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/** Addresses that mean "every interface": with one of them, any IP literal is a name the server has. */
const WILDCARDS = new Set(["0.0.0.0", "[::]", "::"]);

/** `name` as it appears in a Host header: IPv6 addresses in brackets, lower case. */
export function hostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower;
}

/** Splits a Host header into its name and port (80 when absent); undefined when malformed. */
function parseHost(header: string): { name: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  return { name: m[1].toLowerCase(), port: m[2] === undefined ? 80 : Number(m[2]) };
}

/** An IPv4 or bracketed IPv6 literal (DNS rebinding needs a DNS name, so these are safe to answer). */
function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/.test(name);
}

/**
 * Whether a request's `Host` header names this server: a loopback name or an allowed name (with any IP
 * literal when the server listens on every interface), on the server's port when it is known.
 */
export function hostAllowed(header: string | undefined, allowed: AllowedHosts = {}): boolean {
  if (header === undefined) return false;
  const host = parseHost(header);
  if (!host) return false;
  const port = allowed.port?.();
  if (port !== undefined && host.port !== port) return false;
  const names = allowed.names ?? [];
  if (LOOPBACK.includes(host.name) || names.includes(host.name)) return true;
  return names.some((n) => WILDCARDS.has(n)) && isIpLiteral(host.name);
}

/** Settings of {@link TransferQueue}. */
export interface TransferLimits {
  /** Files of at least this many bytes count as large (default 1 MiB: the MNIST images, model files). */
  minBytes: number;
  /** Large files streaming at once (default 4); the rest wait in order. */
  concurrent: number;
  /** Large requests allowed to wait (default 256); beyond that the server answers 503. */
  queued: number;
}

export const DEFAULT_TRANSFER_LIMITS: TransferLimits = { minBytes: 1 << 20, concurrent: 4, queued: 256 };

/**
 * A first-come, first-served queue of slots for large transfers. Small files (pages, scripts) never
 * wait for it, so a flood of large downloads cannot starve them of the event loop and the disk threads.
 */
export class TransferQueue {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limits: TransferLimits) {}

  /** Transfers streaming now and waiting for a slot. */
  get counts(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /**
   * Waits for a slot. Resolves with the function that frees it (call it once, when the response ends
   * or the client goes away), or with null at once when the queue is full. `abandoned` ends the wait
   * when the client leaves before its turn; the promise then resolves with null.
   */
  acquire(abandoned: AbortSignal): Promise<(() => void) | null> {
    if (this.active < this.limits.concurrent) return Promise.resolve(this.slot());
    if (this.waiting.length >= this.limits.queued) return Promise.resolve(null);
    return new Promise((resolve) => {
      const turn = (): void => {
        abandoned.removeEventListener("abort", leave);
        resolve(this.slot());
      };
      const leave = (): void => {
        const i = this.waiting.indexOf(turn);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      };
      this.waiting.push(turn);
      abandoned.addEventListener("abort", leave, { once: true });
    });
  }

  private slot(): () => void {
    this.active++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}
