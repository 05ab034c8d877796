// Small drawn pictures for the home page's lesson cards, one per lesson number (SVG, no data needed):
// each shows the lesson's central picture in the lab's colours. A lesson without one gets a plain frame.

const SVG = "http://www.w3.org/2000/svg";
const W = 240;
const H = 120;

function node<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A deterministic pseudo-random sequence in [0, 1) (the pictures stay the same on every load). */
function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

type Draw = (g: SVGGElement) => void;

/** Lesson 1: a picture of pixels, two hidden columns and ten outputs, one of them lit. */
const network: Draw = (g) => {
  const r = rand(7);
  // a hand-drawn "3", 7 × 7 pixels
  const three = ["0111110", "0000011", "0000011", "0011110", "0000011", "0000011", "0111110"];
  three.forEach((row, i) => [...row].forEach((p, j) => g.append(node("rect", { x: 14 + j * 8, y: 32 + i * 8, width: 7.4, height: 7.4, fill: p === "1" ? "var(--fg)" : "#e3e7ee" }))));
  const cols = [{ x: 110, n: 6 }, { x: 160, n: 6 }, { x: 210, n: 5 }];
  const ys = (n: number) => Array.from({ length: n }, (_, k) => 60 + (k - (n - 1) / 2) * 17);
  for (let c = 0; c < cols.length - 1; c++) for (const y1 of ys(cols[c].n)) for (const y2 of ys(cols[c + 1].n)) {
    g.append(node("line", { x1: cols[c].x, y1, x2: cols[c + 1].x, y2, stroke: r() < 0.5 ? "var(--pos)" : "var(--neg)", "stroke-opacity": 0.15 + 0.35 * r(), "stroke-width": 1 }));
  }
  for (const y of ys(6)) g.append(node("line", { x1: 72, y1: 60, x2: 110, y2: y, stroke: "var(--line-strong)", "stroke-width": 1 }));
  cols.forEach(({ x, n }, c) => ys(n).forEach((y, k) => {
    const lit = c === 2 ? (k === 3 ? 1 : 0.08) : r();
    g.append(node("circle", { cx: x, cy: y, r: 6.5, fill: `rgba(31, 95, 214, ${lit.toFixed(2)})`, stroke: "var(--accent)", "stroke-width": 1 }));
  }));
};

/** Lesson 2: contour lines of a cost valley and a descent path settling in it. */
const descent: Draw = (g) => {
  for (let k = 1; k <= 5; k++) g.append(node("ellipse", { cx: 150, cy: 64, rx: 18 * k, ry: 8 * k, fill: "none", stroke: "var(--line-strong)", "stroke-width": 1 }));
  const path = [[40, 20], [70, 100], [96, 34], [118, 86], [134, 50], [144, 72], [148, 60], [150, 65]];
  g.append(node("polyline", { points: path.map((p) => p.join(",")).join(" "), fill: "none", stroke: "var(--accent)", "stroke-width": 2, "stroke-linejoin": "round" }));
  path.forEach(([x, y], i) => g.append(node("circle", { cx: x, cy: y, r: i === 0 ? 4.5 : 3, fill: i === 0 ? "var(--panel)" : "var(--accent)", stroke: "var(--accent)", "stroke-width": 1.5 })));
};

/** Lesson 3: ten outputs, the right one asked up, the others down. */
const nudges: Draw = (g) => {
  const values = [0.2, 0.1, 0.5, 0.15, 0.3, 0.1, 0.25, 0.6, 0.2, 0.1];
  values.forEach((v, i) => {
    const x = 24 + i * 20;
    const h = 70 * v;
    g.append(node("rect", { x, y: 96 - h, width: 12, height: h, rx: 2, fill: i === 2 ? "var(--accent)" : "#c3cad6" }));
    const up = i === 2;
    const y0 = up ? 92 - h - 6 : 96 - h - 4;
    const y1 = up ? y0 - 18 : y0 + 0;
    const len = up ? 18 : 6 + 14 * v;
    g.append(node("line", { x1: x + 6, y1: up ? y0 : 96 - h - len - 6, x2: x + 6, y2: up ? y1 : 96 - h - 6, stroke: up ? "var(--pos)" : "var(--neg)", "stroke-width": 2 }));
    g.append(node("path", { d: up ? `M${x + 2},${y1 + 4} L${x + 6},${y1 - 1} L${x + 10},${y1 + 4}` : `M${x + 2},${96 - h - 10} L${x + 6},${96 - h - 5} L${x + 10},${96 - h - 10}`, fill: "none", stroke: up ? "var(--pos)" : "var(--neg)", "stroke-width": 2 }));
    g.append(node("text", { x: x + 6, y: 112, "text-anchor": "middle", "font-size": 10, fill: "var(--muted)" }, String(i)));
  });
};

