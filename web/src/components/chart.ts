// Line charts on uPlot (small, fast, canvas-based: redrawing thousands of points per second while the
// network trains costs little). One x series, any number of y series, appended to live.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface LineChartOptions {
  title: string;
  xLabel: string;
  /** One entry per y series. */
  series: { label: string; color: string; scale?: "y" | "y2" }[];
  width?: number;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracies. */
  yRange?: [number, number];
  /** Logarithmic y axis (costs). */
  yLog?: boolean;
  /** A second y axis on the right (e.g. accuracy next to cost). */
  y2?: { label: string; range?: [number, number] };
  yLabel?: string;
}

/** A live line chart: `push(x, ...ys)` appends one point to every series; `set` replaces all data. */
export class LineChart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly data: number[][];
  private pending = false;

  constructor(o: LineChartOptions) {
    this.element = document.createElement("div");
    this.element.className = "chart";
    this.data = [[], ...o.series.map(() => [])];
    const scales: uPlot.Scales = { x: { time: false }, y: { distr: o.yLog ? 3 : 1, ...(o.yRange ? { range: o.yRange } : {}) } };
    if (o.y2) scales.y2 = { ...(o.y2.range ? { range: o.y2.range } : {}) };
    const axes: uPlot.Axis[] = [{ label: o.xLabel }, { label: o.yLabel ?? "", scale: "y" }];
    if (o.y2) axes.push({ label: o.y2.label, scale: "y2", side: 1, grid: { show: false } });
    this.plot = new uPlot(
      {
        title: o.title,
        width: o.width ?? 520,
        height: o.height ?? 260,
        scales,
        axes,
        series: [{ label: o.xLabel }, ...o.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.scale ?? "y", points: { show: false } }))],
        legend: { live: false },
      },
      this.data as uPlot.AlignedData,
      this.element,
    );
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
      this.plot.setData(this.data as uPlot.AlignedData);
    });
  }
}
