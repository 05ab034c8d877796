// Figures of the lab reports: weight tiles in a diverging colour map and image grids as PNG (pngjs),
// charts as SVG rendered headless by Vega-Lite (a declarative spec in, SVG text out).

import { PNG } from "pngjs";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { encodePng } from "../data/png.js";

/**
 * Lays out `tiles` (each `side × side` values, row-major) in a grid of `cols` columns, each pixel
 * blown up `scale` times with a 1-pixel gap; returns the canvas and its size. Empty cells hold `fill`.
 */
function layout(tiles: ArrayLike<number>[], side: number, cols: number, scale: number, fill: number): { canvas: Float32Array; width: number; height: number } {
  const rows = Math.ceil(tiles.length / cols);
  const cell = side * scale + 1;
  const width = cols * cell + 1;
  const height = rows * cell + 1;
  const canvas = new Float32Array(width * height).fill(fill);
  tiles.forEach((tile, t) => {
    const x0 = (t % cols) * cell + 1;
    const y0 = Math.floor(t / cols) * cell + 1;
    for (let y = 0; y < side * scale; y++) {
      for (let x = 0; x < side * scale; x++) canvas[(y0 + y) * width + x0 + x] = tile[Math.floor(y / scale) * side + Math.floor(x / scale)];
    }
  });
  return { canvas, width, height };
}

/**
 * Weight tiles as the lesson draws them: each tile scaled by its own largest |w|, positive weights
 * green, negative red, zero black (a diverging map). The gaps between tiles are NaN → gray.
 */
export function weightTilesPng(tiles: ArrayLike<number>[], side = 28, cols = 8, scale = 3): Uint8Array {
  const normalised = tiles.map((t) => {
    let m = 1e-12;
    for (let i = 0; i < t.length; i++) m = Math.max(m, Math.abs(t[i]));
    return Float32Array.from(t, (v) => v / m);
  });
  const { canvas, width, height } = layout(normalised, side, cols, scale, Number.NaN);
  const png = new PNG({ width, height });
  for (let i = 0; i < canvas.length; i++) {
    const v = canvas[i];
    const rgb = Number.isNaN(v) ? [96, 96, 96] : v >= 0 ? [0, Math.round(255 * v), 0] : [Math.round(-255 * v), 0, 0];
    png.data[4 * i] = rgb[0];
    png.data[4 * i + 1] = rgb[1];
    png.data[4 * i + 2] = rgb[2];
    png.data[4 * i + 3] = 255;
  }
  const file = PNG.sync.write(png);
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}

/** Gray images (values in [0, 1], 1 = ink drawn white on black like MNIST) in a grid, as PNG. */
export function imageGridPng(images: ArrayLike<number>[], side = 28, cols = 10, scale = 2): Uint8Array {
  const { canvas, width, height } = layout(images, side, cols, scale, 0.35);
  return encodePng(canvas, width, height);
}

/** One picture of a captioned grid: 784 gray values in [0, 1] (1 = ink, drawn white on black) and its caption. */
export interface CaptionedImage {
  readonly pixels: ArrayLike<number>;
  readonly caption: string;
  /** Caption colour (default black). */
  readonly color?: string;
}

/** Escapes text for SVG. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Images with a caption under each, in rows of `cols`, as one SVG: each image is a PNG tile (encodePng)
 * embedded as a data URL, scaled `scale` times with crisp pixels. Vega-Lite's image mark would have to
 * load the tiles to lay them out, so this grid is written directly.
 */
