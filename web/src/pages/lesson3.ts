// Lesson 3 (page under construction in this commit; filled in by the lesson's own commits).

import { LESSONS, shell } from "../shell.js";

const lesson = LESSONS[2];
shell(lesson.number, `Lesson ${lesson.number} — ${lesson.title}`, "");
