// Copies the minified Leaflet and Leaflet.draw builds pinned in package-lock.json into vendor/, where
// CropData.Geo embeds them into the self-contained AOI picker page (AoiPickerPage). Rerun after changing a
// version:  npm ci && npm run vendor.   `npm run check` fails if vendor/ differs from node_modules.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const nm = join(here, "node_modules");
const files = [
  ["leaflet/dist/leaflet.js", "leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet.css"],
  ["leaflet/dist/images/layers.png", "images/layers.png"],
  ["leaflet/dist/images/layers-2x.png", "images/layers-2x.png"],
  ["leaflet/dist/images/marker-icon.png", "images/marker-icon.png"],
  ["leaflet/LICENSE", "LICENSE.leaflet"],
  ["leaflet-draw/dist/leaflet.draw.js", "leaflet.draw.js"],
  ["leaflet-draw/dist/leaflet.draw.css", "leaflet.draw.css"],
  ["leaflet-draw/dist/images/spritesheet.png", "images/spritesheet.png"],
  ["leaflet-draw/dist/images/spritesheet-2x.png", "images/spritesheet-2x.png"],
  ["leaflet-draw/dist/images/spritesheet.svg", "images/spritesheet.svg"],
];
const check = process.argv.includes("--check");
const version = (p) => JSON.parse(readFileSync(join(nm, p, "package.json"), "utf8")).version;
const sha = (b) => createHash("sha256").update(b).digest("hex");
const manifest = { leaflet: version("leaflet"), "leaflet-draw": version("leaflet-draw"), files: {} };
let bad = 0;
for (const [from, to] of files) {
  const bytes = readFileSync(join(nm, from));
  manifest.files[to] = sha(bytes);
  const dest = join(here, "vendor", to);
  if (check) {
    if (!existsSync(dest) || sha(readFileSync(dest)) !== sha(bytes)) { console.error(`differs: vendor/${to}`); bad++; }
  } else {
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, bytes);
  }
}
const text = JSON.stringify(manifest, null, 2) + "\n";
if (check) {
  const current = existsSync(join(here, "vendor", "VENDORED.json")) ? readFileSync(join(here, "vendor", "VENDORED.json"), "utf8") : "";
  if (current !== text) { console.error("differs: vendor/VENDORED.json"); bad++; }
  if (bad) { console.error(`${bad} vendored file(s) out of date: run npm run vendor`); process.exit(1); }
  console.log("vendor/ matches node_modules");
} else {
  writeFileSync(join(here, "vendor", "VENDORED.json"), text);
  console.log(`vendored leaflet ${manifest.leaflet}, leaflet-draw ${manifest["leaflet-draw"]}`);
}
