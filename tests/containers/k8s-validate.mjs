// tests/containers/k8s-validate.mjs: validates deploy/k8s offline.
//
//   node tests/containers/k8s-validate.mjs DIR
//
// 1. Schema: every document of every DIR/*.yaml (and secret.example.yaml)
//    against the Kubernetes schemas of the npm package kubernetes-models.
// 2. Strict: no field the API does not know (kubectl's --validate=strict
//    would refuse it; the schemas alone allow any extra field).  The known
//    fields are read from kubernetes-models' type declarations.
// 3. Rules of this project: per Deployment two replicas, rolling updates,
//    readiness on /readyz, liveness on /healthz, requests and limits,
//    non-root, read-only root filesystem with a writable /tmp; a Service, a
//    PodDisruptionBudget and a HorizontalPodAutoscaler that match it; the
//    ConfigMap and Secret it refers to; every Ingress backend is a Service
//    port; kustomization.yaml lists every manifest.  Secrets by least
//    privilege: each variable of SERVICE_SECRETS reaches its service from a
//    Secret (never a literal value) and no other service; a Secret other
//    than the shared one is referred to by one Deployment only.
// 4. A self-test first: broken copies of the manifests must fail 1-3, so a
//    validator that checks nothing cannot pass.
// Prints one line per check; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';

const require = createRequire(import.meta.url);
const MODELS = path.dirname(require.resolve('kubernetes-models/package.json'));
const NODE_MODULES = path.resolve(MODELS, '..');

// ---- 1. schema ------------------------------------------------------------------
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return null;
  try {
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return mod[kind] ?? null;
  } catch {
    return null;
  }
}

