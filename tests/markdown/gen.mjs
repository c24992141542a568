// Generates hoshin's Markdown conformance data (run once; the output is committed).
//   npm install markdown-it@15.0.3 markdown-it-cjk-friendly@3.0.0 commonmark-spec@0.31.2
//   mkdir testcases   # testcases/*.md of github.com/tats-u/markdown-cjk-friendly at
//                     # 7fdf4909d0d7 (strong, korean, non-bmp, pseudo-emoji,
//                     # underscore-cjk-punct), the ```md example of
//                     # packages/markdown-it-cjk-friendly/README.md as readme-example.md,
//                     # and hoshin's own testcases/hoshin.md
//   node gen.mjs OUT_DIR
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import MarkdownIt from "markdown-it";
import cjkFriendly from "markdown-it-cjk-friendly";

const require = createRequire(import.meta.url);
const out = process.argv[2];
const spec = require("commonmark-spec");
fs.writeFileSync(
  path.join(out, "commonmark-0.31.2.json"),
  JSON.stringify(
    // spec.txt shows tabs as →; its own test runner puts the tabs back.
    spec.tests.map((t) => ({
      example: t.number,
      section: t.section,
      markdown: t.markdown.replace(/→/g, "\t"),
      html: t.html.replace(/→/g, "\t"),
    })),
    null,
    1,
  ) + "\n",
);

const md = new MarkdownIt({ html: true }).use(cjkFriendly);
const cases = [];
for (const file of fs.readdirSync("testcases").sort()) {
  const text = fs.readFileSync(path.join("testcases", file), "utf8");
  for (const para of text.split(/\n\s*\n/)) {
    const markdown = para.trim();
    if (!markdown) continue;
    cases.push({ file, markdown, html: md.render(markdown) });
  }
}
fs.writeFileSync(path.join(out, "cjk-friendly.json"), JSON.stringify(cases, null, 1) + "\n");
console.log(`${spec.tests.length} CommonMark examples, ${cases.length} CJK-friendly paragraphs`);
