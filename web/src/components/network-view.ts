// The network drawn the way lesson 1 draws it: a column of circles per layer, each circle as bright as
// its neuron's activation, faint edges coloured by the sign of their weight. A 784-pixel input is shown
// as its 28×28 image; columns of more than `maxShown` neurons show their two ends around a "⋮".

import "./network-view.css";
import { drawTile, tileColor } from "./tile.js";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Options of {@link NetworkView}. */
export interface NetworkViewOptions {
  /** Labels of the output neurons, drawn beside them (e.g. "0".."9"). */
  outputLabels?: string[];
  /** Most circles drawn per column (default 16). */
  maxShown?: number;
  /** Drawing height in pixels (default 420). */
  height?: number;
}

/** A neuron of the view: layer l (0 = input) and index j within it. */
export interface NeuronRef {
  layer: number;
  index: number;
}

interface Column {
  /** Which neuron each circle shows. */
  indices: number[];
  circles: SVGCircleElement[];
  x: number;
  ys: number[];
}

/** Columns of neurons, their activations and the edges between them. */
export class NetworkView {
  readonly element: HTMLElement;
  /** The 28×28 input picture when the input has 784 values, else null (the input is a column). */
  private readonly image: HTMLCanvasElement | null;
  private readonly svg: SVGSVGElement;
  private readonly columns: Column[] = [];
  private readonly edges = svg("g", { class: "edges" });
  private hoverListeners: ((n: NeuronRef | null) => void)[] = [];
  private highlighted: NeuronRef | null = null;

  constructor(readonly sizes: readonly number[], o: NetworkViewOptions = {}) {
    const maxShown = o.maxShown ?? 16;
    const height = o.height ?? 420;
    const imageInput = sizes[0] === 784;
    const gap = 130;
    const first = imageInput ? 1 : 0;
    const width = gap * (sizes.length - first) + (o.outputLabels ? 40 : 0);
    this.svg = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "network-svg" });
    this.svg.append(this.edges);
    this.image = imageInput ? document.createElement("canvas") : null;
    sizes.forEach((n, layer) => {
      if (layer < first) {
        this.columns.push({ indices: [], circles: [], x: 0, ys: [] });
        return;
      }
      // a long column: its first and last `half` neurons, a "⋮" between them
      const half = Math.floor(maxShown / 2);
      const cut = n > maxShown;
      const indices = cut ? [...[...Array(half).keys()], ...[...Array(half).keys()].map((i) => n - half + i)] : [...Array(n).keys()];
      const slots = indices.length + (cut ? 1 : 0);
      const step = Math.min(28, (height - 20) / slots);
      const r = Math.min(11, step * 0.4);
      const top = (height - step * slots) / 2 + step / 2;
      const x = gap * (layer - first) + 30;
      const ys = indices.map((_, k) => top + step * (cut && k >= half ? k + 1 : k));
      const circles = indices.map((j, k) => {
        const c = svg("circle", { cx: x, cy: ys[k], r, class: "neuron", "data-testid": `neuron-${layer}-${j}`, "data-layer": layer, "data-index": j });
        c.addEventListener("pointerenter", () => this.hover({ layer, index: j }));
        c.addEventListener("pointerleave", () => this.hover(null));
        this.svg.append(c);
        return c;
      });
      if (cut) this.svg.append(Object.assign(svg("text", { x, y: top + step * half + 5, class: "ellipsis" }), { textContent: "⋮" }));
      if (layer === sizes.length - 1 && o.outputLabels) {
        indices.forEach((j, k) => this.svg.append(Object.assign(svg("text", { x: x + r + 8, y: ys[k] + 5, class: "output-label" }), { textContent: o.outputLabels![j] ?? "" })));
      }
      this.columns.push({ indices, circles, x, ys });
    });
    this.element = document.createElement("div");
    this.element.className = "network-view";
    this.element.dataset.testid = "network-view";
    if (this.image) {
      this.image.className = "network-input";
      this.image.title = "the 784 inputs: the 28×28 picture the network reads";
      this.element.append(this.image);
    }
    this.element.append(this.svg);
    this.show(null);
  }

  /** Calls `fn` with the neuron under the pointer, and with null when the pointer leaves it. */
  onHover(fn: (n: NeuronRef | null) => void): void {
    this.hoverListeners.push(fn);
  }

  /**
   * Draws the edges between the circle columns from each layer's weights (`weights[l-1]` is layer l's
   * nₗ × nₗ₋₁ matrix): green positive, red negative, more opaque the larger the weight. Edges from a
   * 784-pixel picture are left out (12,544 lines would hide everything).
   */
  setWeights(weights: { weights: Float32Array; cols: number }[]): void {
    this.edges.replaceChildren();
    weights.forEach(({ weights: w, cols }, l) => {
      const from = this.columns[l];
      const to = this.columns[l + 1];
      if (!from.circles.length) return;
      let scale = 0;
      for (const v of w) scale = Math.max(scale, Math.abs(v));
      to.indices.forEach((j, a) =>
        from.indices.forEach((k, b) => {
          const v = w[j * cols + k];
          this.edges.append(
            svg("line", { x1: from.x, y1: from.ys[b], x2: to.x, y2: to.ys[a], class: `edge ${v >= 0 ? "pos" : "neg"}`, "data-to": `${l + 1}-${j}`, "stroke-opacity": (0.5 * Math.abs(v)) / (scale || 1) }),
          );
        }),
      );
    });
    this.markHighlight();
  }

  /**
   * Shows activations: `a[0]` the input, `a[l]` layer l. Circles are grey levels: 0 black, 1 white;
   * a layer with activations above 1 (ReLU) is scaled by its largest. null shows an empty network.
   */
  show(a: Float32Array[] | null): void {
    if (this.image) drawTile(this.image, a ? a[0] : new Float32Array(784), 28, 28, "ink");
    this.columns.forEach((col, l) => {
      const values = a?.[l];
      let top = 1;
      if (values) for (const j of col.indices) top = Math.max(top, values[j]);
      col.circles.forEach((c, k) => {
        const v = values ? values[col.indices[k]] : 0;
        const [r, g, b] = tileColor(v / top, "ink");
        c.setAttribute("fill", `rgb(${r},${g},${b})`);
        c.dataset.activation = values ? String(v) : "";
      });
    });
  }

  /** Marks one neuron (and its incoming edges), e.g. the one whose weights are shown; null clears. */
  highlight(n: NeuronRef | null): void {
    this.highlighted = n;
    this.markHighlight();
  }

  private markHighlight(): void {
    const n = this.highlighted;
    for (const col of this.columns) for (const c of col.circles) c.classList.toggle("highlighted", !!n && c.dataset.layer === String(n.layer) && c.dataset.index === String(n.index));
    const key = n ? `${n.layer}-${n.index}` : "";
    this.svg.classList.toggle("has-highlight", !!n);
    for (const e of this.edges.children) e.classList.toggle("incoming", (e as SVGElement).dataset.to === key);
  }

  private hover(n: NeuronRef | null): void {
    for (const fn of this.hoverListeners) fn(n);
  }
}
