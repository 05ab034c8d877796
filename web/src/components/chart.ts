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
  /** One entry per y series; `color` a CSS colour or a custom property ("--pos"); default: the palette in order. */
  series: { label: string; color?: string; scale?: "y" | "y2"; dash?: number[] }[];
  /** Largest width in CSS pixels (default 540); narrower when its container is. */
  width?: number;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracies. */
  yRange?: [number, number];
  /** Logarithmic y axis (costs). */
  yLog?: boolean;
  /** Logarithmic x axis (early learning: images seen). */
  xLog?: boolean;
  /** The x range drawn before there is data (default [0, 1]; for a log axis [1, 10]). */
  xEmpty?: [number, number];
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
    const xRange: uPlot.Range.Function = (_u, min, max) => (isEmpty() || min == null ? xEmpty : o.xLog ? uPlot.rangeLog(min, max, 10, true) : min === max ? [min - 1, max + 1] : [min, max]);
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
    const axes: uPlot.Axis[] = [
      { ...axisStyle, label: o.xLabel, labelSize: 20, ...(o.xFormat ? { values: (_u: uPlot, vs: number[]) => vs.map((v) => (v == null ? "" : o.xFormat!(v))) } : {}) },
      { ...axisStyle, label: o.yLabel ?? "", labelSize: o.yLabel ? 20 : 8, scale: "y", size: 44 },
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
          ...o.series.map((s, i) => ({ label: s.label, stroke: colour(s.color ?? palette[i % palette.length]), width: 2, scale: s.scale ?? "y", points: { show: false }, ...(s.dash ? { dash: s.dash } : {}) })),
        ],
        // a legend that only repeats the title says nothing: one series, no legend
        legend: { show: o.series.length > 1, live: false },
        hooks: {
          // how many axes had a range on the last draw (a test checks that no chart starts without axes)
          draw: [(u) => (this.element.dataset.axes = String(u.axes.filter((a) => a.show !== false && u.scales[a.scale ?? "x"]?.min != null).length))],
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
      this.plot.setData(this.data as uPlot.AlignedData);
    });
  }
}
