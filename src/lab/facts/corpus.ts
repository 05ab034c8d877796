// A synthetic fact corpus for lesson 7's "where does a GPT store facts": invented people (first and last
// names reused across people, so recalling a fact needs both, like "Michael Jordan"), each with a sport,
// a home city and an instrument, stated in several phrasings; one phrasing of every fact is held out of
// training to test recall in words the model never saw for that person. Word-level tokens. Node-free.

import type { Rng } from "../../core/rng.js";

/** The relations and the values each can take. */
export const RELATIONS = {
  sport: ["tennis", "hockey", "rugby", "golf", "cricket", "rowing", "fencing", "curling"],
  city: ["Oslo", "Lima", "Cairo", "Perth", "Quito", "Dakar", "Hanoi", "Porto"],
  instrument: ["violin", "cello", "banjo", "flute", "harp", "tuba", "oboe", "drums"],
} as const;
export type Relation = keyof typeof RELATIONS;
export const RELATION_NAMES = Object.keys(RELATIONS) as Relation[];

/**
 * Phrasings of each relation; `{S}` is the subject (two tokens), and the value follows the last word.
 * Every phrasing of a fact but one is in the training text; the held-out one rotates over people.
 */
export const TEMPLATES: Record<Relation, readonly string[]> = {
  sport: ["{S} plays", "the sport of {S} is", "{S} is a star of", "every day {S} trains for"],
  city: ["{S} lives in", "the home city of {S} is", "{S} was born in", "every morning {S} walks around"],
  instrument: ["{S} plays the", "the instrument of {S} is the", "{S} performs on the", "every evening {S} practises the"],
};

/** The token between sentences; prompts start with it too. */
export const SEPARATOR = ".";

const ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"];
const VOWELS = ["a", "e", "i", "o", "u"];

/** `count` distinct invented words of two or three syllables, capitalised (e.g. "Kavo", "Melizu"), none in `taken`. */
function inventedNames(count: number, rng: Rng, taken: Set<string>): string[] {
  const names: string[] = [];
  while (names.length < count) {
    const syllables = 2 + rng.int(2);
    let w = "";
    for (let s = 0; s < syllables; s++) w += ONSETS[rng.int(ONSETS.length)] + VOWELS[rng.int(VOWELS.length)];
    const name = w[0].toUpperCase() + w.slice(1);
    if (!taken.has(name)) {
      taken.add(name);
      names.push(name);
    }
  }
  return names;
}

/** One invented person and their facts. */
export interface Person {
  readonly first: string;
  readonly last: string;
  readonly facts: Readonly<Record<Relation, string>>;
}

/** One prompt: the text before the answer, its answer, and where the subject's tokens are. */
export interface FactPrompt {
  readonly person: number;
  readonly relation: Relation;
  readonly template: number;
  /** Tokens of the prompt, starting with the separator; the answer is the next token. */
  readonly tokens: readonly string[];
  readonly answer: string;
  /** Positions of the subject's first and last token in `tokens`. */
  readonly subject: readonly [number, number];
}

/** The corpus: its people, vocabulary, training text and the prompts to test recall on. */
export interface FactCorpus {
  readonly people: readonly Person[];
  /** Every token, in a fixed order: id = index. */
  readonly vocab: readonly string[];
  /** Training text as token ids: every training sentence (answer included) three times, shuffled, separated. */
  readonly train: Int32Array;
  /** Prompts in the phrasings the training text uses for that person and relation. */
  readonly trainPrompts: readonly FactPrompt[];
  /** Prompts in the phrasing held out of training for that person and relation. */
  readonly heldOutPrompts: readonly FactPrompt[];
}

/** Which template of `relation` is held out for `person`. */
export function heldOutTemplate(person: number, relation: Relation): number {
  return (person + RELATION_NAMES.indexOf(relation)) % TEMPLATES[relation].length;
}

/** The prompt of `person`'s `relation` in template `template`. */
export function promptOf(people: readonly Person[], person: number, relation: Relation, template: number): FactPrompt {
  const p = people[person];
  const tokens = [SEPARATOR];
  let subject: [number, number] = [0, 0];
  for (const word of TEMPLATES[relation][template].split(" ")) {
    if (word === "{S}") {
      subject = [tokens.length, tokens.length + 1];
      tokens.push(p.first, p.last);
    } else tokens.push(word);
  }
  return { person, relation, template, tokens, answer: p.facts[relation], subject };
}

/**
 * Makes `people` invented people from `firstNames` × `lastNames` distinct name pairs (each name shared by
 * several people when there are fewer names than people), with uniformly random facts.
 */
export function makeCorpus(opts: { people: number; firstNames: number; lastNames: number; repeats: number; rng: Rng }): FactCorpus {
  const { rng } = opts;
  if (opts.firstNames * opts.lastNames < opts.people) throw new Error(`${opts.firstNames} × ${opts.lastNames} names cannot make ${opts.people} distinct people`);
  const words = new Set<string>([SEPARATOR, ...Object.values(RELATIONS).flat(), ...Object.values(TEMPLATES).flatMap((ts) => ts.flatMap((t) => t.split(" ")))]);
  const firsts = inventedNames(opts.firstNames, rng, words);
  const lasts = inventedNames(opts.lastNames, rng, words);
  const pairs = rng.permutation(opts.firstNames * opts.lastNames).slice(0, opts.people);
  const people: Person[] = Array.from(pairs, (pair) => ({
    first: firsts[Math.floor(pair / opts.lastNames)],
    last: lasts[pair % opts.lastNames],
    facts: Object.fromEntries(RELATION_NAMES.map((r) => [r, RELATIONS[r][rng.int(RELATIONS[r].length)]])) as Record<Relation, string>,
  }));
  const vocab = [...words].filter((w) => w !== "{S}").sort();
  const id = new Map(vocab.map((w, i) => [w, i]));
  const trainPrompts: FactPrompt[] = [];
  const heldOutPrompts: FactPrompt[] = [];
  people.forEach((_, person) => {
    for (const relation of RELATION_NAMES) {
      TEMPLATES[relation].forEach((_, template) => {
        const prompt = promptOf(people, person, relation, template);
        (template === heldOutTemplate(person, relation) ? heldOutPrompts : trainPrompts).push(prompt);
      });
    }
  });
  const sentences: number[][] = [];
  for (let r = 0; r < opts.repeats; r++) for (const p of trainPrompts) sentences.push([...p.tokens.slice(1), p.answer].map((w) => id.get(w)!));
  rng.shuffle(sentences);
  const train: number[] = [];
  for (const s of sentences) train.push(id.get(SEPARATOR)!, ...s);
  return { people, vocab, train: Int32Array.from(train), trainPrompts, heldOutPrompts };
}

/** Token ids of a prompt. */
export function encode(corpus: FactCorpus, tokens: readonly string[]): Int32Array {
  const id = new Map(corpus.vocab.map((w, i) => [w, i]));
  return Int32Array.from(tokens, (w) => {
    const i = id.get(w);
    if (i === undefined) throw new Error(`"${w}" is not in the fact corpus's vocabulary`);
    return i;
  });
}
