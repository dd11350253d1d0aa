// squiggle_run.mjs - runs peers/squiggle_model.squiggle with @quri/squiggle-lang
// and prints the same JSON as numpy_model.py (outcome means with standard
// errors, wall time), so bench/run can compare it with tyche.
//
//   node bench/peers/squiggle_run.mjs -n 100000 [--seed 2014] [--modules DIR]
//
// DIR is the node_modules folder that holds @quri/squiggle-lang (default:
// bench/.peers/node_modules, where bench/run installs it with
// `npm install --prefix bench/.peers`).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
let n = 100000, seed = "2014", modules = join(here, "..", ".peers", "node_modules");
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "-n") n = Math.round(Number(argv[++i]));
  else if (argv[i] === "--seed") seed = String(argv[++i]);
  else if (argv[i] === "--modules") modules = argv[++i];
  else { console.error(`squiggle_run: unknown argument ${argv[i]}`); process.exit(2); }
}
if (!(n >= 2)) { console.error("squiggle_run: need -n >= 2"); process.exit(2); }

const require = createRequire(join(modules, "package.json"));
const entry = require.resolve("@quri/squiggle-lang");
const version = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")).version;
const { run } = await import(pathToFileURL(entry).href);

const code = readFileSync(join(here, "squiggle_model.squiggle"), "utf8");
const t0 = performance.now();
const out = await run(code, { environment: { sampleCount: n, xyPointLength: 1000, seed } });
const wall = (performance.now() - t0) / 1000;
if (!out.result.ok) {
  console.error("squiggle_run: " + out.result.value.toString());
  process.exit(1);
}
// The end result is a dict {outcome: {probability, sd}}; read it as plain JS.
// (asJS() wraps each dict as {vtype: "Dict", value: {...}}.)
const dict = out.result.value.result.asJS();
const get = (m, k) => (m && m.vtype === "Dict" ? m.value : m instanceof Map ? Object.fromEntries(m) : m)[k];
const outcomes = ["invasion", "squeeze", "federal_deal", "showdown", "withdrawal"].map((name) => {
  const o = get(dict, name);
  const p = Number(get(o, "probability")), sd = Number(get(o, "sd"));
  return { name, probability: p, stderr: sd / Math.sqrt(n) };
});
console.log(JSON.stringify({
  implementation: "squiggle", samples: n, seed: Number(seed), wall_seconds: wall,
  outcomes, squiggle_lang: version, node: process.version,
}));
