// Validates `stack kube generate` output against the Kubernetes API's JSON schemas, as compiled
// by the npm package kubernetes-models (ajv), and adds what those schemas let through:
//   - unknown fields (the API server refuses them under kubectl's default strict validation):
//     the data is wrapped in proxies and every field the schema's validator never read is unknown;
//   - null or empty fields (stack's own rule; `emptyDir: {}` is how Kubernetes spells a disk
//     scratch directory; a ConfigMap may hold an empty file, a command an empty argument);
//   - for a directory: kustomization.yaml lists every object file, and only those.
// Usage: node validate.mjs FILE.yaml|DIR ...   Exit 0 only if every object passed and there was one.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const kSchemas = {
  "apps/v1 Deployment": "IoK8sApiAppsV1Deployment",
  "batch/v1 Job": "IoK8sApiBatchV1Job",
  "v1 Service": "IoK8sApiCoreV1Service",
  "v1 ConfigMap": "IoK8sApiCoreV1ConfigMap",
  "v1 Secret": "IoK8sApiCoreV1Secret",
  "v1 PersistentVolumeClaim": "IoK8sApiCoreV1PersistentVolumeClaim",
  "networking.k8s.io/v1 NetworkPolicy": "IoK8sApiNetworkingV1NetworkPolicy",
};

let failures = 0;
let objects = 0;
function fail(where, message) {
  failures++;
  console.error(`${where}: ${message}`);
}

// A deep copy whose objects record the keys read from them.
function track(value, at, records) {
  if (value === null || typeof value !== "object") return value;
  const isArray = Array.isArray(value);
  const copy = isArray
    ? value.map((v, i) => track(v, `${at}/${i}`, records))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, track(v, `${at}/${k}`, records)]));
  const read = new Set();
  records.push({ at, copy, read, isArray });
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

function checkEmpty(value, at, where) {
  if (value === null || value === undefined) return fail(where, `${at} is null`);
  // Empty strings with a meaning: an empty file of a ConfigMap, an empty argument ("").
  if (value === "" && !/^\/data\/[^/]+$|\/(args|command)\/\d+$/.test(at)) return fail(where, `${at} is empty`);
  if (typeof value !== "object") return;
  const entries = Object.entries(value);
  if (entries.length === 0 && !at.endsWith("/emptyDir")) return fail(where, `${at} is empty`);
  for (const [k, v] of entries) checkEmpty(v, `${at}/${k}`, where);
}

// ajv's standalone errors carry no message: one from the keyword and its parameters.
function describe(e) {
  const at = e.instancePath || "/";
  const p = e.params ?? {};
  if (e.keyword === "type") return `${at} must be ${p.type}`;
  if (e.keyword === "required") return `${at} must have required property '${p.missingProperty}'`;
  if (e.keyword === "enum") return `${at} must be one of ${JSON.stringify(p.allowedValues)}`;
  if (e.keyword === "format") return `${at} must match format '${p.format}'`;
  return `${at} ${e.message ?? e.keyword} ${JSON.stringify(p)}`;
}

async function validateObject(doc, file) {
  const where = `${file}: ${doc?.kind ?? "?"} '${doc?.metadata?.name ?? "?"}'`;
  const schema = kSchemas[`${doc?.apiVersion} ${doc?.kind}`];
  if (!schema) return fail(where, `unexpected apiVersion/kind '${doc?.apiVersion} ${doc?.kind}'`);
  const { validate } = await import(`kubernetes-models/_schemas/${schema}`);
  const records = [];
  const data = track(doc, "", records);
  objects++;
  if (!validate(data)) for (const e of validate.errors) fail(where, describe(e));
  for (const r of records) {
    if (r.isArray) continue;
    for (const key of Object.keys(r.copy)) if (!r.read.has(key)) fail(where, `${r.at}/${key}: unknown field`);
  }
  checkEmpty(doc, "", where);
}

async function validateFile(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const d of docs) {
    if (d.errors.length) return fail(file, `YAML: ${d.errors[0].message}`);
    await validateObject(d.toJS(), file);
  }
  return docs.length;
}

function checkKustomization(dir) {
  const file = path.join(dir, "kustomization.yaml");
  if (!fs.existsSync(file)) return fail(dir, "no kustomization.yaml");
  const k = YAML.parse(fs.readFileSync(file, "utf8"));
  if (k?.apiVersion !== "kustomize.config.k8s.io/v1beta1" || k?.kind !== "Kustomization")
    fail(file, "not a kustomize.config.k8s.io/v1beta1 Kustomization");
  const listed = new Set(k?.resources ?? []);
  const present = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
  for (const f of present) if (!listed.has(f)) fail(file, `'${f}' is not listed in resources`);
  for (const f of listed) if (!present.includes(f)) fail(file, `resource '${f}' does not exist`);
  return present.map((f) => path.join(dir, f));
}

const targets = process.argv.slice(2);
if (targets.length === 0) {
  console.error("usage: node validate.mjs FILE.yaml|DIR ...");
  process.exit(2);
}
for (const t of targets) {
  const files = fs.statSync(t).isDirectory() ? checkKustomization(t) ?? [] : [t];
  for (const f of files) {
    if ((await validateFile(f)) === 0) fail(f, "no objects");
  }
}
console.log(`kube schema: ${objects} objects checked, ${failures} problems`);
process.exit(failures === 0 && objects > 0 ? 0 : 1);
