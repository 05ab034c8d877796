// `nnlab lab none-class` — the learner's question: would an 11th "none of these" output, trained on
// junk, help? Compares (a) the 10-class net with a confidence threshold against (b) an 11-class net
// whose extra class is trained on generated junk (noise, strokes, digit fragments, and Fashion-MNIST when
// Debian's dataset-fashion-mnist is installed), on junk of a kind held out of training (scribbles).

import { existsSync } from "node:fs";
import { concatDatasets, subset } from "../data/batches.js";
import { DEJAVU_DIR, letterSet, loadLetterFonts } from "../data/letters.js";
import { loadMnist, type Dataset } from "../data/mnist.js";
import { makeConfig, type MnistTrainConfig } from "../train/config.js";
import { fmt, labRng, pct, table, trainNet } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { imageGridPng, lineChart } from "./figures.js";
import { JUNK_HELD_OUT, JUNK_TRAIN_KINDS, junkSet } from "./junk.js";
import { rejectionStats, type RejectionStats } from "./rejection.js";

/** Where Debian's dataset-fashion-mnist package puts its IDX files. */
export const DEBIAN_FASHION_DIR = "/usr/share/datasets/fashion-mnist";

export interface NoneClassResult {
  experiment: "none-class";
  network: string;
  train_digits: number;
  train_junk: number;
  train_kinds: string[];
  held_out_kind: string;
  fashion: string | null;
  test_digits: number;
  test_junk: number;
  /** Letters from fonts: the ones trained on as "none" and the ones held out, or null without fonts. */
  letters: { fonts: string; trained: string; held_out: string } | null;
  nets: RejectionStats[];
}

/**
 * Letters of the none class: trained on one half, tested on the other. Letters a digit could be (O, o, D,
 * I, l, i, j, Z, z, S, s, b, G, B, g, q) are left out: an "O" drawn as a 0 is not junk.
 */
export const TRAIN_LETTERS = "acdefhkmnACEFHJKLM";
export const HELD_OUT_LETTERS = "prtuvwxyNPQRTUVWXY";

async function loadFashion(ctx: LabContext): Promise<{ dir: string; train: Dataset; test: Dataset } | null> {
  const dir = ctx.flags.fashion ?? DEBIAN_FASHION_DIR;
  if (ctx.flags.fashion === undefined && !existsSync(dir)) return null;
  const { train, test } = await loadMnist({ dir });
  return { dir, train, test };
}

