// Where a lesson's trained network comes from: the 3b1b net trained in this page's worker (with its
// progress shown), or a run trained with the CLI and served by `nnlab serve --runs`. Pages wait on
// `ready` and hear about later switches through `onChange`.

import { engine } from "../engine/client.js";
import type { ModelInfo } from "../engine/methods/core.js";
import { el } from "../shell.js";

/** The status line and run chooser of the page's network. */
export class NetworkPicker {
  readonly element: HTMLElement;
  /** Resolves with the first network, trained here. */
  readonly ready: Promise<ModelInfo>;
  private readonly line: HTMLElement;
  private readonly listeners: ((info: ModelInfo) => void)[] = [];

  /** Trains the 3b1b preset for `epochs` here; lists the server's runs to load instead. */
  constructor(epochs = 1) {
    this.line = el("span", { class: "num" }, "network: starting the engine…");
    this.element = el("p", { class: "network-picker", "data-testid": "network" }, this.line);
    const stop = engine().on("train.progress", (p) => {
      this.line.textContent = `network: training the 3b1b net here, epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, running cost ${p.runningCost.toFixed(4)}, accuracy ${(100 * p.runningAccuracy).toFixed(1)}%`;
    });
    this.ready = engine()
      .call("trainPreset", { preset: "3b1b", epochs })
      .then((info) => {
        this.show(info);
        return info;
      })
      .catch((e: Error) => {
        this.line.textContent = `network: training failed: ${e.message}`;
        throw e;
      })
      .finally(stop);
    void this.ready.then(() => this.offerRuns(), () => undefined);
  }

  /** Calls `fn` with each network loaded after the first. */
  onChange(fn: (info: ModelInfo) => void): void {
    this.listeners.push(fn);
  }

  private show(info: ModelInfo): void {
    const acc = Number.isFinite(info.testAccuracy) ? `, test accuracy ${(100 * info.testAccuracy).toFixed(2)}%` : "";
    this.line.textContent = `network: ${info.sizes.join("-")} ${info.activation}/${info.output}, ${info.origin}${acc}`;
    this.element.dataset.ready = "true";
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
        const info = await engine().call("loadRun", { name: select.value });
        this.show(info);
        for (const fn of this.listeners) fn(info);
      } catch (e) {
        this.line.textContent = `network: loading failed: ${(e as Error).message}`;
      }
    });
    this.element.append(" or load ", select);
  }
}