export function captionedImagesSvg(title: string, images: readonly CaptionedImage[], side = 28, cols = 8, scale = 3): string {
  const tile = side * scale;
  const cellW = Math.max(tile, 96) + 8;
  const cellH = tile + 24;
  const width = cols * cellW + 8;
  const height = 30 + Math.ceil(images.length / cols) * cellH;
  const font = `font-family="sans-serif" font-size="11" text-anchor="middle"`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" font-family="sans-serif" font-size="14" font-weight="bold" text-anchor="middle">${escapeXml(title)}</text>`,
  ];
  images.forEach((im, i) => {
    const x = 8 + (i % cols) * cellW + (cellW - 8 - tile) / 2;
    const y = 30 + Math.floor(i / cols) * cellH;
    const png = Buffer.from(encodePng(Float32Array.from(im.pixels), side, side)).toString("base64");
    parts.push(`<image x="${x}" y="${y}" width="${tile}" height="${tile}" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`);
    parts.push(`<text x="${x + tile / 2}" y="${y + tile + 14}" ${font} fill="${im.color ?? "black"}">${escapeXml(im.caption)}</text>`);
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Renders a Vega-Lite spec to SVG text, without a browser. */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One point of a line chart: x, y and the series it belongs to. */
export interface SeriesPoint {
  x: number;
  y: number;
  series: string;
}

/** A vertical line across a chart at `x`, labelled at the top (e.g. a bound). */
export interface ChartRule {
  readonly x: number;
  readonly label: string;
}

/**
 * A line chart of several series (e.g. training accuracy per epoch for each label condition); `rules`
 * draws labelled vertical lines (e.g. the Welch bound's angles).
 */
export function lineChart(title: string, points: SeriesPoint[], xTitle: string, yTitle: string, opts: { logY?: boolean; rules?: readonly ChartRule[] } = {}): Promise<string> {
  const line = {
    mark: { type: "line" as const, point: points.length < 200 },
    encoding: {
      x: { field: "x", type: "quantitative" as const, title: xTitle },
      y: { field: "y", type: "quantitative" as const, title: yTitle, scale: opts.logY ? { type: "log" as const } : { zero: false } },
      color: { field: "series", type: "nominal" as const, title: null },
    },
  };
  const base = { $schema: SCHEMA, title, width: 420, height: 260 };
  if (!opts.rules?.length) return chartSvg({ ...base, data: { values: points }, ...line });
  const rules = { data: { values: [...opts.rules] }, encoding: { x: { field: "x", type: "quantitative" as const } } };
  return chartSvg({
    ...base,
    layer: [
      { data: { values: points }, ...line },
      { ...rules, mark: { type: "rule", color: "gray", strokeDash: [4, 3] } },
      { ...rules, mark: { type: "text", color: "gray", fontSize: 9, angle: 270, align: "right", baseline: "bottom", dx: -4, y: 0 }, encoding: { ...rules.encoding, text: { field: "label" } } },
    ],
  });
}

/** A bar chart of counts per category for several series side by side (e.g. histograms). */
export function barChart(title: string, points: { x: string; y: number; series: string }[], xTitle: string, yTitle: string): Promise<string> {
  return chartSvg({
    $schema: SCHEMA,
    title,
    width: 420,
    height: 240,
    data: { values: points },
    mark: "bar",
    encoding: {
      x: { field: "x", type: "ordinal", title: xTitle, sort: null },
      xOffset: { field: "series" },
      y: { field: "y", type: "quantitative", title: yTitle },
      color: { field: "series", type: "nominal", title: null },
    },
  });
}

/** Axis labels and colour range of {@link heatmapSvg}. */
export interface HeatmapAxes {
  /** A label per row (e.g. the tokens of a text), shown instead of the row index; need not be unique. */
  rows?: readonly string[];
  /** A label per column. */
  cols?: readonly string[];
  /** Fixed colour domain, e.g. [0, 1] for attention weights (default: the data's range). */
  domain?: [number, number];
  /** d3 number format of the cell labels, e.g. ".2f" (default: as the numbers are). */
  format?: string;
}

/**
 * A heat map of a matrix (rows top to bottom), with the value printed in each cell when `labels`.
 * `axes` puts names on the rows and columns (an attention pattern's tokens on both axes).
 */
export function heatmapSvg(title: string, matrix: number[][], rowTitle: string, colTitle: string, labels = true, axes: HeatmapAxes = {}): Promise<string> {
  // Labels may repeat (the same token twice), so cells are keyed by index and the axes show the labels.
  const axis = (names: readonly string[] | undefined, angle: number) => (names ? { axis: { labelAngle: angle, labelExpr: `${JSON.stringify(names)}[datum.value]` } } : {});
  const values = matrix.flatMap((row, r) => row.map((v, c) => ({ row: r, col: c, v })));
  return chartSvg({
    $schema: SCHEMA,
    title,
    data: { values },
    encoding: {
      x: { field: "col", type: "ordinal", title: colTitle, ...axis(axes.cols, -60) },
      y: { field: "row", type: "ordinal", title: rowTitle, ...axis(axes.rows, 0) },
    },
    layer: [
      { mark: "rect", encoding: { color: { field: "v", type: "quantitative", scale: { scheme: "blues", ...(axes.domain ? { domain: axes.domain } : {}) }, title: null } } },
      ...(labels ? [{ mark: { type: "text" as const, fontSize: 9 }, encoding: { text: { field: "v", type: "quantitative" as const, ...(axes.format ? { format: axes.format } : {}) } } }] : []),
    ],
    width: 360,
    height: 360,
  });
}

/** One panel of {@link heatmapPanelsSvg}: a matrix (rows top to bottom) under its own title. */
export interface HeatmapPanel {
  readonly title: string;
  readonly matrix: readonly (readonly number[])[];
}

/**
 * Several heat maps side by side (wrapping after `columns`), sharing one colour scale: diverging
 * red–white–blue centred on 0 when `diverging` (e.g. WᵀW), sequential blues otherwise (e.g. effects by
 * layer and position). Row and column labels default to their indices.
 */
export function heatmapPanelsSvg(
  title: string,
  panels: readonly HeatmapPanel[],
  opts: { rowTitle: string; colTitle: string; rowLabels?: readonly string[]; colLabels?: readonly string[]; diverging?: boolean; columns?: number; cell?: number },
): Promise<string> {
  const rows = panels[0]?.matrix.length ?? 0;
  const cols = panels[0]?.matrix[0]?.length ?? 0;
  const rowLabels = opts.rowLabels ?? Array.from({ length: rows }, (_, r) => String(r));
  const colLabels = opts.colLabels ?? Array.from({ length: cols }, (_, c) => String(c));
  const values = panels.flatMap((p) => p.matrix.flatMap((row, r) => row.map((v, c) => ({ panel: p.title, row: rowLabels[r], col: colLabels[c], v }))));
  const cell = opts.cell ?? Math.max(6, Math.min(24, Math.floor(240 / Math.max(rows, cols, 1))));
  const largest = values.reduce((m, d) => Math.max(m, Math.abs(d.v)), 1e-9);
  return chartSvg({
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { field: "panel", type: "nominal", title: null, sort: panels.map((p) => p.title) },
    columns: opts.columns ?? Math.min(panels.length, 4),
    spec: {
      width: cols * cell,
      height: rows * cell,
      mark: "rect",
      encoding: {
        x: { field: "col", type: "ordinal", title: opts.colTitle, sort: [...colLabels] },
        y: { field: "row", type: "ordinal", title: opts.rowTitle, sort: [...rowLabels] },
        color: {
          field: "v",
          type: "quantitative",
          title: null,
          scale: opts.diverging ? { scheme: "redblue", domain: [-largest, largest] } : { scheme: "blues" },
        },
      },
    },
  });
}
