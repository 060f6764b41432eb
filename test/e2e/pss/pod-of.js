// Prints, as JSON, one object of a multi-document YAML file, for kubectl to read on stdin:
//   node pod-of.js <file> <kind> <namespace> [pod]
// With `pod`, prints a Pod built from the object's pod template instead (PodSecurity
// enforces on Pods; on workload objects it only warns). The ServiceAccount is dropped
// from that Pod: it does not exist in the scratch namespace, and Pod Security ignores it.
const fs = require('fs');
const YAML = require('yaml');

const [file, kind, namespace, asPod] = process.argv.slice(2);
if (!file || !kind || !namespace) {
  console.error('usage: node pod-of.js <file> <kind> <namespace> [pod]');
  process.exit(2);
}
const objects = YAML.parseAllDocuments(fs.readFileSync(file, 'utf-8'))
  .map((d) => d.toJS())
  .filter((o) => o);
const found = objects.filter((o) => o.kind === kind);
if (found.length !== 1) {
  console.error(`pod-of.js: expected one ${kind} in ${file}, found ${found.length}`);
  process.exit(1);
}
const obj = found[0];
if (asPod !== 'pod') {
  obj.metadata.namespace = namespace;
  process.stdout.write(JSON.stringify(obj));
  process.exit(0);
}
const template = obj.spec.template;
const spec = { ...template.spec };
delete spec.serviceAccountName;
process.stdout.write(
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${obj.metadata.name}-pss`, namespace, labels: template.metadata?.labels ?? {} },
    spec,
  }),
);