async function schemaErrors(doc) {
  const Model = await modelFor(doc.apiVersion, doc.kind);
  if (!Model) return [`no schema for ${doc.apiVersion} ${doc.kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [e.message];
  }
}

// ---- 2. strict: fields from the .d.ts declarations -------------------------------
const declCache = new Map();

// The properties of the first interface in FILE.d.ts: name -> {ref, file}
// where ref is the referenced interface (element type for arrays) or null
// for a leaf (string, number, map, union, IntOrString, Quantity ...).
function declOf(file) {
  if (declCache.has(file)) return declCache.get(file);
  const text = fs.readFileSync(`${file}.d.ts`, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    const target = m[2].startsWith('.') ? path.resolve(path.dirname(file), m[2]) : path.join(NODE_MODULES, m[2]);
    for (const name of m[1].split(',').map((s) => s.trim())) imports.set(name, target);
  }
  const body = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text);
  let props = null;
  if (body) {
    props = new Map();
    for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) {
      const type = m[2].replace(/;$/, '');
      const ref = /^(?:Array<)?(IIo\w+)>?$/.exec(type);
      props.set(m[1], ref && imports.has(ref[1]) ? imports.get(ref[1]) : null);
    }
  }
  declCache.set(file, props);
  return props;
}

function unknownFields(value, file, where, out) {
  const props = file ? declOf(file) : null;
  if (!props || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, file, `${where}[${i}]`, out));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!props.has(k)) out.push(`${where}.${k}: unknown field`);
    else unknownFields(v, props.get(k), `${where}.${k}`, out);
  }
  return out;
}

function strictErrors(doc) {
  const group = doc.apiVersion.includes('/') ? doc.apiVersion : `v1`;
  const file = path.join(MODELS, group === 'v1' ? 'v1' : doc.apiVersion, doc.kind);
  if (!fs.existsSync(`${file}.d.ts`)) return [`no declarations for ${doc.apiVersion} ${doc.kind}`];
  return unknownFields(doc, file, doc.kind, []);
}

// ---- 3. the project's rules -------------------------------------------------------
const matches = (selector, labels) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function deploymentErrors(d, all) {
  const errs = [];
  const name = d.metadata?.name;
  const need = (ok, what) => ok || errs.push(`Deployment ${name}: ${what}`);
  const spec = d.spec ?? {};
  const pod = spec.template?.spec ?? {};
  const labels = spec.template?.metadata?.labels ?? {};
  need(spec.replicas === 2, 'replicas must be 2');
  need(spec.strategy?.type === 'RollingUpdate', 'strategy must be RollingUpdate');
  need(spec.strategy?.rollingUpdate?.maxUnavailable === 0, 'rollingUpdate.maxUnavailable must be 0');
  need(matches(spec.selector?.matchLabels, labels), 'selector must match the pod labels');
  need(pod.securityContext?.runAsNonRoot === true, 'pod securityContext.runAsNonRoot must be true');
  need(pod.automountServiceAccountToken === false, 'automountServiceAccountToken must be false');
  need((pod.containers ?? []).length > 0, 'no containers');
  for (const c of pod.containers ?? []) {
    const cn = `container ${c.name}`;
    need(c.readinessProbe?.httpGet?.path === '/readyz', `${cn}: readinessProbe must GET /readyz`);
    need(c.livenessProbe?.httpGet?.path === '/healthz', `${cn}: livenessProbe must GET /healthz`);
    for (const kind of ['requests', 'limits'])
      for (const r of ['cpu', 'memory']) need(c.resources?.[kind]?.[r] !== undefined, `${cn}: resources.${kind}.${r}`);
    need(c.securityContext?.readOnlyRootFilesystem === true, `${cn}: readOnlyRootFilesystem must be true`);
    need(c.securityContext?.allowPrivilegeEscalation === false, `${cn}: allowPrivilegeEscalation must be false`);
    need((c.securityContext?.capabilities?.drop ?? []).includes('ALL'), `${cn}: must drop ALL capabilities`);
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
    need(tmp && (pod.volumes ?? []).some((v) => v.name === tmp.name && v.emptyDir), `${cn}: /tmp must be an emptyDir`);
    for (const ref of c.envFrom ?? []) {
      if (ref.configMapRef)
        need(all.some((o) => o.kind === 'ConfigMap' && o.metadata?.name === ref.configMapRef.name), `${cn}: no ConfigMap ${ref.configMapRef.name}`);
    }
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef;
      if (!s) continue;
      const secret = all.find((o) => o.kind === 'Secret' && o.metadata?.name === s.name);
      need(secret && (secret.stringData?.[s.key] !== undefined || secret.data?.[s.key] !== undefined),
        `${cn}: env ${e.name} refers to ${s.name}/${s.key}, which secret.example.yaml does not show`);
    }
    const ports = (c.ports ?? []).map((p) => p.name);
    const svc = all.find((o) => o.kind === 'Service' && matches(o.spec?.selector, labels));
    need(svc, 'no Service selects its pods');
    if (svc) for (const p of svc.spec?.ports ?? []) need(ports.includes(p.targetPort) || (c.ports ?? []).some((cp) => cp.containerPort === p.targetPort), `Service ${svc.metadata.name}: targetPort ${p.targetPort} is no container port`);
  }
  need(all.some((o) => o.kind === 'PodDisruptionBudget' && matches(o.spec?.selector?.matchLabels, labels) && o.spec?.minAvailable >= 1), 'no PodDisruptionBudget with minAvailable >= 1');
  const hpa = all.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.kind === 'Deployment' && o.spec?.scaleTargetRef?.name === name);
  need(hpa, 'no HorizontalPodAutoscaler');
  if (hpa) need(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas >= hpa.spec.minReplicas, 'HPA: minReplicas >= 2, maxReplicas >= minReplicas');
  return errs;
}

// A service's own secrets: the variable, the one Deployment that gets it, and
// the Secret it comes from (deploy/k8s/render.sh's SERVICE_SECRETS).
const SERVICE_SECRETS = [
  { env: 'TANDEM_WEBHOOK_SECRET_KEY', service: 'notify', secret: 'tandem-notify-secrets' },
];
const SHARED_SECRET = 'tandem-secrets';

function secretErrors(all) {
  const errs = [];
  const deps = all.filter((o) => o.kind === 'Deployment');
  const envOf = (d) => (d.spec?.template?.spec?.containers ?? []).flatMap((c) => c.env ?? []);
  for (const { env, service, secret } of SERVICE_SECRETS) {
    for (const d of deps) {
      const name = d.metadata?.name;
      const e = envOf(d).filter((v) => v.name === env);
      if (name === service) {
        if (e.length !== 1 || e[0].valueFrom?.secretKeyRef?.name !== secret || e[0].value !== undefined)
          errs.push(`Deployment ${name}: env ${env} must come from the Secret ${secret} (secretKeyRef), once`);
        else if (e[0].valueFrom.secretKeyRef.optional === true)
          errs.push(`Deployment ${name}: env ${env} must not be optional`);
      } else if (e.length) {
        errs.push(`Deployment ${name}: env ${env} is ${service}'s alone (least privilege)`);
      }
    }
  }
  const users = new Map();
  for (const d of deps) {
    const pod = d.spec?.template?.spec ?? {};
    const refs = [
      ...(pod.containers ?? []).flatMap((c) => [
        ...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name),
        ...(c.envFrom ?? []).map((e) => e.secretRef?.name),
      ]),
      ...(pod.volumes ?? []).map((v) => v.secret?.secretName),
    ].filter(Boolean);
    for (const r of new Set(refs)) users.set(r, [...(users.get(r) ?? []), d.metadata?.name]);
  }
  for (const [secret, names] of users)
    if (secret !== SHARED_SECRET && names.length > 1)
      errs.push(`Secret ${secret} is read by ${names.join(', ')}: a service's own Secret is for one Deployment`);
  return errs;
}

function ingressErrors(ing, all) {
  const errs = [];
  for (const rule of ing.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const b = p.backend?.service;
      const svc = all.find((o) => o.kind === 'Service' && o.metadata?.name === b?.name);
      if (!svc || !(svc.spec?.ports ?? []).some((sp) => sp.port === b?.port?.number || sp.name === b?.port?.name))
        errs.push(`Ingress ${ing.metadata?.name}: ${p.path} goes to ${b?.name}:${b?.port?.number ?? b?.port?.name}, no such Service port`);
    }
  }
  return errs;
}

