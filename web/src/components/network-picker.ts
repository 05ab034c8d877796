// Where a lesson's trained network comes from: the 3b1b net trained in this page's worker (with its
// progress shown), or a run trained with the CLI and served by `nnlab serve --runs`. Pages wait on
// `ready` for the first network and hear about later switches through `onChange`.

import { engine } from "../engine/client.js";
import type { ModelInfo } from "../engine/methods/core.js";
import { el } from "../shell.js";
import { button } from "./controls.js";

export interface NetworkPickerOptions {
  /** Epochs of the 3b1b preset to train here (default 1). */
  epochs?: number;
  /**
   * Train only when asked (a button) instead of at once: the worker answers one request at a time, so
   * while it trains a whole epoch, a page's other live views wait.
   */
  onRequest?: boolean;
}

/** The status line and run chooser of the page's network. */
export class NetworkPicker {
  readonly element: HTMLElement;
  /** Resolves with the first network: trained here or loaded. */
  readonly ready: Promise<ModelInfo>;
  private readonly line: HTMLElement;
  private readonly listeners: ((info: ModelInfo) => void)[] = [];
  private first?: { resolve(info: ModelInfo): void; reject(e: Error): void };

  constructor(o: NetworkPickerOptions = {}) {
    const epochs = o.epochs ?? 1;
    this.line = el("span", { class: "num" }, "network: starting the engine…");
    this.element = el("p", { class: "network-picker", "data-testid": "network" }, this.line);
    this.ready = new Promise((resolve, reject) => (this.first = { resolve, reject }));
    void this.offerRuns();
    if (o.onRequest) {
      const start = button(`train the 3b1b network here (${epochs} epoch${epochs === 1 ? "" : "s"}, some seconds)`, () => {
        start.remove();
        void this.train(epochs);
      }, "network-train");
      this.line.textContent = "network: none yet — ";
      this.line.after(start);
    } else {
      void this.train(epochs);
    }
  }

  /** Calls `fn` with each network loaded after the first. */
  onChange(fn: (info: ModelInfo) => void): void {
    this.listeners.push(fn);
  }

  private async train(epochs: number): Promise<void> {
    const stop = engine().on("train.progress", (p) => {
      this.line.textContent = `network: training the 3b1b net here, epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, running cost ${p.runningCost.toFixed(4)}, accuracy ${(100 * p.runningAccuracy).toFixed(1)}%`;
    });
    try {
      this.use(await engine().call("trainPreset", { preset: "3b1b", epochs }));
    } catch (e) {
      this.line.textContent = `network: training failed: ${(e as Error).message}`;
      this.first?.reject(e as Error);
    } finally {
      stop();
    }
  }

  /** Shows the new network and tells whoever waits for it. */
  private use(info: ModelInfo): void {
    const acc = Number.isFinite(info.testAccuracy) ? `, test accuracy ${(100 * info.testAccuracy).toFixed(2)}%` : "";
    this.line.textContent = `network: ${info.sizes.join("-")} ${info.activation}/${info.output}, ${info.origin}${acc}`;
    this.element.dataset.ready = "true";
    if (this.first) {
      this.first.resolve(info);
      this.first = undefined;
    } else {
      for (const fn of this.listeners) fn(info);
    }
  }

  private async offerRuns(): Promise<void> {
    const { runs } = await engine().call("listRuns", {});
    if (!runs.length) return;
    const select = el("select", {}, el("option", { value: "" }, "a run from the server…"), ...runs.map((r) => el("option", { value: r.name }, r.name)));
    select.addEventListener("change", async () => {
      if (!select.value) return;
      this.line.textContent = `network: loading run ${select.value}…`;
      delete this.element.dataset.ready;
      try {
        this.use(await engine().call("loadRun", { name: select.value }));
      } catch (e) {
        this.line.textContent = `network: loading failed: ${(e as Error).message}`;
      }
    });
    this.element.append(" or load ", select);
  }
}
