// Lesson 7's fact GPT panel: train the tiny GPT on invented people's facts in the worker, trace where one
// fact flows (ROME's causal tracing: corrupt the subject, restore one hidden state at a time), then edit
// one MLP's W↓ by a rank-one change so the model states a new fact, with the answers before and after.

import { LineChart } from "../components/chart.js";
import { button } from "../components/controls.js";
import { showError } from "../components/latest-only.js";
import { engine } from "../engine/client.js";
import type { FactPerson, FactTrace } from "../engine/methods/facts-model.js";
import { el } from "../shell.js";

type Relation = "sport" | "city" | "instrument";
const SITES = [
  { key: "residual", title: "residual stream (block output)" },
  { key: "mlpOut", title: "MLP output" },
  { key: "attnOut", title: "attention output" },
] as const;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** Two decimals, and no "-0.00" for a tiny negative number. */
const f2 = (v: number) => (Object.is(Math.round(v * 100), -0) ? "0.00" : v.toFixed(2));

/** Runs a job with its button disabled; an error shows in `out`. */
function busy(b: HTMLButtonElement, out: HTMLElement, job: () => Promise<void>): void {
  b.disabled = true;
  job()
    .catch((e: Error) => showError(out, e))
    .finally(() => (b.disabled = false));
}

/** One heat map: rows are layers, columns the prompt's tokens; a cell's shade is its share of the recoverable probability. */
function heatmap(trace: FactTrace, site: (typeof SITES)[number]): HTMLElement {
  const rows = trace.restored[site.key];
  const span = trace.clean - trace.corrupted;
  const grid = el("div", { class: "trace-grid", role: "table", "aria-label": `indirect effect, ${site.title}` });
  grid.style.gridTemplateColumns = `auto repeat(${trace.tokens.length}, minmax(38px, auto))`;
  grid.append(el("span", { class: "corner" }, "layer"));
  trace.tokens.forEach((tok, t) => grid.append(el("span", { class: `tok${t >= trace.subject[0] && t <= trace.subject[1] ? " subject" : ""}` }, tok)));
  rows.forEach((row, layer) => {
    grid.append(el("span", { class: "layer" }, String(layer)));
    row.forEach((p, t) => {
      const effect = p - trace.corrupted; // indirect effect of restoring this one state
      const share = span > 0 ? Math.max(0, Math.min(1, effect / span)) : 0;
      const cell = el("span", { class: "cell num", title: `layer ${layer}, “${trace.tokens[t]}”: restoring it brings the answer's probability from ${pct(trace.corrupted)} to ${pct(p)}` }, f2(effect));
      // at most 70% of the accent, so the dark number stays readable on every cell
      cell.style.background = `color-mix(in srgb, var(--accent) ${Math.round(share * 70)}%, var(--panel))`;
      cell.dataset.effect = String(effect);
      grid.append(cell);
    });
  });
  return el("figure", { class: "trace-map", "data-testid": `trace-${site.key}` }, el("figcaption", {}, site.title), el("div", { class: "table-scroll" }, grid));
}

