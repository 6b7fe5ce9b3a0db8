// Tracking through `slipway converge` on the real cluster (issue 8): an image built from the test project, a chart
// whose workloads run it in different modes, and what the user sees: logs prefixed by pod/container, each kind of
// failure detected and named (image pull, crash loop, config error, scheduling, hooks, probes, budget), fail and
// termination modes, golden plain output, the TTY printer under a pseudo-terminal, and a last screen that names
// the root cause. Cases run concurrently, each in its own namespace.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { runInPty, stripAnsi } from "../helpers/pty.js";
import type { SlipwayResult } from "../helpers/slipway.js";
import { converge, deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const GOLDEN = fileURLToPath(new URL("../golden/converge/", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/slipway.js", import.meta.url));
/** All cases share one release name, hence one --repo: the image is built once (in beforeAll) and then reused. */
const RELEASE = "trk";

const namespaces: string[] = [];
/** Measured detection times (seconds, as slipway printed them), for the record. */
const detections: Record<string, number> = {};
afterAll(() => {
  for (const ns of namespaces) deleteNamespace(env, ns);
  console.log(`detection times (s): ${JSON.stringify(detections)}`);
});

function freshNamespace(prefix: string): string {
  const ns = uniqueName(`trk-${prefix}`);
  namespaces.push(ns);
  return ns;
}

/** The program the image runs; the chart picks the mode per workload. */
const RUN_SH = `#!/bin/sh
mode="$1"
echo "app starting mode=$mode"
case "$mode" in
  serve) echo "listening on :8080"; sleep 1; touch /tmp/ready; exec sleep 3600;;
  crash) echo "fatal: cannot open database at db:5432"; exit 1;;
  job-ok) echo "migration 0001 applied"; exit 0;;
  job-fail) echo "migration 0002 failed: table locked"; exit 1;;
  *) echo "unknown mode $mode"; exit 2;;
esac
`;

const IMAGE = "{{ .Values.werf.image.app }}";

interface WorkloadSpec {
  readonly mode: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly image?: string;
  /** Extra fields of the container. */
  readonly container?: Readonly<Record<string, unknown>>;
  readonly replicas?: number;
}

/** The templates are JSON (valid YAML) so nothing depends on indentation; the image is a Go template action. */
function deployment(name: string, spec: WorkloadSpec): string {
  return JSON.stringify(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, ...(spec.annotations === undefined ? {} : { annotations: spec.annotations }) },
      spec: {
        replicas: spec.replicas ?? 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: "main", image: spec.image ?? IMAGE, command: ["/run.sh", spec.mode], ...spec.container }],
          },
        },
      },
    },
    null,
    2,
  );
}

function job(name: string, mode: string, annotations: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name, annotations },
      spec: {
        backoffLimit: 0,
        template: {
          spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 0, containers: [{ name: "migrate", image: IMAGE, command: ["/run.sh", mode] }] },
        },
      },
    },
    null,
    2,
  );
}

/** A serving container that becomes ready a second after it logged its start. */
const SERVE: WorkloadSpec = {
  mode: "serve",
  container: { readinessProbe: { exec: { command: ["test", "-f", "/tmp/ready"] }, periodSeconds: 1, failureThreshold: 3 } },
};

/**
 * A crashing container. Its readiness probe never passes (crash mode never creates /tmp/ready): without one, the pod
 * is Ready for the instant the container runs between restarts, and the Deployment counts as available then.
 */
const CRASH: WorkloadSpec = {
  mode: "crash",
  container: { readinessProbe: { exec: { command: ["test", "-f", "/tmp/ready"] }, initialDelaySeconds: 5, periodSeconds: 1 } },
};

function project(templates: Readonly<Record<string, string>>) {
  const chart: Record<string, string> = { "Chart.yaml": "apiVersion: v2\nname: trk\nversion: 0.1.0\n" };
  for (const [file, text] of Object.entries(templates)) chart[`templates/${file}`] = text;
  return makeProject({
    project: "trk",
    images: "image: app\ndockerfile: Dockerfile\n",
    chart,
    files: { Dockerfile: "FROM 127.0.0.1:5000/base/busybox\nCOPY run.sh /run.sh\n", "run.sh": { content: RUN_SH, mode: 0o755 } },
  });
}

interface Run extends SlipwayResult {
  readonly namespace: string;
  readonly wallMs: number;
}

