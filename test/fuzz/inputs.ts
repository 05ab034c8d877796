// Hostile inputs for the parser fuzz targets, as fast-check arbitraries: random bytes, and valid seed
// files hit by mutations a damaged or crafted file would show (bit flips, huge or zero size fields,
// cuts, insertions), with PNG chunk checksums repaired so mutations reach past the CRC check.

import fc from "fast-check";
import { crc32 } from "../data/helpers.js";

/** 32-bit values that break size arithmetic: zero, one, powers of two near limits, all ones. */
const INTERESTING = [0, 1, 2, 3, 7, 8, 255, 256, 0x7fff, 0xffff, 0x10000, 0xffffff, 0x1000000, 0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "byte"; at: number; value: number }
  | { kind: "u32"; at: number; value: number; little: boolean }
  | { kind: "cut"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; length: number };

/** Positions are fractions of the length, so one mutation fits every seed. */
const where = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<{ m: Mutation; f: number }> = fc.oneof(
  fc.record({ m: fc.record({ kind: fc.constant("flip" as const), at: fc.constant(0), bit: fc.integer({ min: 0, max: 7 }) }), f: where }),
  fc.record({ m: fc.record({ kind: fc.constant("byte" as const), at: fc.constant(0), value: fc.integer({ min: 0, max: 255 }) }), f: where }),
  fc.record({ m: fc.record({ kind: fc.constant("u32" as const), at: fc.constant(0), value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat()), little: fc.boolean() }), f: where }),
  fc.record({ m: fc.record({ kind: fc.constant("cut" as const), at: fc.constant(0) }), f: where }),
  fc.record({ m: fc.record({ kind: fc.constant("insert" as const), at: fc.constant(0), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), f: where }),
  fc.record({ m: fc.record({ kind: fc.constant("delete" as const), at: fc.constant(0), length: fc.integer({ min: 1, max: 16 }) }), f: where }),
);

function apply(bytes: Uint8Array, { m, f }: { m: Mutation; f: number }): Uint8Array {
  const at = Math.floor(f * Math.max(1, bytes.length));
  switch (m.kind) {
    case "flip": {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at] ^= 1 << m.bit;
      return out;
    }
    case "byte": {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at] = m.value;
      return out;
    }
    case "u32": {
      if (bytes.length < 4) return bytes;
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(Math.min(at, out.length - 4), m.value >>> 0, m.little);
      return out;
    }
    case "cut":
      return bytes.slice(0, at);
    case "insert":
      return Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    case "delete":
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
  }
}

/** A seed with 1 to `most` mutations applied, then `repair` (e.g. {@link fixPngCrcs}). */
export function mutated(seeds: readonly Uint8Array[], repair: (b: Uint8Array) => Uint8Array = (b) => b, most = 4): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: most }))
    .map(([seed, ms]) => repair(ms.reduce(apply, seed)));
}

/** Bytes for a parser: mostly mutated seeds (they get past the first checks), some plain noise. */
export function hostileBytes(seeds: readonly Uint8Array[], repair?: (b: Uint8Array) => Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    { weight: 1, arbitrary: fc.constantFrom(...seeds).chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))) },
    { weight: 6, arbitrary: mutated(seeds, repair) },
  );
}

/** Rewrites the checksum of every PNG chunk that fits in the file, so the decoder reads its data. */
export function fixPngCrcs(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  let at = 8;
  while (at + 12 <= out.length) {
    const length = view.getUint32(at);
    if (at + 12 + length > out.length) break;
    view.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  return out;
}

/**
 * A valid JSON object with one value somewhere in it replaced by an arbitrary JSON value (or removed),
 * as a config or checkpoint file a user edited by hand might look.
 */
export function editedJson(seeds: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...seeds), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.option(fc.jsonValue({ maxDepth: 2 }), { freq: 5 })).map(([seed, f, value]) => {
    const copy = JSON.parse(JSON.stringify(seed)) as unknown;
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (v && typeof v === "object") for (const [k, child] of Object.entries(v)) walk(child, [...p, Array.isArray(v) ? Number(k) : k]);
    };
    walk(copy, []);
    const path = paths[Math.floor(f * paths.length)];
    if (path.length === 0) return value;
    let parent = copy as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (value === null && !Array.isArray(parent)) delete parent[last];
    else parent[last] = value;
    return copy;
  });
}
