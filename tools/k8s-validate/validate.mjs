// Validates Kubernetes manifests against the official OpenAPI schemas, as compiled into the maintained
// `kubernetes-models` package (its validators are generated from the Kubernetes API's OpenAPI spec).
// Usage: node validate.mjs FILE.yaml...   Prints one line per document; exits 1 if any document is invalid.
import fs from "node:fs";
import yaml from "js-yaml";

// apiVersion "batch/v1" -> module "kubernetes-models/batch/v1/<Kind>"; the core group "v1" -> "kubernetes-models/v1/<Kind>".
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") throw new Error("apiVersion and kind are required");
  let module;
  try {
    module = await import(`kubernetes-models/${apiVersion}/${kind}`);
  } catch {
    throw new Error(`no schema for ${apiVersion} ${kind} in kubernetes-models`);
  }
  return module[kind];
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d != null);
  for (const [i, doc] of docs.entries()) {
    const what = `${file} [${i}] ${doc.kind ?? "?"} ${doc.metadata?.name ?? "?"}`;
    try {
      const Model = await modelFor(doc.apiVersion, doc.kind);
      new Model(doc).validate();
      console.log(`valid: ${what}`);
    } catch (e) {
      failed++;
      console.log(`INVALID: ${what}: ${String(e.message).replace(/\s+/g, " ")}`);
    }
  }
}
process.exit(failed > 0 ? 1 : 0);
