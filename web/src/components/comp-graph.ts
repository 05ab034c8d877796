// A computation graph in SVG (lesson 4's picture): boxes for quantities with their current values,
// arrows for "feeds into" labelled with the local derivative, and a marked path (the chain the chain
// rule multiplies along). Redrawn whole on every `draw`: the graphs are small.

import "./comp-graph.css";

const SVG = "http://www.w3.org/2000/svg";

export interface GraphNode {
  id: string;
  /** Grid position: column and row (multiplied by the graph's spacing). */
  col: number;
  row: number;
  label: string;
  value: string;
  marked?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The local derivative, e.g. "σ′(z) = 0.21". */
  label: string;
  marked?: boolean;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** "σ′ 0.15" → ["σ′", "0.15"]: a label's name and its number (the last word when it is one). */
function splitLabel(label: string): [string, string] {
  const i = label.lastIndexOf(" ");
  const tail = label.slice(i + 1);
  return i > 0 && /^[−-]?[\d.]+(e[−-]?\d+)?$/.test(tail) ? [label.slice(0, i), tail] : [label, ""];
}

/** An SVG computation graph laid out on a grid of `dx` × `dy` pixel cells. */
export class ComputationGraph {
  readonly element: SVGSVGElement;

  constructor(private readonly dx = 118, private readonly dy = 84, private readonly box = { w: 92, h: 40 }) {
    this.element = svg("svg", { class: "comp-graph" });
    this.element.append(this.markerDefs());
  }

  draw(nodes: GraphNode[], edges: GraphEdge[]): void {
    const at = new Map(nodes.map((n) => [n.id, { x: n.col * this.dx + this.dx / 2, y: n.row * this.dy + this.dy / 2 }]));
    const width = (Math.max(...nodes.map((n) => n.col)) + 1) * this.dx;
    const height = (Math.max(...nodes.map((n) => n.row)) + 1) * this.dy;
    this.element.replaceChildren(this.markerDefs());
    this.element.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.element.style.width = `${width}px`;
    for (const e of edges) {
      const a = at.get(e.from)!;
      const b = at.get(e.to)!;
      // from the edge of one box to the edge of the other, along the line between their centres
      const [x1, y1] = this.boxExit(a, b);
      const [x2, y2] = this.boxExit(b, a);
      this.element.append(svg("line", { x1, y1, x2, y2, class: e.marked ? "edge marked" : "edge", "marker-end": `url(#${e.marked ? "arrow-marked" : "arrow"})` }));
      if (!e.label) continue;
      const cls = e.marked ? "edge-label marked" : "edge-label";
      const horizontal = Math.abs(y2 - y1) < 1;
      // a horizontal edge: the derivative's name above the line and its value below, both clear of the
      // boxes and the arrowhead; a vertical one: beside the line
      const [name, value] = splitLabel(e.label);
      if (horizontal) {
        const x = (x1 + x2) / 2 - 3; // a little left of centre: the arrowhead takes the right end
        this.element.append(svg("text", { x, y: y1 - 8, class: cls, "text-anchor": "middle" }, name));
        if (value) this.element.append(svg("text", { x, y: y1 + 17, class: `${cls} value`, "text-anchor": "middle" }, value));
      } else {
        this.element.append(svg("text", { x: (x1 + x2) / 2 + 7, y: (y1 + y2) / 2 + 4, class: cls, "text-anchor": "start" }, e.label));
      }
    }
    for (const n of nodes) {
      const { x, y } = at.get(n.id)!;
      const g = svg("g", { class: n.marked ? "node marked" : "node", "data-node": n.id });
      g.append(
        svg("rect", { x: x - this.box.w / 2, y: y - this.box.h / 2, width: this.box.w, height: this.box.h, rx: 6 }),
        svg("text", { x, y: y - 4, "text-anchor": "middle", class: "node-label" }, n.label),
        svg("text", { x, y: y + 13, "text-anchor": "middle", class: "node-value" }, n.value),
      );
      this.element.append(g);
    }
  }

  /** Where the segment from box centre `a` towards `b` leaves a's box. */
  private boxExit(a: { x: number; y: number }, b: { x: number; y: number }): [number, number] {
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const t = Math.min(Math.abs(dx) > 0 ? this.box.w / 2 / Math.abs(dx) : Infinity, Math.abs(dy) > 0 ? this.box.h / 2 / Math.abs(dy) : Infinity);
    return [a.x + dx * t, a.y + dy * t];
  }

  private markerDefs(): SVGDefsElement {
    const defs = svg("defs", {});
    for (const id of ["arrow", "arrow-marked"]) {
      const m = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      m.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: id }));
      defs.append(m);
    }
    return defs;
  }
}
