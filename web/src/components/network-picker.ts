// Where a lesson's trained network comes from: the 3b1b net trained in this page's worker (with its
// progress shown; a network any lesson page trained before comes from the browser's cache instead), or
// a run trained with the CLI and served by `nnlab serve --runs`. Optionally a sigmoid/ReLU switch. Pages
// wait on `ready` for the first network and hear about later switches through `onChange`.

import { engine } from "../engine/client.js";
import type { ModelInfo } from "../engine/methods/core.js";
import { el } from "../shell.js";
import { button } from "./controls.js";

/** The hidden layers' activation function the switch offers. */
export type HiddenActivation = "sigmoid" | "relu";

/**
 * The ReLU variant's settings. The 3b1b preset's N(0, 1) start with η = 3 leaves a ReLU net stuck at
 * 10% (its weighted sums are huge and its sigmoid outputs saturate); Kaiming's start with η = 0.5
 * trains it to about 91% in one epoch. It keeps the quadratic cost and sigmoid outputs, so its outputs read
 * like the sigmoid net's.
 */
export const RELU_SETTINGS = { activation: "relu", init: "kaiming", lr: 0.5 } as const;

export interface NetworkPickerOptions {
  /** Epochs of the 3b1b preset to train here (default 1). Pages that agree share the cached network. */
  epochs?: number;
  /**
   * Train only when asked (a button) instead of at once: the worker answers one request at a time, so
   * while it trains a whole epoch, a page's other live views wait.
   */
  onRequest?: boolean;
  /** Load the newest run the server lists, when there is one, instead of training here. */
  preferRun?: boolean;
  /** Offer a switch between sigmoid and ReLU hidden neurons (the ReLU net is trained here). */
  activationSwitch?: boolean;
}

/** The status line and run chooser of the page's network. */
export class NetworkPicker {
  readonly element: HTMLElement;
  /** Resolves with the first network: trained here or loaded. */
  readonly ready: Promise<ModelInfo>;
  private readonly line: HTMLElement;
  private readonly epochs: number;
  private readonly listeners: ((info: ModelInfo) => void)[] = [];
  private readonly switches = new Map<HiddenActivation, HTMLInputElement>();
  private first?: { resolve(info: ModelInfo): void; reject(e: Error): void };

  constructor(o: NetworkPickerOptions = {}) {
    this.epochs = o.epochs ?? 1;
    this.line = el("span", { class: "line" }, "Network: starting the engine…");
    this.element = el("div", { class: "network-picker", "data-testid": "network" }, this.line);
    this.ready = new Promise((resolve, reject) => (this.first = { resolve, reject }));
    if (o.activationSwitch) this.addSwitch();
    const runs = this.offerRuns();
    if (o.onRequest) {
      const start = button(`train the 3b1b network here (${this.epochs} epoch${this.epochs === 1 ? "" : "s"}, some seconds)`, () => {
        start.remove();
        void this.train("sigmoid");
      }, "network-train");
      this.line.textContent = "Network: none yet";
      this.line.after(start);
    } else if (o.preferRun) {
      void runs.then(async (names) => {
        // no run, or one that cannot be loaded: the page trains its own network
        if (!names.length || !(await this.load(names[0]))) await this.train("sigmoid");
      });
    } else {
      void this.train("sigmoid");
    }
  }

  /** Calls `fn` with each network loaded after the first. */
  onChange(fn: (info: ModelInfo) => void): void {
    this.listeners.push(fn);
  }

  private async train(activation: HiddenActivation): Promise<void> {
    delete this.element.dataset.ready;
    for (const s of this.switches.values()) s.disabled = true;
    const stop = engine().on("train.progress", (p) => {
      const done = Math.round((100 * ((p.epoch - 1) * p.batches + p.batch)) / (p.epochs * p.batches));
      this.line.textContent = `Training the lesson's network (${activation}) here… ${done}% · ${(100 * p.runningAccuracy).toFixed(0)}% right so far`;
      this.line.title = `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, running cost ${p.runningCost.toFixed(4)}, running accuracy ${(100 * p.runningAccuracy).toFixed(1)}%`;
    });
    try {
      const settings = activation === "relu" ? RELU_SETTINGS : {};
      this.use(await engine().call("trainPreset", { preset: "3b1b", epochs: this.epochs, ...settings }));
    } catch (e) {
      this.line.textContent = `Network: training failed: ${(e as Error).message}`;
      this.first?.reject(e as Error);
    } finally {
      stop();
      for (const s of this.switches.values()) s.disabled = false;
    }
  }

  /** Loads a run from the server; false (with the reason shown) when it cannot be loaded. */
  private async load(name: string): Promise<boolean> {
    this.line.textContent = `Network: loading run ${name}…`;
    delete this.element.dataset.ready;
    try {
      this.use(await engine().call("loadRun", { name }));
      return true;
    } catch (e) {
      this.line.textContent = `Network: loading run ${name} failed: ${(e as Error).message}`;
      return false;
    }
  }

  /** Shows the new network and tells whoever waits for it. */
  private use(info: ModelInfo): void {
    // one short line; the details on hover
    const acc = Number.isFinite(info.testAccuracy) ? ` · ${(100 * info.testAccuracy).toFixed(1)}% of test digits right` : "";
    this.line.textContent = `Network ${info.sizes.join("-")}, ${info.activation}${acc}`;
    this.line.title = `${info.sizes.join("-")}, hidden ${info.activation}, output ${info.output}, ${info.parameters.toLocaleString("en-US")} weights and biases; ${info.origin}${Number.isFinite(info.testAccuracy) ? `; test accuracy ${(100 * info.testAccuracy).toFixed(2)}%` : ""}`;
    this.element.dataset.ready = "true";
    this.element.dataset.activation = info.activation;
    const current = this.switches.get(info.activation as HiddenActivation);
    if (current) current.checked = true;
    if (this.first) {
      this.first.resolve(info);
      this.first = undefined;
    } else {
      for (const fn of this.listeners) fn(info);
    }
  }

  /** Radio buttons that train (or take from the cache) the sigmoid or the ReLU net. */
  private addSwitch(): void {
    const choice = (activation: HiddenActivation, label: string) => {
      const input = el("input", { type: "radio", name: "activation", value: activation, "data-testid": `activation-${activation}` });
      input.addEventListener("change", () => void this.train(activation));
      this.switches.set(activation, input);
      return el("label", {}, input, ` ${label}`);
    };
    const sigmoid = choice("sigmoid", "sigmoid");
    sigmoid.title = "σ(z) = 1/(1 + e⁻ᶻ)";
    const relu = choice("relu", "ReLU");
    relu.title = "max(0, z)";
    this.element.append(el("span", { class: "activation-switch" }, "hidden neurons:", sigmoid, relu));
  }

  /** Offers the server's runs in a select; resolves with their names, newest first. */
  private async offerRuns(): Promise<string[]> {
    const { runs } = await engine()
      .call("listRuns", {})
      .catch(() => ({ runs: [] })); // no runs route (a static host): nothing to offer
    if (!runs.length) return [];
    const select = el("select", { "data-testid": "network-run", "aria-label": "load a run from the server" }, el("option", { value: "" }, "or load a run…"), ...runs.map((r) => el("option", { value: r.name }, r.name)));
    select.addEventListener("change", () => {
      if (select.value) void this.load(select.value);
    });
    this.element.append(select);
    return runs.map((r) => r.name);
  }
}
