// Where a page's network comes from: a run trained with the CLI (listed by `nnlab serve --runs DIR`), or
// the lesson's network trained here in the worker with visible progress — or taken from this browser's
// cache when any lesson page trained it before. Also the sigmoid/ReLU switch. Every lesson page that
// uses this panel looks at the same network.

import "./network-source.css";
import type { ModelInfo } from "../engine/methods/core.js";
import { engine } from "../engine/client.js";
import { el } from "../shell.js";

/** The network the lessons train: lesson 1–2's 784-16-16-10 sigmoid net, a few epochs (≈ 92% on test). */
export const LESSON_NET = { preset: "3b1b", epochs: 5, seed: 1 } as const;

/**
 * The ReLU variant's settings. The 3b1b preset's N(0, 1) start with η = 3 leaves a ReLU net stuck at
 * 10% (its sums are huge and its sigmoid outputs saturate); Kaiming's start with η = 0.5 trains it to
 * about 93% in 5 epochs, keeping the quadratic cost and sigmoid outputs so its outputs read like the
 * sigmoid net's.
 */
export const RELU_SETTINGS = { activation: "relu", init: "kaiming", lr: 0.5 } as const;

export type HiddenActivation = "sigmoid" | "relu";

/** The panel; `onReady` hears every network that becomes current. */
export class NetworkSource {
  readonly element: HTMLElement;
  /** The current network, once there is one. */
  current: ModelInfo | null = null;
  private readonly choice = el("select", { "data-testid": "network-choice", "aria-label": "network" });
  private readonly switches: Record<HiddenActivation, HTMLInputElement>;
  private readonly progress = el("progress", { max: "1", value: "0", hidden: "" });
  private readonly status = el("p", { class: "network-status", "data-testid": "network-status" }, "network: looking for runs…");
  private readonly notice = el("p", { class: "muted", "data-testid": "network-notice" });

  constructor(private readonly onReady: (info: ModelInfo) => void) {
    const radio = (value: HiddenActivation, label: string) => {
      const input = el("input", { type: "radio", name: "activation", value, "data-testid": `activation-${value}` });
      input.addEventListener("change", () => {
        this.notice.textContent = "";
        void this.train(value);
      });
      return { input, label: el("label", {}, input, ` ${label}`) };
    };
    const sigmoid = radio("sigmoid", "sigmoid σ(z) = 1 / (1 + e⁻ᶻ)");
    const relu = radio("relu", "ReLU max(0, z)");
    sigmoid.input.checked = true;
    this.switches = { sigmoid: sigmoid.input, relu: relu.input };
    this.choice.append(el("option", { value: "" }, "train here, in this page"));
    this.choice.addEventListener("change", () => {
      this.notice.textContent = "";
      void (this.choice.value ? this.load(this.choice.value) : this.train(this.activation()));
    });
    engine().on("train.progress", (p) => {
      this.progress.value = (p.epoch - 1 + p.batch / p.batches) / p.epochs;
      this.status.textContent = `training here: epoch ${p.epoch} of ${p.epochs}, ${p.batch.toLocaleString("en-US")} of ${p.batches.toLocaleString("en-US")} mini-batches; running cost ${p.runningCost.toFixed(4)}, accuracy ${(100 * p.runningAccuracy).toFixed(1)}%`;
    });
    this.element = el(
      "div",
      { class: "network-source" },
      el("div", { class: "row" }, el("label", {}, "network ", this.choice), el("span", { class: "activation-switch" }, "hidden neurons: ", sigmoid.label, relu.label)),
      this.progress,
      this.status,
      this.notice,
    );
  }

  /** Lists the server's runs and loads the newest; trains the lesson's network here when there is none. */
  async start(): Promise<void> {
    let runs: { name: string }[] = [];
    try {
      runs = (await engine().call("listRuns", {})).runs;
    } catch {
      /* no runs route (e.g. a static host): train here */
    }
    for (const r of runs) this.choice.append(el("option", { value: r.name }, `run ${r.name}`));
    if (runs.length) await this.load(runs[0].name);
    else await this.train("sigmoid");
  }

  private activation(): HiddenActivation {
    return this.switches.relu.checked ? "relu" : "sigmoid";
  }

  /** Trains (or takes from the cache) the lesson's network with this activation. */
  private async train(activation: HiddenActivation): Promise<void> {
    this.choice.value = "";
    this.switches[activation].checked = true;
    const params = activation === "relu" ? { ...LESSON_NET, ...RELU_SETTINGS } : LESSON_NET;
    await this.work(`getting the ${activation} network…`, () => engine().call("trainPreset", params));
  }

  private async load(name: string): Promise<void> {
    this.choice.value = name;
    const failure = await this.work(`loading run ${name}…`, () => engine().call("loadRun", { name }));
    if (failure) {
      this.notice.textContent = `run ${name} could not be loaded (${failure}); the lesson's network is used instead.`;
      await this.train(this.activation());
    }
  }

  /** Runs a job that makes a network current, showing progress; returns its error message, if any. */
  private async work(what: string, job: () => Promise<ModelInfo>): Promise<string | null> {
    this.status.textContent = what;
    this.status.removeAttribute("data-ready");
    this.progress.hidden = false;
    this.progress.value = 0;
    for (const c of [this.choice, ...Object.values(this.switches)]) c.disabled = true;
    try {
      const info = await job();
      this.current = info;
      if (info.activation === "sigmoid" || info.activation === "relu") this.switches[info.activation].checked = true;
      this.status.textContent = `network: ${info.sizes.join("-")} ${info.activation}, ${info.parameters.toLocaleString("en-US")} weights and biases, ${(100 * info.testAccuracy).toFixed(2)}% right on the 10,000 test images — ${info.origin}`;
      this.status.dataset.ready = "true";
      this.status.dataset.activation = info.activation;
      this.onReady(info);
      return null;
    } catch (e) {
      this.status.textContent = `network failed: ${(e as Error).message}`;
      return (e as Error).message;
    } finally {
      this.progress.hidden = true;
      for (const c of [this.choice, ...Object.values(this.switches)]) c.disabled = false;
    }
  }
}