async function run(prefix: string, templates: Readonly<Record<string, string>>, args: readonly string[] = ["--timeout", "60"], extraEnv: Readonly<Record<string, string>> = {}): Promise<Run> {
  const namespace = freshNamespace(prefix);
  const started = Date.now();
  const result = await converge(env, project(templates), { namespace, release: RELEASE, args, env: extraEnv });
  return { ...result, namespace, wallMs: Date.now() - started };
}

/** slipway's own measure of a failed track: `✗ Deployment/x failed: <reason> (12.34s)`. */
function failedAfter(out: string, resource: string): number {
  const line = out.split("\n").find((l) => l.startsWith(`✗ ${resource} failed: `));
  const seconds = /\((\d+(?:\.\d+)?)s\)$/.exec(line ?? "")?.[1];
  if (seconds === undefined) throw new Error(`no "✗ ${resource} failed" line in:\n${out}`);
  return Number(seconds);
}

function podsOf(namespace: string, app: string): string[] {
  return kubectl(env, "get", "pods", "-n", namespace, "-l", `app=${app}`, "-o", "jsonpath={.items[*].metadata.name}").split(" ").filter((n) => n !== "");
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * The deploy part of a plain converge log (from `Start release`) with what changes between runs replaced: the
 * namespace, pod and ReplicaSet hashes, uids, durations; runs of spaces (table padding follows name lengths) become two.
 */
function normalise(out: string, namespace: string): string {
  const start = out.indexOf("Start release");
  if (start < 0) throw new Error(`no "Start release" in:\n${out}`);
  return out
    .slice(start)
    .replaceAll(namespace, "NAMESPACE")
    .replace(/\bweb-[a-z0-9]{6,10}-[a-z0-9]{5}(?![a-z0-9-])/g, "web-HASH-ID")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UID")
    // Kubelet noise of this environment, present or not depending on load: no cluster DNS (about every pod), and the
    // service-account volume's configmap cache not synced yet.
    .replace(/^│ +Pod\/web-HASH-ID: (MissingClusterDNS|FailedMount): .*\n/gm, "")
    .replace(/\(\d+(?:\.\d+)?s\)/g, "(Xs)")
    .replace(/Running time \d+(?:\.\d+)? seconds/g, "Running time X seconds")
    .replace(/(?<=[^\s│]) {2,}/g, "  ")
    .replace(/ +$/gm, "");
}

/** Compares with test/golden/converge/<name>; SLIPWAY_UPDATE_GOLDEN=1 writes the file from this run instead. */
function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN, name);
  if (process.env["SLIPWAY_UPDATE_GOLDEN"] === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  if (!existsSync(path)) throw new Error(`${path} is missing: run with SLIPWAY_UPDATE_GOLDEN=1 to create it from a real run`);
  expect(text).toBe(readFileSync(path, "utf8"));
}

/** A config error: deterministic output, detected after a fixed grace period. */
const CONFIG_ERROR_CHART = {
  "cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  present: "1"\n`,
  "web.yaml": deployment("web", {
    ...SERVE,
    container: { ...SERVE.container, env: [{ name: "DB_URL", valueFrom: { configMapKeyRef: { name: "settings", key: "db-url" } } }] },
  }),
};

