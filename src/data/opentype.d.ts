// The few parts of opentype.js (which ships no types) that src/data/letters.ts uses: parse a font file,
// look up a character's glyph, and read its outline as path commands.

declare module "opentype.js" {
  export type PathCommand =
    | { type: "M" | "L"; x: number; y: number }
    | { type: "Q"; x1: number; y1: number; x: number; y: number }
    | { type: "C"; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
    | { type: "Z" };
  export interface Path {
    commands: PathCommand[];
  }
  export interface Glyph {
    /** The outline at (x, y) on the baseline, `fontSize` pixels per em, y growing downwards. */
    getPath(x: number, y: number, fontSize: number): Path;
  }
  export interface Font {
    charToGlyph(ch: string): Glyph;
  }
  export function parse(buffer: ArrayBuffer): Font;
  const opentype: { parse: typeof parse };
  export default opentype;
}
