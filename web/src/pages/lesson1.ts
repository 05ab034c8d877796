// Lesson 1 (page under construction in this commit; filled in by the lesson's own commits).

import { LESSONS, shell } from "../shell.js";

const lesson = LESSONS[0];
shell(lesson.number, `Lesson ${lesson.number} — ${lesson.title}`, "");