function kustomizationErrors(kust, files) {
  const listed = new Set(kust.resources ?? []);
  const errs = [];
  for (const r of listed) if (!files.includes(r)) errs.push(`kustomization.yaml: ${r} does not exist`);
  for (const f of files) if (!listed.has(f) && f !== 'secret.example.yaml') errs.push(`kustomization.yaml: ${f} is not listed`);
  return errs;
}

// ---- loading and the run -------------------------------------------------------------
function load(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
  const docs = [];
  const errors = [];
  for (const f of files) {
    for (const d of parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))) {
      if (d.errors.length) errors.push(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
      const obj = d.toJS();
      if (obj) docs.push({ file: f, obj });
    }
  }
  const kust = parseAllDocuments(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS();
  return { files, docs, kust, errors };
}

async function validate({ files, docs, kust, errors }) {
  const all = docs.map((d) => d.obj);
  const results = [];
  for (const { file, obj } of docs) {
    const what = `${file}: ${obj.kind} ${obj.metadata?.name}`;
    const errs = [...(await schemaErrors(obj)), ...strictErrors(obj)];
    if (obj.kind === 'Deployment') errs.push(...deploymentErrors(obj, all));
    if (obj.kind === 'Ingress') errs.push(...ingressErrors(obj, all));
    results.push({ what, errs });
  }
  results.push({ what: 'secrets by least privilege', errs: secretErrors(all) });
  results.push({ what: 'kustomization.yaml', errs: kustomizationErrors(kust, files) });
  if (errors.length) results.push({ what: 'YAML', errs: errors });
  return results;
}

const failed = (results) => results.filter((r) => r.errs.length > 0);

// Each breakage must make validate() fail with a message matching its pattern.
async function selfTest(loaded) {
  const breakages = [
    ['an unknown field', /readinesProbe: unknown field/, (d) => {
      const c = d.spec.template.spec.containers[0];
      c.readinesProbe = c.readinessProbe;
      delete c.readinessProbe;
    }],
    ['a wrong type', /replicas must be integer/, (d) => { d.spec.replicas = '2'; }],
    ['a bad quantity', /quantity/, (d) => { d.spec.template.spec.containers[0].resources.limits.cpu = 'lots'; }],
    ['a writable root', /readOnlyRootFilesystem/, (d) => { d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }],
    ['liveness elsewhere', /livenessProbe must GET \/healthz/, (d) => { d.spec.template.spec.containers[0].livenessProbe.httpGet.path = '/readyz'; }],
  ];
  // these break a named Deployment: [what, pattern, deployment, breakIt]
  const envOf = (d) => d.spec.template.spec.containers[0].env;
  const named = [
    ['notify without its webhook key', /TANDEM_WEBHOOK_SECRET_KEY must come from the Secret/, 'notify', (d) => {
      d.spec.template.spec.containers[0].env = envOf(d).filter((e) => e.name !== 'TANDEM_WEBHOOK_SECRET_KEY');
    }],
    ['the webhook key as a literal', /TANDEM_WEBHOOK_SECRET_KEY must come from the Secret/, 'notify', (d) => {
      for (const e of envOf(d)) if (e.name === 'TANDEM_WEBHOOK_SECRET_KEY') { delete e.valueFrom; e.value = '00'.repeat(32); }
    }],
    ['the webhook key given to people', /TANDEM_WEBHOOK_SECRET_KEY is notify's alone/, 'people', (d) => {
      envOf(d).push({ name: 'TANDEM_WEBHOOK_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'tandem-notify-secrets', key: 'webhook-secret-key' } } });
    }],
    ["notify's Secret mounted by phases", /Secret tandem-notify-secrets is read by/, 'phases', (d) => {
      d.spec.template.spec.volumes.push({ name: 'leak', secret: { secretName: 'tandem-notify-secrets' } });
    }],
  ];
  const problems = [];
  for (const [what, pattern, breakIt, name] of [...breakages, ...named.map(([w, p, n, b]) => [w, p, b, n])]) {
    const copy = structuredClone(loaded);
    const dep = copy.docs.find((d) => d.obj.kind === 'Deployment' && (!name || d.obj.metadata?.name === name));
    if (!dep) return [`no Deployment ${name ?? ''} to break`];
    breakIt(dep.obj);
    const msgs = failed(await validate(copy)).flatMap((r) => r.errs).join('\n');
    if (!pattern.test(msgs)) problems.push(`self-test: ${what} was not caught`);
  }
  return problems;
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node k8s-validate.mjs DIR');
  process.exit(2);
}
const loaded = load(dir);
const self = await selfTest(loaded);
const results = await validate(loaded);
for (const r of results) console.log(`${r.errs.length ? 'FAIL' : 'ok  '} ${r.what}${r.errs.map((e) => `\n       ${e}`).join('')}`);
for (const p of self) console.log(`FAIL ${p}`);
if (!self.length) console.log('ok   self-test: broken copies are refused (unknown field, type, quantity, rules, secrets)');
const bad = failed(results).length + self.length;
console.log(`kubernetes-models ${require('kubernetes-models/package.json').version}: ${results.length} checked, ${bad} failed`);
process.exit(bad ? 1 : 0);