/** Lesson 4: the chain w → z → a → C with its derivatives. */
const chain: Draw = (g) => {
  const boxes = [["w⁽ᴸ⁾", 30], ["z⁽ᴸ⁾", 90], ["a⁽ᴸ⁾", 150], ["C", 210]] as const;
  boxes.forEach(([label, x], i) => {
    g.append(node("rect", { x: x - 20, y: 44, width: 40, height: 28, rx: 6, fill: i === 3 ? "var(--accent-soft)" : "var(--panel)", stroke: i === 3 ? "var(--accent)" : "var(--line-strong)" }));
    g.append(node("text", { x, y: 63, "text-anchor": "middle", "font-size": 13, "font-weight": 600, fill: "var(--fg)" }, label));
    if (i < 3) {
      g.append(node("line", { x1: x + 22, y1: 58, x2: x + 36, y2: 58, stroke: "var(--accent)", "stroke-width": 1.5 }));
      g.append(node("path", { d: `M${x + 34},54 L${x + 39},58 L${x + 34},62`, fill: "none", stroke: "var(--accent)", "stroke-width": 1.5 }));
    }
  });
  const labels = ["∂z/∂w", "∂a/∂z", "∂C/∂a"];
  labels.forEach((t, i) => g.append(node("text", { x: 60 + i * 60, y: 94, "text-anchor": "middle", "font-size": 11, fill: "var(--muted)", "font-style": "italic" }, t)));
};

/** Lesson 5: tokens, and the next token's probabilities. */
const tokens: Draw = (g) => {
  let x = 16;
  for (const t of ["To", " be", " or", " not", " to"]) {
    const w = 12 + t.length * 8;
    g.append(node("rect", { x, y: 22, width: w, height: 24, rx: 5, fill: "var(--accent-soft)", stroke: "var(--accent)", "stroke-opacity": 0.4 }));
    g.append(node("text", { x: x + w / 2, y: 38, "text-anchor": "middle", "font-size": 12, fill: "var(--fg)" }, t.trim()));
    x += w + 5;
  }
  [0.62, 0.2, 0.1, 0.05, 0.03].forEach((p, i) => {
    g.append(node("rect", { x: 16, y: 58 + i * 11, width: 200 * p, height: 8, rx: 2, fill: i === 0 ? "var(--accent)" : "#c3cad6" }));
  });
};

/** Lesson 6: an attention pattern, each token looking back at the earlier ones. */
const attention: Draw = (g) => {
  const r = rand(3);
  const n = 8;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    const w = j === i - 1 || j === 0 ? 0.35 + 0.5 * r() : 0.08 + 0.25 * r();
    g.append(node("rect", { x: 72 + j * 12, y: 12 + i * 12, width: 11, height: 11, fill: `rgba(31, 95, 214, ${w.toFixed(2)})` }));
  }
};

/** Lesson 7: a vector through an MLP block: up, a nonlinearity, down. */
const facts: Draw = (g) => {
  const col = (x: number, n: number, lit: number[]) => {
    for (let k = 0; k < n; k++) g.append(node("rect", { x, y: 60 - (n * 9) / 2 + k * 9, width: 14, height: 8, rx: 1.5, fill: lit.includes(k) ? "var(--accent)" : "#dfe3ea" }));
  };
  col(30, 6, [1]);
  g.append(node("path", { d: "M56,36 L96,14 L96,106 L56,84 Z", fill: "var(--accent-soft)", stroke: "var(--line-strong)" }));
  col(112, 11, [3, 7]);
  g.append(node("path", { d: "M144,14 L184,36 L184,84 L144,106 Z", fill: "var(--accent-soft)", stroke: "var(--line-strong)" }));
  col(200, 6, [1, 4]);
};

const PICTURES: Record<number, Draw> = { 1: network, 2: descent, 3: nudges, 4: chain, 5: tokens, 6: attention, 7: facts };

/** The thumbnail of lesson `number` (an empty frame when it has no picture yet). */
export function lessonThumbnail(number: number): SVGSVGElement {
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "thumb", "aria-hidden": "true" });
  const g = node("g", {});
  PICTURES[number]?.(g);
  svg.append(g);
  return svg;
}

/** "Beyond the series": a filter's window on a digit, the feature maps it makes, then smaller maps of maps. */
export function beyondThumbnail(): SVGSVGElement {
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, class: "thumb", "aria-hidden": "true" });
  const three = ["0111110", "0000011", "0000011", "0011110", "0000011", "0000011", "0111110"];
  three.forEach((row, i) => [...row].forEach((p, j) => svg.append(node("rect", { x: 14 + j * 8, y: 32 + i * 8, width: 7.4, height: 7.4, fill: p === "1" ? "var(--fg)" : "#e3e7ee" }))));
  svg.append(node("rect", { x: 37, y: 55, width: 24, height: 24, fill: "none", stroke: "var(--accent)", "stroke-width": 2, rx: 2 }));
  // stacks of maps: each map a square, the stack fanned out behind it
  const stack = (x: number, y: number, size: number, count: number, lit: number) => {
    for (let k = count - 1; k >= 0; k--) {
      svg.append(node("rect", { x: x + k * 6, y: y - k * 6, width: size, height: size, rx: 2, fill: k === 0 ? "var(--accent-soft)" : "var(--panel)", stroke: "var(--line-strong)" }));
    }
    svg.append(node("rect", { x: x + size * 0.3, y: y + size * 0.45, width: size * lit, height: size * lit, fill: "var(--accent)", "fill-opacity": 0.7 }));
  };
  svg.append(node("line", { x1: 61, y1: 67, x2: 98, y2: 72, stroke: "var(--accent)", "stroke-width": 1.2 }));
  stack(98, 50, 36, 4, 0.25);
  svg.append(node("line", { x1: 134, y1: 70, x2: 160, y2: 66, stroke: "var(--line-strong)", "stroke-width": 1.2 }));
  stack(160, 54, 22, 5, 0.3);
  for (let d = 0; d < 10; d++) svg.append(node("circle", { cx: 224, cy: 20 + d * 9, r: 3.2, fill: d === 3 ? "var(--accent)" : "#dfe3ea" }));
  return svg;
}