async function runNoneClass(ctx: LabContext): Promise<LabOutput<NoneClassResult>> {
  const trainDigits = ctx.quick ? 4000 : 30000;
  const junkCount = trainDigits / 4;
  const testCount = ctx.quick ? 1000 : 10000;
  const testJunkCount = ctx.quick ? 500 : 2000;
  const rng = labRng(ctx.seed, 11);
  const digits = subset(ctx.data.train, trainDigits);
  const fashion = await loadFashion(ctx);
  ctx.log(fashion ? `Fashion-MNIST from ${fashion.dir} joins the junk` : `Fashion-MNIST not found at ${DEBIAN_FASHION_DIR}: generated junk only`);
  let junk = junkSet(JUNK_TRAIN_KINDS, fashion ? (junkCount * 3) / 4 : junkCount, rng, digits, 10);
  if (fashion) junk = concatDatasets(junk, { ...subset(fashion.train, junkCount / 4), labels: new Uint8Array(junkCount / 4).fill(10) });
  const fontDir = ctx.flags.fonts ?? DEJAVU_DIR;
  const fonts = await loadLetterFonts(fontDir);
  ctx.log(fonts ? `letters from ${fonts.fonts.length} fonts in ${fontDir} join the junk` : `skipped: letters (no DejaVu fonts in ${fontDir}; install Debian's fonts-dejavu-core or pass --fonts DIR)`);
  if (fonts) junk = concatDatasets(junk, letterSet(fonts, TRAIN_LETTERS, junkCount / 4, rng, 10));
  const epochs = ctx.quick ? 2 : 3;
  const base = makeConfig("modern", { seed: ctx.seed, hidden: [100], epochs, batch: 32, lr: 1e-3, schedule: "constant" });
  const tenNet = trainNet(base, { train: digits, test: subset(ctx.data.test, 1000) }, "10-class net", ctx).mlp;
  const elevenConfig: MnistTrainConfig = { ...base, model: { ...base.model, sizes: [784, 100, 11] } };
  const elevenNet = trainNet(elevenConfig, { train: concatDatasets(digits, junk), test: subset(ctx.data.test, 1000) }, "11-class net", ctx).mlp;

  const testDigits = subset(ctx.data.test, testCount);
  const heldOut = junkSet([JUNK_HELD_OUT], testJunkCount, rng, testDigits, 10);
  const byKind: Record<string, Dataset> = {};
  for (const kind of [...JUNK_TRAIN_KINDS, JUNK_HELD_OUT]) byKind[kind] = kind === JUNK_HELD_OUT ? heldOut : junkSet([kind], testJunkCount, rng, testDigits, 10);
  if (fashion) byKind["Fashion-MNIST test"] = subset(fashion.test, testJunkCount);
  if (fonts) {
    byKind["letters (trained kind)"] = letterSet(fonts, TRAIN_LETTERS, testJunkCount, rng, 10);
    byKind["letters (held out)"] = letterSet(fonts, HELD_OUT_LETTERS, testJunkCount, rng, 10);
  }
  const nets = [rejectionStats("10-class + threshold", tenNet, testDigits, heldOut, byKind), rejectionStats("11-class with none", elevenNet, testDigits, heldOut, byKind)];
  const result: NoneClassResult = {
    experiment: "none-class",
    network: `784-100-10 and 784-100-11 ReLU nets, cross-entropy, Adam lr 0.001, batch 32, ${epochs} epochs`,
    train_digits: trainDigits,
    train_junk: junk.count,
    train_kinds: [...JUNK_TRAIN_KINDS, ...(fashion ? ["Fashion-MNIST"] : []), ...(fonts ? ["letters"] : [])],
    held_out_kind: JUNK_HELD_OUT,
    fashion: fashion?.dir ?? null,
    test_digits: testCount,
    test_junk: testJunkCount,
    letters: fonts ? { fonts: `${fonts.fonts.map((f) => f.file).join(", ")} in ${fonts.dir}`, trained: TRAIN_LETTERS, held_out: HELD_OUT_LETTERS } : null,
    nets,
  };
  const shown = [...JUNK_TRAIN_KINDS, JUNK_HELD_OUT, ...(fonts ? ["letters (trained kind)", "letters (held out)"] : [])];
  const examples = shown.flatMap((k) => Array.from({ length: 10 }, (_, i) => byKind[k].images.subarray(i * 784, (i + 1) * 784)));
  const figures: LabFigure[] = [
    { file: "junk.png", caption: `Junk examples, one kind per row: ${shown.join(", ").replace("scribbles", "scribbles (held out)")}`, data: imageGridPng(examples, 28, 10, 2) },
    {
      file: "tradeoff.svg",
      caption: "Digit accuracy against held-out junk rejection",
      data: await lineChart("Accepted-and-correct digits vs rejected held-out junk", nets.flatMap((n) => n.curve.junk_rejection.map((x, i) => ({ x, y: n.curve.digit_accuracy[i], series: n.net }))), "share of held-out junk rejected", "share of test digits accepted and correct"),
    },
  ];
  const kinds = Object.keys(byKind);
  const report = [
    `Networks: ${result.network}. Both train on the first ${trainDigits.toLocaleString("en-US")} training digits; the 11-class net also on ${junk.count.toLocaleString("en-US")} junk images ` +
      `(${result.train_kinds.join(", ")}) labelled "none". ${fashion ? `Fashion-MNIST came from ${fashion.dir}.` : `Fashion-MNIST was not found (install Debian's dataset-fashion-mnist or pass --fashion DIR).`}`,
    "",
    "![junk](junk.png)",
    "",
    `Evaluation: ${testCount.toLocaleString("en-US")} test digits and ${testJunkCount.toLocaleString("en-US")} ${JUNK_HELD_OUT} — a kind of junk neither net saw. ` +
      "A digit counts as right when it is accepted and classified correctly; a junk image counts as rejected when its top digit probability is not above the threshold t. " +
      "Sweeping t through the held-out junk's own scores (every 1% quantile, so the curve is exact where softmax scores crowd near 1) traces the trade-off; " +
      "its area (1 = every digit right while all junk is rejected) makes the comparison one number.",
    "",
    table(["net", "digit accuracy (no rejection)", "default rule", "digits right", "held-out junk rejected", "area under trade-off", "digit acc. at ≥ 90% rejection"], nets.map((n) => [n.net, pct(n.digit_accuracy), n.default_rule, pct(n.default_digit_accuracy), pct(n.default_junk_rejection), fmt(n.area, 3), pct(n.accuracy_at_90_rejection)])),
    "",
    "![trade-off](tradeoff.svg)",
    "",
    "Rejection per junk kind at the default rule (fresh images; all kinds but the held-out one resemble what the 11-class net trained on):",
    "",
    table(["net", ...kinds], nets.map((n) => [n.net, ...kinds.map((k) => pct(n.rejection_by_kind[k], 1))])),
    "",
    fonts
      ? `Letters (the learner's "ditto letters"): glyphs of ${fonts.fonts.length} DejaVu fonts, slanted, rotated and thickened at random, then put through the same MNIST preprocessing as a drawn digit. ` +
        `The 11-class net trained on ${TRAIN_LETTERS} as "none"; ${HELD_OUT_LETTERS} are held out. Held-out letters rejected: ` +
        nets.map((n) => `${n.net} ${pct(n.rejection_by_kind["letters (held out)"], 1)}`).join(", ") +
        "; letters of the trained kind: " +
        nets.map((n) => `${n.net} ${pct(n.rejection_by_kind["letters (trained kind)"], 1)}`).join(", ") +
        ". Letters that a digit could be (O, I, l, S, Z, B, g, q, …) are left out."
      : `Letters: skipped (no DejaVu fonts in ${fontDir}; install Debian's fonts-dejavu-core or pass --fonts DIR).`,
    "",
  ].join("\n");
  const summary = nets.map((n) => `${n.net}: digit accuracy ${pct(n.digit_accuracy)}, held-out ${JUNK_HELD_OUT} rejected ${pct(n.default_junk_rejection, 1)} (${n.default_rule}), trade-off area ${fmt(n.area, 3)}`);
  return { result, summary, report, figures };
}

export const noneClass: Experiment<NoneClassResult> = {
  name: "none-class",
  summary: "Would an 11th \"none\" output trained on junk beat a confidence threshold? Tested on held-out junk",
  takesModel: false,
  flags: [
    { name: "fashion", valueName: "DIR", description: `Fashion-MNIST IDX files to use as junk (default ${DEBIAN_FASHION_DIR} when installed)` },
    { name: "fonts", valueName: "DIR", description: `Folder with the DejaVu fonts whose letters join the junk (default ${DEJAVU_DIR}, Debian's fonts-dejavu-core)` },
  ],
  run: runNoneClass,
};
