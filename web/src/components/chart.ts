// Line charts on uPlot (small, fast, canvas-based: redrawing thousands of points per second while the
// network trains costs little). One x series, any number of y series, appended to live. The lab's one
// chart style lives here: colours and fonts from style.css (theme.ts), axes drawn from the first frame
// (empty charts show their ranges and a placeholder line), a legend only when there is more than one series,
// and the width follows the container (phones included).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { canvasFont, cssVar, seriesColors } from "../theme.js";

export interface LineChartOptions {
  title: string;
  xLabel: string;
  /**
   * One entry per y series; `color` a CSS colour or a custom property ("--pos"); default: the palette in
   * order. `step`: drawn as steps, each value held until the next x (a histogram's bins from their left edge).
   */
  series: { label: string; color?: string; scale?: "y" | "y2"; dash?: number[]; step?: boolean }[];
  /** Largest width in CSS pixels (default 540); narrower when its container is. */
  width?: number;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracies. */
  yRange?: [number, number];
  /** Logarithmic y axis (costs). */
  yLog?: boolean;
  /** Logarithmic x axis (early learning: images seen). */
  xLog?: boolean;
  /** The x range drawn before there is data, and always at least covered (default [0, 1]; log axis [1, 10]). */
  xEmpty?: [number, number];
  /** Dashed vertical lines with a label at the top, e.g. epoch boundaries: { x: 60000, label: "1 epoch" }. */
  xMarks?: { x: number; label: string }[];
  /** The y range drawn before there is data (default yRange, else [0, 1]; for a log axis [0.01, 1]). */
  yEmpty?: [number, number];
  /** A second y axis on the right (e.g. accuracy next to cost). */
  y2?: { label: string; range?: [number, number] };
  yLabel?: string;
  /** Shown over the empty plot until the first point: what will appear and how. */
  placeholder?: string;
  /** Formats x tick values (e.g. thousands). */
  xFormat?: (v: number) => string;
}

/** A colour option: a CSS custom property's value, or the colour itself. */
const colour = (c: string) => (c.startsWith("--") ? cssVar(c) : c);

/** Dashed vertical marks with labels inside the plot area (those outside the x range are left out). */
function drawMarks(u: uPlot, marks: { x: number; label: string }[]): void {
  const ctx = u.ctx;
  const { left, top, height } = u.bbox;
  ctx.save();
  ctx.strokeStyle = cssVar("--line-strong", "#c3cad6");
  ctx.fillStyle = cssVar("--muted", "#556070");
  ctx.lineWidth = devicePixelRatio;
  ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.font = canvasFont(11 * devicePixelRatio);
  ctx.textAlign = "right";
  for (const m of marks) {
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    if (min == null || max == null || m.x < min || m.x > max) continue;
    const x = Math.round(u.valToPos(m.x, "x", true));
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    if (x - left > 40 * devicePixelRatio) ctx.fillText(m.label, x - 4 * devicePixelRatio, top + 12 * devicePixelRatio);
  }
  ctx.restore();
}

