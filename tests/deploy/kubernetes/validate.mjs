// Validates every manifest in deploy/kubernetes against the Kubernetes API schemas and the
// prometheus-operator CRD schemas shipped by the npm packages kubernetes-models and
// @kubernetes-models/prometheus-operator (generated from the upstream OpenAPI specs).
// The schemas accept unknown fields, so this also rejects keys the model classes do not
// declare at the top levels we write (spec, pod spec, container), which catches typos such as
// hostPid.
// Usage: node validate.mjs <manifest.yaml>...   Exit 0 when every document is valid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const kModels = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Service": "kubernetes-models/v1/Service",
  "apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
};

// Keys that exist in the Kubernetes API for the objects we write; anything else is a typo.
const kPodSpecKeys = new Set(["activeDeadlineSeconds", "affinity", "automountServiceAccountToken",
  "containers", "dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers",
  "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "imagePullSecrets",
  "initContainers", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy", "priority",
  "priorityClassName", "readinessGates", "resourceClaims", "restartPolicy", "runtimeClassName",
  "schedulerName", "schedulingGates", "securityContext", "serviceAccount", "serviceAccountName",
  "setHostnameAsFQDN", "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds",
  "tolerations", "topologySpreadConstraints", "volumes"]);
const kContainerKeys = new Set(["args", "command", "env", "envFrom", "image", "imagePullPolicy",
  "lifecycle", "livenessProbe", "name", "ports", "readinessProbe", "resizePolicy", "resources",
  "restartPolicy", "securityContext", "startupProbe", "stdin", "stdinOnce",
  "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts",
  "workingDir"]);
const kSecurityContextKeys = new Set(["allowPrivilegeEscalation", "appArmorProfile",
  "capabilities", "privileged", "procMount", "readOnlyRootFilesystem", "runAsGroup",
  "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile", "windowsOptions"]);

function unknownKeys(obj, allowed, where) {
  return Object.keys(obj ?? {}).filter((k) => !allowed.has(k)).map((k) => `${where}.${k}`);
}

function strictChecks(doc) {
  if (doc.kind !== "DaemonSet") return [];
  const pod = doc.spec?.template?.spec ?? {};
  const errors = unknownKeys(pod, kPodSpecKeys, "spec.template.spec");
  for (const [i, c] of (pod.containers ?? []).entries()) {
    errors.push(...unknownKeys(c, kContainerKeys, `containers[${i}]`));
    errors.push(...unknownKeys(c.securityContext, kSecurityContextKeys,
                               `containers[${i}].securityContext`));
  }
  return errors;
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const parsed of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (parsed.errors.length) {
      console.error(`${file}: YAML error: ${parsed.errors[0].message}`);
      failures++;
      continue;
    }
    const doc = parsed.toJS();
    if (doc === null) continue;
    const key = `${doc.apiVersion}/${doc.kind}`;
    const name = `${file}: ${key} ${doc.metadata?.name}`;
    if (!(key in kModels)) {
      console.error(`${name}: no schema known for this apiVersion/kind`);
      failures++;
      continue;
    }
    const module = await import(kModels[key]);
    const Model = module[doc.kind];
    const errors = strictChecks(doc);
    try {
      new Model(doc).validate();
    } catch (e) {
      errors.push(e.message);
    }
    checked++;
    if (errors.length) {
      console.error(`${name}: INVALID\n  ${errors.join("\n  ")}`);
      failures++;
    } else {
      console.log(`${name}: valid`);
    }
  }
}
console.log(`${checked} checked, ${failures} failed`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
