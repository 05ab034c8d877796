// Trained networks kept in the browser's IndexedDB, so every lesson page reuses the network another page
// trained instead of training it again. Entries are keyed by the full training configuration (as JSON):
// a different preset, activation, seed or epoch count is a different network.

import type { TypedArray } from "../../../src/core/dtype.js";

/** What is stored for one trained network. */
export interface CachedNet {
  /** The training configuration as JSON: the key. */
  key: string;
  /** Where it came from, as pages show it ("trained here: …"). */
  origin: string;
  testAccuracy: number;
  /** The model's state dict: parameter path → shape and values. */
  parameters: Record<string, { shape: number[]; data: TypedArray }>;
}

const DB_NAME = "nnlab";
const STORE = "trained-nets";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

let opening: Promise<IDBDatabase | null> | null = null;

/** The database, or null where IndexedDB is unavailable (then nothing is cached and pages train again). */
function database(): Promise<IDBDatabase | null> {
  opening ??= (async () => {
    if (typeof indexedDB === "undefined") return null;
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "key" });
    try {
      return await request(open);
    } catch {
      return null;
    }
  })();
  return opening;
}

/** The network trained with this configuration key, or null when none is cached. */
export async function loadCachedNet(key: string): Promise<CachedNet | null> {
  const db = await database();
  if (!db) return null;
  const found = await request(db.transaction(STORE, "readonly").objectStore(STORE).get(key));
  return (found as CachedNet | undefined) ?? null;
}

/** Stores a trained network; a failure (quota, private mode) only means the next page trains again. */
export async function saveCachedNet(net: CachedNet): Promise<void> {
  const db = await database();
  if (!db) return;
  try {
    await request(db.transaction(STORE, "readwrite").objectStore(STORE).put(net));
  } catch {
    /* not cached: harmless */
  }
}
