// The network drawn the way lesson 1 draws it: a column of circles per layer, each circle as bright as
// its neuron's activation, faint edges coloured by the sign of their weight. A 784-pixel input is shown
// as its 28×28 image, with faint lines fanning out to layer 1; columns of more than `maxShown` neurons show
// their two ends around a "⋮". Each column is labelled with its size (784 / 16 / 16 / 10).

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
  /** Lines from the input picture to layer 1 (one per drawn neuron: 12,544 edges would hide everything). */
  private readonly fans = svg("g", { class: "fans" });
  private hoverListeners: ((n: NeuronRef | null) => void)[] = [];
  private highlighted: NeuronRef | null = null;
  /** The outline of the input picture (marked when a first-layer neuron is: all 784 pixels feed it). */
  private frame: SVGRectElement | null = null;

  constructor(readonly sizes: readonly number[], o: NetworkViewOptions = {}) {
    const maxShown = o.maxShown ?? 16;
    const height = o.height ?? 420;
    const imageInput = sizes[0] === 784;
    const first = imageInput ? 1 : 0;
    // geometry, in one coordinate system: the input picture (when there is one), then evenly spaced columns
    const gap = 120;
    const pad = 16;
    const labelBand = 34; // below the columns: each layer's name and size
    const stage = height - labelBand;
    const image = imageInput ? 150 : 0;
    const firstX = imageInput ? pad + image + 0.6 * gap : pad + 14;
    const lastX = firstX + gap * (sizes.length - 1 - first);
    const width = Math.round(lastX + 14 + (o.outputLabels ? 30 : pad));
    this.svg = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "network-svg", role: "img", "aria-label": `a ${sizes.join("-")} network` });
    this.svg.style.width = `${width}px`;
    this.svg.append(this.fans, this.edges);
    this.image = imageInput ? document.createElement("canvas") : null;
    const label = (x: number, l: number) => {
      const name = l === 0 ? "input" : l === sizes.length - 1 ? "output" : `hidden ${l}`;
      const t = svg("text", { x, y: stage + 14, class: "layer-label" });
      t.append(Object.assign(svg("tspan", { class: "layer-size" }), { textContent: String(sizes[l]) }), Object.assign(svg("tspan", { x, dy: 15 }), { textContent: name }));
      this.svg.append(t);
    };
    if (this.image) {
      // the picture inside the drawing, so that it scales with it; faint lines fan out from it to layer 1
      const top = (stage - image) / 2;
      const holder = svg("foreignObject", { x: pad, y: top, width: image, height: image });
      this.image.className = "network-input";
      this.image.title = "the 784 inputs: the 28×28 picture the network reads";
      holder.append(this.image);
      this.svg.append(holder);
      this.frame = svg("rect", { x: pad, y: top, width: image, height: image, class: "input-frame" });
      this.svg.append(this.frame);
      label(pad + image / 2, 0);
    }
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
      const step = Math.min(24, (stage - 16) / slots);
      const r = Math.min(9.5, step * 0.4);
      const top = (stage - step * slots) / 2 + step / 2;
      const x = firstX + gap * (layer - first);
      const ys = indices.map((_, k) => top + step * (cut && k >= half ? k + 1 : k));
      if (layer === first && this.image) {
        for (const [k, y] of ys.entries()) this.fans.append(svg("line", { x1: pad + image, y1: (stage - image) / 2 + (image * (k + 0.5)) / ys.length, x2: x, y2: y, class: "fan", "data-to": `${layer}-${indices[k]}` }));
      }
      const circles = indices.map((j, k) => {
        const c = svg("circle", { cx: x, cy: ys[k], r, class: "neuron", "data-testid": `neuron-${layer}-${j}`, "data-layer": layer, "data-index": j });
        c.addEventListener("pointerenter", () => this.hover({ layer, index: j }));
        c.addEventListener("pointerleave", () => this.hover(null));
        this.svg.append(c);
        return c;
      });
      if (cut) this.svg.append(Object.assign(svg("text", { x, y: top + step * half + 5, class: "ellipsis" }), { textContent: "⋮" }));
      if (layer === sizes.length - 1 && o.outputLabels) {
        indices.forEach((j, k) => this.svg.append(Object.assign(svg("text", { x: x + r + 7, y: ys[k] + 5, class: "output-label" }), { textContent: o.outputLabels![j] ?? "" })));
      }
      label(x, layer);
      this.columns.push({ indices, circles, x, ys });
    });
    this.element = document.createElement("div");
    this.element.className = "network-view";
    this.element.dataset.testid = "network-view";
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
    // fade the other edges only around a neuron that has incoming edges to show
    let incoming = 0;
    for (const e of [...this.fans.children, ...this.edges.children]) {
      const on = (e as SVGElement).dataset.to === key;
      e.classList.toggle("incoming", on);
      if (on) incoming++;
    }
    this.svg.classList.toggle("has-highlight", incoming > 0);
    this.frame?.classList.toggle("marked", n?.layer === 1);
  }

  private hover(n: NeuronRef | null): void {
    for (const fn of this.hoverListeners) fn(n);
  }
}
