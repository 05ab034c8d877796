// Printing a bench's result: a table of measurements per case, then every nnlab backend as a ratio
// against every peer measured in the same case ("nnlab/wasm is 3.2× faster than PyTorch").

import type { BenchResult, Entry } from "./harness.js";

function fmt(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ").trimEnd();
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/** "3.20× faster" / "1.50× slower" / "same" for nnlab against a peer. */
export function ratioText(nnlab: number, peer: number, higherIsBetter: boolean): string {
  const speedup = higherIsBetter ? nnlab / peer : peer / nnlab;
  if (!Number.isFinite(speedup) || speedup <= 0) return "n/a";
  if (Math.abs(speedup - 1) < 0.005) return "same";
  return speedup > 1 ? `${fmt(speedup)}× faster` : `${fmt(1 / speedup)}× slower`;
}

function extraColumns(entries: Entry[]): string[] {
  const keys = new Set<string>();
  for (const e of entries) for (const k of Object.keys(e.extra ?? {})) keys.add(k);
  return [...keys];
}

/** The printed report of one bench. */
export function formatResult(r: BenchResult): string {
  const cases = [...new Set(r.entries.map((e) => e.case))];
  const extras = extraColumns(r.entries);
  const rows: string[][] = [["case", "implementation", `median ${r.unit}`, "min–max", "runs", ...extras, "note"]];
  for (const c of cases) {
    for (const e of r.entries.filter((x) => x.case === c)) {
      rows.push([
        c,
        e.impl,
        e.stats ? fmt(e.stats.median) : "—",
        e.stats ? `${fmt(e.stats.min)}–${fmt(e.stats.max)}` : "",
        e.stats ? String(e.stats.runs.length) : "",
        ...extras.map((k) => (e.extra?.[k] === undefined ? "" : fmt(e.extra[k]))),
        e.note ?? "",
      ]);
    }
  }
  const out = [`## ${r.bench}: ${r.title} (${r.higherIsBetter ? "higher" : "lower"} is better)`, table(rows)];

  const peers = [...new Set(r.entries.filter((e) => !e.nnlab && e.stats).map((e) => e.impl))];
  const ratioRows: string[][] = [["case", "nnlab", ...peers.map((p) => `vs ${p}`)]];
  for (const c of cases) {
    const inCase = r.entries.filter((e) => e.case === c && e.stats);
    for (const mine of inCase.filter((e) => e.nnlab)) {
      ratioRows.push([
        c,
        mine.impl,
        ...peers.map((p) => {
          const peer = inCase.find((e) => e.impl === p);
          return peer?.stats && mine.stats ? ratioText(mine.stats.median, peer.stats.median, r.higherIsBetter) : "—";
        }),
      ]);
    }
  }
  if (ratioRows.length > 1 && peers.length) out.push("", "Ratios (median against median, same case):", table(ratioRows));
  for (const note of r.notes) out.push(`note: ${note}`);
  return out.join("\n");
}