/** A live line chart: `push(x, ...ys)` appends one point to every series; `set` replaces all data. */
export class LineChart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly data: number[][];
  private readonly placeholder: HTMLElement | null;
  private pending = false;

  constructor(o: LineChartOptions) {
    this.element = document.createElement("div");
    this.element.className = "chart";
    this.element.dataset.testid = "chart";
    const maxWidth = o.width ?? 540;
    const height = o.height ?? 260;
    this.element.style.setProperty("--chart-width", `${maxWidth}px`);
    this.data = [[], ...o.series.map(() => [])];
    const palette = seriesColors();
    const xEmpty = o.xEmpty ?? (o.xLog ? [1, 10] : [0, 1]);
    const yEmpty = o.yEmpty ?? o.yRange ?? (o.yLog ? [0.01, 1] : [0, 1]);
    const isEmpty = () => this.data[0].length === 0;
    // ranges: the fixed one, else uPlot's from the data, else the empty chart's (so axes show from the start)
    // x: the data's range, never less than xEmpty (a curve that starts grows into a fixed frame)
    const xRange: uPlot.Range.Function = (_u, min, max) => {
      if (isEmpty() || min == null) return xEmpty;
      const lo = Math.min(min, xEmpty[0]);
      const hi = Math.max(max, xEmpty[1]);
      return o.xLog ? uPlot.rangeLog(lo, hi, 10, true) : [lo, hi];
    };
    const yRange: uPlot.Range.Function = (_u, min, max) =>
      o.yRange ?? (isEmpty() || min == null ? yEmpty : o.yLog ? uPlot.rangeLog(min, max, 10, true) : uPlot.rangeNum(min, max, 0.1, true));
    const scales: uPlot.Scales = { x: { time: false, distr: o.xLog ? 3 : 1, range: xRange }, y: { distr: o.yLog ? 3 : 1, range: yRange } };
    if (o.y2) scales.y2 = { range: o.y2.range ?? [0, 1] };
    const axisStyle = {
      stroke: cssVar("--muted", "#556070"),
      font: canvasFont(11),
      labelFont: canvasFont(12, 600),
      grid: { stroke: cssVar("--line", "#e1e5ec"), width: 1 },
      ticks: { stroke: cssVar("--line-strong", "#c3cad6"), width: 1, size: 4 },
    };
    // a log axis: grid lines, ticks and numbers at the powers of ten only (the 2…9 lines crowd the plot)
    const decades = (_u: uPlot, splits: number[]) => splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null));
    const logAxis = { filter: decades, grid: { ...axisStyle.grid, filter: decades }, ticks: { ...axisStyle.ticks, filter: decades } };
    const axes: uPlot.Axis[] = [
      { ...axisStyle, label: o.xLabel, labelSize: 20, ...(o.xLog ? logAxis : {}), ...(o.xFormat ? { values: (_u: uPlot, vs: number[]) => vs.map((v) => (v == null ? "" : o.xFormat!(v))) } : {}) },
      { ...axisStyle, label: o.yLabel ?? "", labelSize: o.yLabel ? 20 : 8, scale: "y", size: 44, ...(o.yLog ? logAxis : {}) },
    ];
    if (o.y2) axes.push({ ...axisStyle, label: o.y2.label, scale: "y2", side: 1, grid: { show: false } });
    this.plot = new uPlot(
      {
        title: o.title,
        width: maxWidth,
        height,
        scales,
        axes,
        cursor: { show: false },
        series: [
          { label: o.xLabel },
          ...o.series.map((s, i) => ({ label: s.label, stroke: colour(s.color ?? palette[i % palette.length]), width: 2, scale: s.scale ?? "y", points: { show: false }, ...(s.dash ? { dash: s.dash } : {}), ...(s.step ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}) })),
        ],
        // a legend that only repeats the title says nothing: one series, no legend
        legend: { show: o.series.length > 1, live: false },
        hooks: {
          draw: [
            (u) => {
              if (o.xMarks) drawMarks(u, o.xMarks);
              // how many axes had a range on the last draw (a test checks that no chart starts without axes)
              this.element.dataset.axes = String(u.axes.filter((a) => a.show !== false && u.scales[a.scale ?? "x"]?.min != null).length);
            },
          ],
        },
      },
      this.data as uPlot.AlignedData,
      this.element,
    );
    this.placeholder = o.placeholder ? Object.assign(document.createElement("div"), { className: "chart-placeholder", textContent: o.placeholder }) : null;
    if (this.placeholder) this.element.append(this.placeholder);
    // follow the container's width (the chart never overflows a phone's screen)
    new ResizeObserver(() => {
      const width = Math.min(maxWidth, Math.floor(this.element.clientWidth));
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height });
    }).observe(this.element);
  }

  /** Appends one x and one value per series (NaN leaves a gap); redraws once per animation frame. */
  push(x: number, ...ys: number[]): void {
    this.data[0].push(x);
    for (let i = 1; i < this.data.length; i++) this.data[i].push(ys[i - 1] ?? NaN);
    this.redraw();
  }

  /** Replaces every series: `columns[0]` is x. */
  set(columns: number[][]): void {
    for (let i = 0; i < this.data.length; i++) this.data[i] = [...(columns[i] ?? [])];
    this.redraw();
  }

  clear(): void {
    this.set(this.data.map(() => []));
  }

  /** The data as drawn (x first), for tests and readouts. */
  get columns(): readonly (readonly number[])[] {
    return this.data;
  }

  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (this.placeholder) this.placeholder.hidden = this.data[0].length > 0;
      this.element.dataset.points = String(this.data[0].length);
      this.plot.setData(this.data as uPlot.AlignedData);
    });
  }
}
