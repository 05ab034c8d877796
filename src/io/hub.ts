// Hugging Face models by name (`--model gpt2`, `--model owner/name`): found in the local Hugging Face
// cache, else downloaded from the hub into that same cache layout, resumable and checked against the
// sizes and SHA-256 sums the hub publishes. Layout (as huggingface_hub writes it):
//   $HF_HUB_CACHE (or $HF_HOME/hub, or ~/.cache/huggingface/hub)/models--owner--name/
//     refs/main                      the commit the name resolved to
//     blobs/<sha256 or git sha1>     file contents, named by their hash (`.incomplete` while downloading)
//     snapshots/<commit>/<file>      links to ../../blobs/<hash> (a plain copy where links are refused)

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat, symlink } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import { writeFileAtomic } from "./atomic.js";

/** The files a GPT-2-layout model needs. */
export const HUB_MODEL_FILES = ["config.json", "model.safetensors"] as const;

/** The public hub; `HF_ENDPOINT` or {@link HubOptions.endpoint} points elsewhere (a mirror, a test server). */
export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";

/** Options of {@link resolveModelDir}. */
export interface HubOptions {
  /** Hub base URL (default: `$HF_ENDPOINT`, else https://huggingface.co). */
  endpoint?: string;
  /** Cache folder (default: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Never download (default: true when `$HF_HUB_OFFLINE` is 1/true). */
  offline?: boolean;
  /** Revision to download (default "main"). */
  revision?: string;
  /** Bearer token for private or gated models (default: `$HF_TOKEN`). */
  token?: string;
  /** Download progress of one file: bytes so far (a resumed file starts above 0) of `total`. */
  onProgress?: (file: string, done: number, total: number) => void;
  /** The environment to read the defaults from (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** The Hugging Face hub cache folder the options and environment point to. */
export function hubCacheDir(options: Pick<HubOptions, "cacheDir" | "env"> = {}): string {
  const env = options.env ?? process.env;
  if (options.cacheDir) return options.cacheDir;
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return path.join(env.HF_HOME, "hub");
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "huggingface", "hub");
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;

/** Whether `value` reads as a hub model id ("gpt2", "openai-community/gpt2"), not a path. */
export function isRepoId(value: string): boolean {
  return REPO_ID.test(value) && !value.includes("..") && !value.endsWith(".");
}

/** The cache folder of a model: models--owner--name. */
export function repoCacheFolder(repo: string, options: Pick<HubOptions, "cacheDir" | "env"> = {}): string {
  return path.join(hubCacheDir(options), `models--${repo.split("/").join("--")}`);
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function hasFiles(dir: string): Promise<boolean> {
  for (const f of HUB_MODEL_FILES) {
    try {
      if (!(await stat(path.join(dir, f))).isFile()) return false; // stat follows the snapshot's links
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * A complete snapshot of `repo` in the local cache: the one refs/<revision> names, else the newest
 * snapshot holding config.json and model.safetensors. Undefined when there is none.
 */
export async function findCachedModel(repo: string, options: HubOptions = {}): Promise<string | undefined> {
  const root = repoCacheFolder(repo, options);
  const revision = options.revision ?? "main";
  try {
    const commit = (await readFile(path.join(root, "refs", revision), "utf8")).trim();
    const dir = path.join(root, "snapshots", commit);
    if (commit && (await hasFiles(dir))) return dir;
  } catch {
    /* no ref: look at the snapshots */
  }
  if (/^[0-9a-f]{40}$/.test(revision) && (await hasFiles(path.join(root, "snapshots", revision)))) return path.join(root, "snapshots", revision);
  let best: { dir: string; time: number } | undefined;
  try {
    for (const name of await readdir(path.join(root, "snapshots"))) {
      const dir = path.join(root, "snapshots", name);
      if (!(await hasFiles(dir))) continue;
      const time = (await stat(dir)).mtimeMs;
      if (!best || time > best.time) best = { dir, time };
    }
  } catch {
    return undefined;
  }
  return best?.dir;
}

/**
 * The model directory `value` names: an existing directory as is; otherwise a hub id ("gpt2",
 * "gpt2-medium", "owner/name") found in the local Hugging Face cache, else downloaded into it (see
 * {@link downloadModel}). Anything else, or a model that cannot be had offline, gives one clear
 * {@link NnlabError} saying how to get it.
 */
export async function resolveModelDir(value: string, options: HubOptions = {}): Promise<string> {
  if (await isDir(value)) return value;
  if (!isRepoId(value) || value.startsWith(".") || value.includes(path.sep + path.sep)) {
    throw NnlabError.problem({ subject: `--model ${value}`, expected: "a model directory or a Hugging Face model id such as gpt2 or owner/name", found: "no such directory", fix: "Check the path." });
  }
  const cached = await findCachedModel(value, options);
  if (cached) return cached;
  const env = options.env ?? process.env;
  const offline = options.offline ?? /^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE ?? "");
  const where = repoCacheFolder(value, options);
  const howTo = `Get it when online (nnlab downloads it into ${where}), or pass --model DIR with config.json and model.safetensors (e.g. from \`huggingface-cli download ${value} config.json model.safetensors --local-dir DIR\`).`;
  if (offline) {
    throw NnlabError.problem({ subject: `--model ${value}`, expected: "a model directory or a model in the Hugging Face cache", found: `neither, and HF_HUB_OFFLINE forbids downloading`, fix: howTo });
  }
  return downloadModel(value, options, howTo);
}

/** A file of a hub repo as the hub's metadata describes it. */
export interface HubFile {
  name: string;
  size: number;
  /** "sha256" for LFS files (the LFS oid), "sha1" for small ones (the git blob id). */
  hashKind: "sha256" | "sha1";
  hash: string;
}

interface Sibling {
  rfilename?: unknown;
  size?: unknown;
  blobId?: unknown;
  lfs?: { size?: unknown; sha256?: unknown } | null;
}

function hubError(repo: string, found: string, fix: string): NnlabError {
  return NnlabError.problem({ subject: `--model ${repo}`, expected: "a GPT-2-layout model on the Hugging Face hub", found, fix });
}

async function hubFetch(url: string, repo: string, options: HubOptions, howTo: string, headers: Record<string, string> = {}): Promise<Response> {
  const token = options.token ?? (options.env ?? process.env).HF_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(url, { headers, redirect: "follow" });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    const e = hubError(repo, `it is not in the Hugging Face cache and the hub (${new URL(url).origin}) cannot be reached (${reason})`, howTo);
    e.cause = err;
    throw e;
  }
}

/** The commit and the files (with sizes and checksums) of `repo` at `revision`, from the hub's API. */
export async function hubModelInfo(repo: string, options: HubOptions = {}, howTo = ""): Promise<{ commit: string; files: HubFile[] }> {
  const endpoint = (options.endpoint ?? (options.env ?? process.env).HF_ENDPOINT ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, "");
  const revision = options.revision ?? "main";
  const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const res = await hubFetch(url, repo, options, howTo);
  if (res.status === 404) throw hubError(repo, `no such model or revision "${revision}" on ${endpoint} (HTTP 404)`, "Check the name, e.g. gpt2, gpt2-medium or openai-community/gpt2.");
  if (res.status === 401 || res.status === 403) throw hubError(repo, `the hub refuses access (HTTP ${res.status}): a private or gated model`, "Set HF_TOKEN to a token that may read it.");
  if (!res.ok) throw hubError(repo, `HTTP ${res.status} from ${url}`, "Try again later.");
  let info: { sha?: unknown; siblings?: unknown };
  try {
    info = (await res.json()) as typeof info;
  } catch {
    throw hubError(repo, `metadata that is not JSON from ${url}`, "Check HF_ENDPOINT.");
  }
  if (typeof info.sha !== "string" || !/^[0-9a-f]{40}$/.test(info.sha) || !Array.isArray(info.siblings)) {
    throw hubError(repo, `metadata without a commit sha and a file list from ${url}`, "Check HF_ENDPOINT.");
  }
  const files: HubFile[] = [];
  for (const s of info.siblings as Sibling[]) {
    if (typeof s.rfilename !== "string") continue;
    const lfs = s.lfs;
    if (lfs && typeof lfs.sha256 === "string" && /^[0-9a-f]{64}$/.test(lfs.sha256) && typeof lfs.size === "number") {
      files.push({ name: s.rfilename, size: lfs.size, hashKind: "sha256", hash: lfs.sha256 });
    } else if (typeof s.blobId === "string" && /^[0-9a-f]{40}$/.test(s.blobId) && typeof s.size === "number") {
      files.push({ name: s.rfilename, size: s.size, hashKind: "sha1", hash: s.blobId });
    }
  }
  return { commit: info.sha, files };
}

/**
 * Downloads config.json and model.safetensors of `repo` into the Hugging Face cache and returns the
 * snapshot folder. Each file goes to blobs/<hash>.incomplete first; an interrupted download resumes
 * from where it stopped (an HTTP Range request), and a file is kept only when its size and its SHA-256
 * (LFS files) or git blob SHA-1 (small files) match the hub's metadata.
 */
export async function downloadModel(repo: string, options: HubOptions = {}, howTo = ""): Promise<string> {
  const { commit, files } = await hubModelInfo(repo, options, howTo);
  const wanted: HubFile[] = [];
  for (const name of HUB_MODEL_FILES) {
    const f = files.find((x) => x.name === name);
    if (!f) {
      const other = files.some((x) => x.name === "pytorch_model.bin") ? " (it has only pytorch_model.bin)" : "";
      throw hubError(repo, `a repository without ${name}${other}`, "Convert it to safetensors and pass --model DIR (see the README's GPT-2 section).");
    }
    wanted.push(f);
  }
  const endpoint = (options.endpoint ?? (options.env ?? process.env).HF_ENDPOINT ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, "");
  const root = repoCacheFolder(repo, options);
  const snapshot = path.join(root, "snapshots", commit);
  await mkdir(path.join(root, "blobs"), { recursive: true });
  await mkdir(snapshot, { recursive: true });
  for (const f of wanted) {
    const blob = path.join(root, "blobs", f.hash);
    if (!(await verifiedBlob(blob, f))) await downloadBlob(`${endpoint}/${repo}/resolve/${commit}/${f.name}`, blob, f, repo, options, howTo);
    await linkIntoSnapshot(blob, path.join(snapshot, f.name));
  }
  await mkdir(path.join(root, "refs"), { recursive: true });
  await writeFileAtomic(path.join(root, "refs", options.revision ?? "main"), commit);
  return snapshot;
}

/** Hashes a file the way the hub names it: SHA-256 of the bytes, or git's SHA-1 of "blob <size>\0" + bytes. */
async function hashFile(file: string, f: HubFile, size: number): Promise<string> {
  const hash = createHash(f.hashKind);
  if (f.hashKind === "sha1") hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function verifiedBlob(blob: string, f: HubFile): Promise<boolean> {
  try {
    const s = await stat(blob);
    return s.size === f.size && (await hashFile(blob, f, s.size)) === f.hash;
  } catch {
    return false;
  }
}

async function downloadBlob(url: string, blob: string, f: HubFile, repo: string, options: HubOptions, howTo: string): Promise<void> {
  const partial = blob + ".incomplete";
  let have = 0;
  try {
    have = (await stat(partial)).size;
  } catch {
    /* fresh download */
  }
  if (have > f.size) {
    await rm(partial, { force: true });
    have = 0;
  }
  const res = have > 0 && have < f.size ? await hubFetch(url, repo, options, howTo, { range: `bytes=${have}-` }) : have === f.size ? undefined : await hubFetch(url, repo, options, howTo);
  if (res) {
    if (res.status === 200) have = 0; // the server ignored the range: start over
    else if (res.status !== 206) throw hubError(repo, `HTTP ${res.status} for ${url}`, "Try again later.");
    if (!res.body) throw hubError(repo, `an empty answer for ${url}`, "Try again later.");
    const handle = await open(partial, have > 0 ? "a" : "w");
    let done = have;
    options.onProgress?.(f.name, done, f.size);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        done += chunk.length;
        options.onProgress?.(f.name, done, f.size);
      }
    } catch (err) {
      const e = hubError(repo, `the download of ${f.name} broke off at ${done} of ${f.size} bytes (${err instanceof Error ? err.message : String(err)})`, "Run the command again: it resumes where it stopped.");
      e.cause = err;
      throw e;
    } finally {
      await handle.close();
    }
  }
  const size = (await stat(partial)).size;
  if (size !== f.size) {
    throw hubError(repo, `${f.name} of ${size} bytes where the hub's metadata says ${f.size}`, "Run the command again: it resumes where it stopped.");
  }
  const got = await hashFile(partial, f, size);
  if (got !== f.hash) {
    await rm(partial, { force: true });
    throw hubError(repo, `${f.name} with ${f.hashKind} ${got} where the hub's metadata says ${f.hash} (damaged download, removed)`, "Run the command again to download it afresh.");
  }
  await rename(partial, blob);
}

/** Links snapshots/<commit>/<file> to ../../blobs/<hash> as huggingface_hub does; copies where links fail. */
async function linkIntoSnapshot(blob: string, target: string): Promise<void> {
  await rm(target, { force: true });
  try {
    await symlink(path.relative(path.dirname(target), blob), target);
  } catch {
    await copyFile(blob, target);
  }
}
