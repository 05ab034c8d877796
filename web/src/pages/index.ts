// The lab's home, its front door: what the lab is, and a card per lesson (from lessons.ts) with its
// promise and picture; lessons not built yet are shown as coming. The engine starts here too (header).

import "./index.css";
import { beyondThumbnail, lessonThumbnail } from "../components/lesson-thumbnails.js";
import { BEYOND, el, LESSONS, shell } from "../shell.js";

const main = shell(
  null,
  "The neural-network lab",
  "3Blue1Brown's Neural networks series, live: every picture of the lessons is computed by a real engine — tensors, autograd and WebAssembly kernels — running in this browser tab. Draw, train and take networks apart.",
);

const cards = el("ol", { class: "lesson-cards", "data-testid": "lesson-cards" });
for (const l of LESSONS) {
  const body = [
    el("div", { class: "card-thumb" }, lessonThumbnail(l.number)),
    el("div", { class: "card-body" }, el("p", { class: "card-kicker" }, `Lesson ${l.number}`, l.live ? "" : el("span", { class: "badge" }, "coming")), el("h2", {}, l.title), el("p", { class: "card-promise" }, l.promise)),
  ];
  const card = l.live ? el("a", { class: "card", href: `./${l.page}` }, ...body) : el("div", { class: "card soon", "aria-disabled": "true" }, ...body);
  cards.append(el("li", { "data-lesson": String(l.number), "data-live": String(l.live) }, card));
}
const beyond = [el("div", { class: "card-thumb" }, beyondThumbnail()), el("div", { class: "card-body" }, el("p", { class: "card-kicker" }, "Beyond the series"), el("h2", {}, "Convolutional networks"), el("p", { class: "card-promise" }, BEYOND.promise))];
cards.append(el("li", { "data-lesson": "beyond", "data-live": "true" }, el("a", { class: "card", href: `./${BEYOND.page}` }, ...beyond)));
main.append(cards);

main.append(
  el(
    "section",
    { class: "about" },
    el("div", {}, el("h3", {}, "The real engine"), el("p", {}, "The same TypeScript engine as nnlab's CLI runs in a Web Worker: the page never freezes, and nothing leaves your machine.")),
    el("div", {}, el("h3", {}, "Every number live"), el("p", {}, "Activations, costs, gradients and nudges are computed as you draw and drag — not played back from a video.")),
    el("div", {}, el("h3", {}, "Follows the series"), el("p", {}, "Each page follows one lesson of 3Blue1Brown's Neural networks, with its names: a, z, W, b, σ, C.")),
  ),
);