beforeAll(async () => {
  // Builds and pushes the image once; every case below reuses it from the registry.
  const warm = await run("build", { "cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: image\ndata:\n  image: "${IMAGE}"\n` });
  expect(warm.stderr).toBe("");
  expect(warm.code).toBe(0);
});

describe.concurrent("converge tracks readiness on the real cluster", () => {
  it("1. a good Deployment becomes ready and its log lines are printed prefixed by pod/container", async () => {
    const r = await run("good", { "web.yaml": deployment("web", SERVE) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Use previously built image for app/dockerfile");
    const [pod] = podsOf(r.namespace, "web");
    expect(r.stdout).toContain(`│ ${pod}/main: app starting mode=serve`);
    expect(r.stdout).toContain(`│ ${pod}/main: listening on :8080`);
    expect(r.stdout).toMatch(/^✓ Deployment\/web ready \(\d+\.\d+s\)$/m);
    expect(r.stdout).toContain(`Succeeded release "${RELEASE}" (namespace: "${r.namespace}")`);
  });

  it("1b. lines logged before a probe-less pod turns ready are printed, although it is ready at once", async () => {
    // No readiness probe: the pod is Ready as soon as the container runs, often before its log stream has delivered.
    const r = await run("quick", {
      "web.yaml": deployment("web", { mode: "serve", replicas: 2, annotations: { "werf.io/show-logs-only-for-number-of-replicas": "2" } }),
    });
    expect(r.code).toBe(0);
    const pods = podsOf(r.namespace, "web");
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(r.stdout).toContain(`│ ${pod}/main: app starting mode=serve`);
  });

  it("2. an image missing from the registry: ErrImagePull/ImagePullBackOff, exit 1 naming the container and image", async () => {
    const missing = `${env.registry}/e2e/trk-missing:no-such-tag`;
    const r = await run("pull", { "web.yaml": deployment("web", { mode: "serve", image: missing }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/waiting for resource "Deployment\/web" readiness failed: container main in pod web-\S+: (ImagePullBackOff|ErrImagePull), image "127\.0\.0\.1:5000\/e2e\/trk-missing:no-such-tag"/);
    expect(r.stdout).toMatch(/(ErrImagePull|ImagePullBackOff) in pod web-\S+ container main \(errors 1\/1\)/);
    const seconds = failedAfter(r.stdout, "Deployment/web");
    detections["ImagePull"] = seconds;
    expect(seconds).toBeLessThan(45);
    // 11. the last lines name the root cause: container, pod, reason and image.
    const [pod] = podsOf(r.namespace, "web");
    const tail = lastLines(r.stdout, 15);
    expect(tail).toContain(`container main in pod ${pod}`);
    expect(tail).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(tail).toContain(missing);
  });

  it("3 and 11. a container exiting 1 crash-loops; the failure comes well before --timeout with its last log lines", async () => {
    const r = await run("crash", { "web.yaml": deployment("web", CRASH) });
    expect(r.code).toBe(1);
    const [pod] = podsOf(r.namespace, "web");
    expect(r.stderr).toContain(`waiting for resource "Deployment/web" readiness failed: container main in pod ${pod}: CrashLoopBackOff, exit code 1`);
    expect(r.stdout).toContain(`│ ${pod}/main: fatal: cannot open database at db:5432`);
    const seconds = failedAfter(r.stdout, "Deployment/web");
    detections["CrashLoopBackOff"] = seconds;
    expect(seconds).toBeLessThan(50);
    // slipway's own timeout, not a kubelet warning such as FailedMount's "timed out waiting for the condition".
    expect(r.stdout).not.toMatch(/timed out after \d/);
    const tail = lastLines(r.stdout, 15);
    expect(tail).toContain(`Deployment/web: container main in pod ${pod}: CrashLoopBackOff, exit code 1`);
    expect(tail).toMatch(/Last (\d+ )?log lines/);
    expect(tail).toContain("fatal: cannot open database at db:5432");
    expect(lastLines(r.stdout, 2)).toMatch(/^Failed release "trk" \(namespace: "trk-crash-[^"]+"\)$/m);
  });

  it("4. an env var from a missing ConfigMap key: CreateContainerConfigError is reported (werf waits forever)", async () => {
    const r = await run("cfg", CONFIG_ERROR_CHART);
    expect(r.code).toBe(1);
    const [pod] = podsOf(r.namespace, "web");
    expect(r.stderr).toContain(`readiness failed: container main in pod ${pod}: CreateContainerConfigError: couldn't find key db-url in ConfigMap ${r.namespace}/settings`);
    const seconds = failedAfter(r.stdout, "Deployment/web");
    detections["CreateContainerConfigError"] = seconds;
    // After the grace period (5 s) and long before the 60 s timeout.
    expect(seconds).toBeGreaterThanOrEqual(5);
    expect(seconds).toBeLessThan(30);
    expect(lastLines(r.stdout, 15)).toContain(`container main in pod ${pod}: CreateContainerConfigError`);
  });

  it("5. a pod requesting more CPU than the node has: FailedScheduling after the grace period", async () => {
    const r = await run("sched", { "web.yaml": deployment("web", { ...SERVE, container: { ...SERVE.container, resources: { requests: { cpu: "512" } } } }) });
    expect(r.code).toBe(1);
    const [pod] = podsOf(r.namespace, "web");
    expect(r.stderr).toContain(`readiness failed: pod ${pod}: FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu`);
    const seconds = failedAfter(r.stdout, "Deployment/web");
    detections["FailedScheduling"] = seconds;
    expect(seconds).toBeGreaterThanOrEqual(10);
    expect(seconds).toBeLessThan(40);
    expect(lastLines(r.stdout, 15)).toContain(`pod ${pod}: FailedScheduling`);
  });

  it("6a. a failing pre-install Job hook fails the deploy with its logs; the main resources are never applied", async () => {
    const r = await run("hookfail", {
      "migrate.yaml": job("migrate", "job-fail", { "helm.sh/hook": "pre-install" }),
      "web.yaml": deployment("web", SERVE),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/waiting for resource "Job\/migrate" readiness failed/);
    expect(r.stdout).toMatch(/│ migrate-[a-z0-9]+\/migrate: migration 0002 failed: table locked/);
    const seconds = failedAfter(r.stdout, "Job/migrate");
    detections["Job hook failed"] = seconds;
    expect(seconds).toBeLessThan(30);
    const tail = lastLines(r.stdout, 15);
    expect(tail).toContain("Job/migrate: Job failed: BackoffLimitExceeded");
    expect(tail).toContain("migration 0002 failed: table locked");
    expect(kubectl(env, "get", "deployments", "-n", r.namespace, "-o", "name")).toBe("");
  });

  it("6b. a succeeding pre-install Job hook prints its logs and the deploy goes on", async () => {
    const r = await run("hookok", {
      "migrate.yaml": job("migrate", "job-ok", { "helm.sh/hook": "pre-install" }),
      "web.yaml": deployment("web", SERVE),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ migrate-[a-z0-9]+\/migrate: migration 0001 applied/);
    expect(r.stdout).toMatch(/^✓ Job\/migrate ready/m);
    // The hook's logs come before the main Deployment is even created.
    expect(r.stdout.indexOf("migration 0001 applied")).toBeLessThan(r.stdout.indexOf("Create: Deployment/web"));
    expect(kubectl(env, "get", "deployment", "web", "-n", r.namespace, "-o", "jsonpath={.status.readyReplicas}")).toBe("1");
  });

  it("7a. a readiness probe that never passes fails when --timeout is reached, with a clear message", async () => {
    const r = await run(
      "probe",
      {
        "web.yaml": deployment("web", {
          mode: "serve",
          annotations: { "werf.io/ignore-readiness-probe-fails-for-main": "1h" },
          container: { readinessProbe: { exec: { command: ["/bin/false"] }, periodSeconds: 1 } },
        }),
      },
      ["--timeout", "15"],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('waiting for resource "Deployment/web" readiness failed: timed out after 15s waiting for available 0->1');
    const seconds = failedAfter(r.stdout, "Deployment/web");
    detections["readiness timeout (15s)"] = seconds;
    expect(seconds).toBeGreaterThanOrEqual(15);
    expect(seconds).toBeLessThan(20);
    expect(lastLines(r.stdout, 15)).toContain("Deployment/web: timed out after 15s");
  });

  it("7b. werf.io/failures-allowed-per-replica: \"2\" tolerates two crash-loop errors and fails on the third", async () => {
    const r = await run("budget", { "web.yaml": deployment("web", { ...CRASH, annotations: { "werf.io/failures-allowed-per-replica": "2" } }) }, ["--timeout", "150"]);
    expect(r.code, r.stdout).toBe(1);
    const counts = [...r.stdout.matchAll(/CrashLoopBackOff in pod \S+ container main \(errors (\d+)\/(\d+)\)/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(counts).toEqual(["1/2", "2/2", "3/2"]);
    expect(r.stderr).toMatch(/readiness failed: container main in pod web-\S+: CrashLoopBackOff, exit code 1/);
    // The failure came from the budget, not the timeout; three CrashLoopBackOffs mean at least three restarts.
    // slipway's own timeout, not a kubelet warning such as FailedMount's "timed out waiting for the condition".
    expect(r.stdout).not.toMatch(/timed out after \d/);
    const restarts = Number(kubectl(env, "get", "pods", "-n", r.namespace, "-l", "app=web", "-o", "jsonpath={.items[0].status.containerStatuses[0].restartCount}"));
    expect(restarts).toBeGreaterThanOrEqual(3);
    detections["budget 2 exhausted"] = failedAfter(r.stdout, "Deployment/web");
  });

  it("8. IgnoreAndContinueDeployProcess + NonBlocking on a broken Deployment, and NonBlocking alone: not waited for", async () => {
    const r = await run("modes", {
      "web.yaml": deployment("web", SERVE),
      "broken.yaml": deployment("broken", {
        ...CRASH,
        annotations: { "werf.io/fail-mode": "IgnoreAndContinueDeployProcess", "werf.io/track-termination-mode": "NonBlocking" },
      }),
      "pending.yaml": deployment("pending", {
        ...SERVE,
        annotations: { "werf.io/track-termination-mode": "NonBlocking" },
        container: { ...SERVE.container, resources: { requests: { cpu: "512" } } },
      }),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Succeeded release "${RELEASE}" (namespace: "${r.namespace}")`);
    expect(r.stdout).toMatch(/^✓ Deployment\/web ready/m);
    // Neither is tracked: no readiness line, no row, no problem counted.
    expect(r.stdout).not.toMatch(/Deployment\/(broken|pending) (ready|failed)/);
    expect(r.stdout).not.toMatch(/CrashLoopBackOff|FailedScheduling/);
    expect(r.stdout).toContain("Create: Deployment/broken");
    expect(r.stdout).toContain("Create: Deployment/pending");
    // The pending Deployment never becomes ready: the converge did not wait for the 60 s timeout.
    expect(r.wallMs).toBeLessThan(40_000);
    expect(kubectl(env, "get", "deployment", "pending", "-n", r.namespace, "-o", "jsonpath={.status.readyReplicas}")).toBe("");
  });

  it("8b. IgnoreAndContinueDeployProcess alone still waits for readiness and fails on the timeout", async () => {
    const r = await run("ignore", { "broken.yaml": deployment("broken", { ...CRASH, annotations: { "werf.io/fail-mode": "IgnoreAndContinueDeployProcess" } }) }, [
      "--timeout",
      "20",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/waiting for resource "Deployment\/broken" readiness failed: timed out after 20s waiting for available 0->1/);
    const seconds = failedAfter(r.stdout, "Deployment/broken");
    expect(seconds).toBeGreaterThanOrEqual(20);
    expect(seconds).toBeLessThan(25);
  });

  it("9. the plain printer's output of a good and a failing converge matches the golden files", async () => {
    // A long progress period: only the table printed when the plan ends, so the output does not depend on timing.
    const args = ["--timeout", "60", "--status-progress-period", "3600"];
    const [good, bad] = await Promise.all([run("gold-ok", { "web.yaml": deployment("web", SERVE) }, args), run("gold-fail", CONFIG_ERROR_CHART, args)]);
    expect(good.code).toBe(0);
    expect(bad.code).toBe(1);
    expectGolden("good.txt", normalise(good.stdout, good.namespace));
    expectGolden("config-error.txt", normalise(bad.stdout, bad.namespace));
    expectGolden("config-error.stderr.txt", normalise(`Start release\n${bad.stderr}`, bad.namespace));
  });

  it("10. the TTY printer under a pseudo-terminal: cursor and colour sequences, and a last screen naming the root cause", async () => {
    const namespace = freshNamespace("tty");
    const p = project(CONFIG_ERROR_CHART);
    const r = await runInPty(
      [process.execPath, BIN, "converge", "--repo", `${env.registry}/e2e/${RELEASE}`, "--insecure-registry", "--namespace", namespace, "--release", RELEASE, "--timeout", "60", "--status-progress-period", "1"],
      { cwd: p.dir, env: { KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.context, DOCKER_HOST: env.dockerHost, TERM: "xterm-256color" }, columns: 160, rows: 40 },
    );
    expect(r.code, r.output).toBe(1);
    // The live area is redrawn in place (cursor up + erase, synchronized updates) and states are coloured.
    // eslint-disable-next-line no-control-regex
    expect(r.output).toMatch(/\u001b\[\d+F\u001b\[0J/);
    expect(r.output).toContain("\u001b[?2026h");
    expect(r.output).toContain("\u001b[31m");
    const [pod] = podsOf(namespace, "web");
    const screen = stripAnsi(r.output).trimEnd().split("\n").filter((l) => l.trim() !== "").slice(-15).join("\n");
    expect(screen).toContain(`container main in pod ${pod}: CreateContainerConfigError: couldn't find key db-url in ConfigMap ${namespace}/settings`);
    expect(screen).toContain("Failed resources");
    expect(screen).toMatch(/Failed release "trk"/);
  });
});
