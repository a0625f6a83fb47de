// Keeps only the rules of the components the templates use, so that a phone downloads the
// CSS of some twenty components instead of all of them. Usage:
//   node scripts/trim-css.mjs IN.css TEMPLATE_DIR > OUT.css
// A component is a BEM block such as `utrecht-button` (its elements `__x` and modifiers `--y`
// belong to it). A selector is kept when every `utrecht-` class in it belongs to a component
// used somewhere in the templates; rules without `utrecht-` classes are kept as they are.
// Adding a new component to a template therefore needs scripts/vendor-nlds.sh to run again
// (a test in src/web/theme.rs says so).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const [input, templateDir] = process.argv.slice(2);
const css = readFileSync(input, "utf8");

const block = (cls) => cls.replace(/(__|--).*$/, "");
const used = new Set();
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else for (const m of readFileSync(path, "utf8").matchAll(/utrecht-[a-z0-9_-]+/g)) used.add(block(m[0]));
  }
};
walk(templateDir);

// Splits CSS text into top-level statements: { prelude, body } for blocks, { text } otherwise.
function statements(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out.push({ text: text.slice(i, stop) });
      i = stop;
      continue;
    }
    let j = i;
    let quote = null;
    while (j < text.length) {
      const c = text[j];
      if (quote) { if (c === "\\") j++; else if (c === quote) quote = null; }
      else if (c === '"' || c === "'") quote = c;
      else if (c === "{" || c === ";") break;
      else if (text.startsWith("/*", j)) break;
      j++;
    }
    if (j >= text.length || text.startsWith("/*", j)) { out.push({ text: text.slice(i, j) }); i = j; continue; }
    if (text[j] === ";") { out.push({ text: text.slice(i, j + 1) }); i = j + 1; continue; }
    let depth = 0;
    let k = j;
    quote = null;
    for (; k < text.length; k++) {
      const c = text[k];
      if (quote) { if (c === "\\") k++; else if (c === quote) quote = null; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    out.push({ prelude: text.slice(i, j), body: text.slice(j + 1, k) });
    i = k + 1;
  }
  return out;
}

function splitSelectors(prelude) {
  const parts = [];
  let depth = 0, start = 0;
  for (let i = 0; i < prelude.length; i++) {
    const c = prelude[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0) { parts.push(prelude.slice(start, i)); start = i + 1; }
  }
  parts.push(prelude.slice(start));
  return parts.map((s) => s.trim()).filter(Boolean);
}

function keepSelector(selector) {
  const classes = [...selector.matchAll(/\.(utrecht-[a-z0-9_-]+)/g)].map((m) => block(m[1]));
  return classes.every((c) => used.has(c));
}

function filter(text) {
  let out = "";
  for (const s of statements(text)) {
    if (s.text !== undefined) {
      const t = s.text.trim();
      if (t && !t.startsWith("/*") && !t.startsWith("@charset")) out += t + "\n";
      continue;
    }
    const prelude = s.prelude.trim();
    if (prelude.startsWith("@media") || prelude.startsWith("@supports") || prelude.startsWith("@layer") || prelude.startsWith("@container")) {
      const inner = filter(s.body);
      if (inner.trim()) out += `${prelude} {\n${inner}}\n`;
    } else if (prelude.startsWith("@")) {
      out += `${prelude} {${s.body}}\n`;
    } else {
      const kept = splitSelectors(prelude).filter(keepSelector);
      if (kept.length) out += `${kept.join(",\n")} {${s.body}}\n`;
    }
  }
  return out;
}

const header = css.match(/^\/\*\*?[\s\S]*?\*\//);
process.stdout.write(
  (header ? header[0] + "\n" : "") +
    `/* Trimmed by scripts/trim-css.mjs to the components the templates use: ${[...used].sort().join(" ")} */\n` +
    filter(css),
);