/** Fills the fact GPT panel. */
export function factsPanel(section: HTMLElement): void {
  section.append(
    el(
      "p",
      { class: "muted" },
      "Lesson 7 asks where a GPT keeps “Michael Jordan plays basketball”. Here a small GPT learns invented people's facts (a sport, a city, an instrument each; first and last names are shared between people, so a fact needs both, like Michael AND Jordan), the quick model of ",
      el("code", {}, "nnlab facts recall"),
      ". Then trace one fact, as ROME does: add noise to the subject's two token embeddings so the model forgets who it is, and restore one hidden state at a time from the clean run: the cells that bring the answer back carry the fact. Last, change one MLP's W↓ by a rank-one matrix so the model states a new fact.",
    ),
  );
  const trainButton = button("Train the fact GPT (about a minute)", () => busy(trainButton, status, train), "facts-train");
  trainButton.classList.add("primary");
  const status = el("div", { class: "facts-status", "data-testid": "facts-model" }, el("span", {}, "Not trained yet: this page trains it only when you ask."));
  const lossChart = new LineChart({ title: "Training loss", xLabel: "step", series: [{ label: "loss" }], yLog: true, width: 420, height: 200, xEmpty: [0, 800], placeholder: "The loss appears here as the GPT trains." });
  section.append(el("div", { class: "row controls" }, trainButton), status, lossChart.element);

  const person = el("select", { "data-testid": "facts-person", "aria-label": "person" });
  const relation = el("select", { "data-testid": "facts-relation", "aria-label": "relation" });
  for (const r of ["sport", "city", "instrument"]) relation.append(el("option", { value: r }, r));
  const traceButton = button("Trace", () => busy(traceButton, traceOut, trace), "facts-trace");
  const traceOut = el("div", { class: "trace-out", "data-testid": "facts-trace-out" });
  const newValue = el("select", { "data-testid": "facts-new-value", "aria-label": "new value" });
  const layer = el("select", { "data-testid": "facts-layer", "aria-label": "layer" });
  const editButton = button("Edit", () => busy(editButton, editOut, edit), "facts-edit");
  const undoButton = button("Undo the edit", () => busy(undoButton, editOut, undo), "facts-undo");
  const editOut = el("div", { class: "edit-out", "data-testid": "facts-edit-out" });
  const work = el(
    "div",
    { class: "facts-work" },
    el("h3", {}, "Trace a fact"),
    el("div", { class: "row controls" }, el("label", {}, "person ", person), el("label", {}, "relation ", relation), traceButton),
    traceOut,
    el("h3", {}, "Edit it: a rank-one change of one MLP's W↓ (ROME)"),
    el(
      "p",
      { class: "muted" },
      "The MLP's neurons at the prompt's last token are a key k*; Adam finds the change δ of that MLP's output that makes the model say the new value; then W↓ ← W↓ + δ·(C⁻¹k*)ᵀ/(k*ᵀC⁻¹k*), with C the second moment of the neurons over the training text, so other keys move as little as possible. The held-out phrasing was never used to find the edit; other people should keep their answers.",
    ),
    el("div", { class: "row controls" }, el("label", {}, "new value ", newValue), el("label", {}, "at layer ", layer), editButton, undoButton),
    editOut,
  );
  work.hidden = true;
  section.append(work);
  let people: FactPerson[] = [];
  let relations: Record<string, readonly string[]> = {};

  const fillValues = () => {
    const p = people[Number(person.value)];
    const r = relation.value as Relation;
    newValue.replaceChildren(...(relations[r] ?? []).filter((v) => v !== p?.facts[r]).map((v) => el("option", { value: v }, v)));
  };
  person.addEventListener("change", fillValues);
  relation.addEventListener("change", fillValues);

  engine().on("facts.model.progress", (p) => {
    lossChart.push(p.iter, p.loss);
    status.firstElementChild!.textContent = `training: step ${p.iter} of ${p.iters}, loss ${p.loss.toFixed(3)}`;
  });

  async function train(): Promise<void> {
    lossChart.clear();
    work.hidden = true;
    const r = await engine().call("facts.model.train", { seed: 1 });
    people = r.people;
    relations = r.relations;
    person.replaceChildren(...people.map((p, i) => el("option", { value: String(i) }, `${p.name} (${p.facts.sport}, ${p.facts.city}, ${p.facts.instrument})`)));
    layer.replaceChildren(...Array.from({ length: r.layers }, (_, l) => el("option", { value: String(l), ...(l === r.layers - 1 ? { selected: "" } : {}) }, String(l))));
    fillValues();
    status.firstElementChild!.textContent = `Trained: ${r.parameters}, ${r.iters} steps on ${people.length} people's facts. It recalls ${pct(r.recall.train)} of the facts in the phrasings it trained on and ${pct(r.recall.heldOut)} in the held-out phrasing.`;
    Object.assign(status.dataset, { ready: "true", recallTrain: String(r.recall.train), recallHeldOut: String(r.recall.heldOut) });
    work.hidden = false;
    traceOut.replaceChildren();
    editOut.replaceChildren();
  }

  async function trace(): Promise<void> {
    const t = await engine().call("facts.trace", { person: Number(person.value), relation: relation.value as Relation });
    traceOut.replaceChildren(
      el(
        "p",
        {},
        `“${t.tokens.slice(1).join(" ")} …” → ${t.answer}: probability ${pct(t.clean)} clean, ${pct(t.corrupted)} with the subject's embeddings corrupted (noise σ ${t.noise.toFixed(3)}, mean over ${t.samples} draws). Each cell: how much restoring that one state from the clean run brings back (probability restored − corrupted); the darker, the more of the ${pct(t.clean - t.corrupted)} it recovers. The subject's tokens are underlined.`,
      ),
      el("div", { class: "row trace-maps" }, ...SITES.map((s) => heatmap(t, s))),
    );
    Object.assign(traceOut.dataset, { clean: String(t.clean), corrupted: String(t.corrupted), tokens: String(t.tokens.length) });
  }

  async function edit(): Promise<void> {
    const r = await engine().call("facts.edit", { person: Number(person.value), relation: relation.value as Relation, value: newValue.value, layer: Number(layer.value) });
    const right = (a: { after: string; expected: string }) => a.after === a.expected;
    editOut.replaceChildren(
      el("p", {}, `Edited at layer ${r.layer}: δ found in ${r.steps} Adam steps (the new value's probability with δ added: ${pct(r.targetProbability)}).`),
      el(
        "div",
        { class: "table-scroll" },
        el(
          "table",
          { class: "edit-table" },
          el("thead", {}, el("tr", {}, ...["prompt", "before", "after", "should say"].map((h) => el("th", { scope: "col" }, h)))),
          el(
            "tbody",
            {},
            ...r.answers.map((a, i) =>
              el(
                "tr",
                { "data-testid": `edit-row-${i}`, "data-kind": a.kind, "data-before": a.before, "data-after": a.after, "data-expected": a.expected, class: right(a) ? "ok" : "bad" },
                el("td", {}, `${a.prompt} …`, el("span", { class: "kind muted" }, a.kind)),
                el("td", {}, a.before),
                el("td", { class: "after" }, a.after),
                el("td", {}, a.expected),
              ),
            ),
          ),
        ),
      ),
    );
    editOut.dataset.edited = "true";
  }

  async function undo(): Promise<void> {
    const r = await engine().call("facts.edit.undo", {});
    editOut.replaceChildren(el("p", {}, r.undone ? "Undone: W↓ is back as it was." : "There was no edit to undo."));
    editOut.dataset.edited = "false";
  }
}
