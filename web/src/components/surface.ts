// Cost surfaces on a canvas: a function of one variable as a curve, or of two as a heat map, each with a
// path of points drawn over it (gradient descent's steps). Pictures rather than charts: the path wanders
// back and forth in x, which a line chart of y against sorted x cannot show. Axes in the charts' style.

import { canvasFont, cssVar } from "../theme.js";

/** The drawn window in data coordinates: x range, and y range (for a curve: the value range). */
export interface PlotWindow {
  x: [number, number];
  y: [number, number];
}

/** Room around the plot for the axis labels: left (value ticks), and every other side. */
const LEFT = 48;
const PAD = 30;

function setup(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  // shrinks with a narrow screen, keeping its proportions
  canvas.style.width = `${width}px`;
  canvas.style.maxWidth = "100%";
  canvas.style.height = "auto";
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/** Maps data coordinates to canvas pixels inside the padding (y up). */
function mapper(w: PlotWindow, width: number, height: number): (x: number, y: number) => [number, number] {
  return (x, y) => [LEFT + ((x - w.x[0]) / (w.x[1] - w.x[0])) * (width - LEFT - PAD), height - PAD - ((y - w.y[0]) / (w.y[1] - w.y[0])) * (height - 2 * PAD)];
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10ⁿ). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** The frame, grid lines and round-numbered ticks on both axes, and the axis names (colours from style.css). */
function axes(ctx: CanvasRenderingContext2D, w: PlotWindow, width: number, height: number, labels: [string, string], grid = true): void {
  const at = mapper(w, width, height);
  ctx.lineWidth = 1;
  ctx.font = canvasFont(11);
  ctx.fillStyle = cssVar("--muted", "#556070");
  ctx.textAlign = "center";
  for (const x of niceTicks(w.x[0], w.x[1], Math.max(3, Math.round((width - LEFT - PAD) / 70)))) {
    const [px] = at(x, w.y[0]);
    if (grid) line(ctx, px, PAD, px, height - PAD, cssVar("--line", "#e1e5ec"));
    line(ctx, px, height - PAD, px, height - PAD + 4, cssVar("--line-strong", "#c3cad6"));
    ctx.fillText(fmtTick(x), px, height - PAD + 15);
  }
  ctx.textAlign = "right";
  for (const y of niceTicks(w.y[0], w.y[1], 4)) {
    const [, py] = at(w.x[0], y);
    if (grid) line(ctx, LEFT, py, width - PAD, py, cssVar("--line", "#e1e5ec"));
    ctx.fillText(fmtTick(y), LEFT - 6, py + 4);
  }
  ctx.strokeStyle = cssVar("--line-strong", "#c3cad6");
  ctx.strokeRect(LEFT + 0.5, PAD + 0.5, width - LEFT - PAD - 1, height - 2 * PAD - 1);
  ctx.font = canvasFont(12, 600);
  ctx.textAlign = "center";
  ctx.fillText(labels[0], (LEFT + width - PAD) / 2, height - 2);
  ctx.save();
  ctx.translate(11, (PAD + height - PAD) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(labels[1], 0, 0);
  ctx.restore();
}

function line(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number, colour: string): void {
  ctx.strokeStyle = colour;
  ctx.beginPath();
  ctx.moveTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
  ctx.lineTo(Math.round(x2) + 0.5, Math.round(y2) + 0.5);
  ctx.stroke();
}

const fmtTick = (v: number) => String(Number(v.toPrecision(3)));

/** The path: a line through the points with a dot on each, the start hollow and the end filled larger. */
function drawPath(ctx: CanvasRenderingContext2D, points: [number, number][], width: number, height: number): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(LEFT, PAD, width - LEFT - PAD, height - 2 * PAD);
  ctx.clip();
  ctx.strokeStyle = cssVar("--neg", "#c23a2e");
  ctx.fillStyle = cssVar("--neg", "#c23a2e");
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.stroke();
  points.forEach(([x, y], i) => {
    ctx.beginPath();
    ctx.arc(x, y, i === points.length - 1 ? 4.5 : 2.5, 0, 2 * Math.PI);
    if (i === 0) ctx.stroke();
    else ctx.fill();
  });
  ctx.restore();
}

/**
 * A curve f(x) through (xs[i], values[i]) and a path whose k-th point is (pathX[k], pathY[k]). The y
 * range is the curve's own; path points outside the window are clipped.
 */
export function drawCurve(canvas: HTMLCanvasElement, xs: ArrayLike<number>, values: ArrayLike<number>, pathX: ArrayLike<number>, pathY: ArrayLike<number>, o: { width?: number; height?: number; labels?: [string, string] } = {}): void {
  const width = o.width ?? 380;
  const height = o.height ?? 240;
  const ctx = setup(canvas, width, height);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const margin = (hi - lo) * 0.05 || 1;
  const w: PlotWindow = { x: [xs[0], xs[xs.length - 1]], y: [lo - margin, hi + margin] };
  const at = mapper(w, width, height);
  axes(ctx, w, width, height, o.labels ?? ["x", "cost"]);
  ctx.strokeStyle = cssVar("--accent", "#1f5fd6");
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i < xs.length; i++) {
    const [px, py] = at(xs[i], values[i]);
    if (i) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
  }
  ctx.stroke();
  drawPath(ctx, Array.from({ length: pathX.length }, (_, k) => at(pathX[k], pathY[k])), width, height);
}

// viridis at five stops, interpolated: low values dark blue, high yellow
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour of t ∈ [0, 1] on the viridis scale (clamped). */
export function viridis(t: number): [number, number, number] {
  const s = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(s));
  const f = s - i;
  return [0, 1, 2].map((c) => Math.round(VIRIDIS[i][c] + f * (VIRIDIS[i + 1][c] - VIRIDIS[i][c]))) as [number, number, number];
}

/**
 * A heat map of values[j·xs.length + i] = f(xs[i], ys[j]) on a logarithmic colour scale (valleys show
 * their shape), with a path whose k-th point is (pathX[k], pathY[k]).
 */
export function drawHeatmap(canvas: HTMLCanvasElement, xs: ArrayLike<number>, ys: ArrayLike<number>, values: ArrayLike<number>, pathX: ArrayLike<number>, pathY: ArrayLike<number>, o: { width?: number; height?: number; labels?: [string, string] } = {}): void {
  const width = o.width ?? 380;
  const height = o.height ?? 240;
  const ctx = setup(canvas, width, height);
  const nx = xs.length;
  const ny = ys.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const level = (v: number) => Math.log1p(v - lo) / Math.log1p(hi - lo || 1);
  const img = new ImageData(nx, ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const [r, g, b] = viridis(level(values[j * nx + i]));
      const k = 4 * ((ny - 1 - j) * nx + i); // row 0 of the image is the top: the largest y
      img.data[k] = r;
      img.data[k + 1] = g;
      img.data[k + 2] = b;
      img.data[k + 3] = 255;
    }
  }
  const bitmap = document.createElement("canvas");
  bitmap.width = nx;
  bitmap.height = ny;
  bitmap.getContext("2d")!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(bitmap, LEFT, PAD, width - LEFT - PAD, height - 2 * PAD);
  const w: PlotWindow = { x: [xs[0], xs[nx - 1]], y: [ys[0], ys[ny - 1]] };
  axes(ctx, w, width, height, o.labels ?? ["x", "y"], false);
  const at = mapper(w, width, height);
  drawPath(ctx, Array.from({ length: pathX.length }, (_, k) => at(pathX[k], pathY[k])), width, height);
}
