// The lab's lessons, in one list: the navigation, the home page's cards and the build's pages all read it.
// Adding a lesson page is one line here (and its HTML and page module); no imports, so vite.config reads it too.

/** One lesson of the series, as the lab shows it. */
export interface Lesson {
  /** 1-based, the series' order. */
  number: number;
  /** The page's file, e.g. "lesson1.html" (its module is src/pages/lesson1.ts). */
  page: string;
  /** The full title (page heading, home card). */
  title: string;
  /** A short name that fits the one-line navigation. */
  short: string;
  /** The home card's one-line promise: what the learner will do there. */
  promise: string;
  /** false: announced, not built yet (shown as "coming", not linked, not built). */
  live: boolean;
}

export const LESSONS: readonly Lesson[] = [
  { number: 1, page: "lesson1.html", title: "What a network is", short: "Networks", promise: "Draw a digit and watch 784 pixels flow through 16 + 16 neurons to ten answers.", live: true },
  { number: 2, page: "lesson2.html", title: "Gradient descent", short: "Gradient descent", promise: "Train the network in your tab and watch the cost fall, one step at a time.", live: true },
  { number: 3, page: "lesson3.html", title: "What backpropagation does", short: "Backprop", promise: "See which nudges to which weights one wrong answer asks for.", live: true },
  { number: 4, page: "lesson4.html", title: "Backpropagation calculus", short: "Backprop calculus", promise: "Follow the chain rule through a computation graph, number by number.", live: true },
  { number: 5, page: "lesson5.html", title: "GPTs: tokens, embeddings, sampling", short: "GPTs", promise: "Turn text into tokens and vectors, and sample what comes next.", live: true },
  { number: 6, page: "lesson6.html", title: "Attention", short: "Attention", promise: "Watch each word look back at the others and take what it needs.", live: true },
  { number: 7, page: "lesson7.html", title: "How MLPs might store facts", short: "Facts in MLPs", promise: "Build an AND-gate neuron, pack directions into few dimensions, watch features share them.", live: true },
];

/** "Beyond the series": not one of the seven lessons; the navigation shows it after them as "+". */
export const BEYOND = { page: "beyond.html", title: "Beyond the series: a convolutional network", short: "Beyond", promise: "Follow a drawn digit through a CNN, filter by filter and map by map, beside the MLP's answer." } as const;

/** The lesson with this number (throws on a number that is not in the list: a page's typo). */
export function lesson(number: number): Lesson {
  const found = LESSONS.find((l) => l.number === number);
  if (!found) throw new Error(`no lesson ${number} in web/src/lessons.ts`);
  return found;
}
