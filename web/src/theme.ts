// The stylesheet's colours and fonts for code that paints on canvas (charts, surfaces): style.css's
// custom properties are the one source; this reads them, so a colour changes in one place.

/** The value of a CSS custom property on :root, e.g. cssVar("--accent"); `fallback` before styles load. */
export function cssVar(name: string, fallback = "#000"): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** The chart palette, in series order (--series-1 … --series-4). */
export function seriesColors(): string[] {
  return [1, 2, 3, 4].map((i) => cssVar(`--series-${i}`));
}

/** The canvas font of chart text at `px` pixels. */
export function canvasFont(px = 12, weight = 400): string {
  return `${weight} ${px}px ${cssVar("--font", "system-ui, sans-serif")}`;
}
