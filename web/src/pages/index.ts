// The lab's home: one card per lesson.

import { el, LESSONS, shell } from "../shell.js";

const main = shell(null, "nnlab — the neural-network lab", "3Blue1Brown's Neural networks series, live: every picture of the lessons computed by the real engine in your browser.");
const list = el("ol", { class: "lesson-cards" });
for (const l of LESSONS) {
  list.append(el("li", {}, l.live ? el("a", { href: `./${l.page}` }, l.title) : el("span", { class: "soon" }, `${l.title} (coming)`)));
}
main.append(list);
