// Build the web application's static files into src/reoffkit/web/static/reoffkit/.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "reoffkit", "web", "static", "reoffkit");
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(here, "src", "app.scss"), {
  loadPaths: [here, join(here, "node_modules")],
  style: "compressed",
  quietDeps: true,
  logger: sass.Logger.silent,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(join(out, "app.css"), css.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(here, "src", "app.mjs"), join(out, "app.mjs"));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "images"), { recursive: true });
// MoJ Frontend's icons are referenced from the same assets path.
const moj = join(here, "node_modules", "@ministryofjustice", "frontend", "moj");
cpSync(join(moj, "assets", "images"), join(out, "govuk", "images"), { recursive: true });
console.log(`built ${out}`);
