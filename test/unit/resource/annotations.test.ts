import { describe, expect, it } from "vitest";
import {
  A,
  AnnotationError,
  goAtoi,
  goParseBool,
  goParseDuration,
  parseBoolKey,
  parseDeletePolicy,
  parseDependencyValue,
  parseDeployOn,
  parseHook,
  parseHookDeletePolicy,
  parseLegacyResourceValue,
  parseNoActivityTimeout,
  parseNonNegativeInt,
  parseObjectRefValue,
  parseReplicasOnCreation,
  parseResourcePolicy,
  parseWeight,
  type Reader,
} from "../../../src/resource/annotations.js";

const reader = (key: string, value: string): Reader => ({ file: "app/templates/x.yaml", annotations: { [key]: value } });

describe("Go value syntaxes", () => {
  it.each([
    ["0", 0], ["-5", -5], ["+7", 7], ["007", 7], ["9223372036854775807", Number(9223372036854775807n)],
    ["", undefined], [" 1", undefined], ["1.0", undefined], ["0x10", undefined], ["1_000", undefined], ["9223372036854775808", undefined],
  ])("Atoi(%j) = %j", (text, expected) => expect(goAtoi(text)).toBe(expected));

  it.each([["1", true], ["t", true], ["TRUE", true], ["True", true], ["0", false], ["F", false], ["yes", undefined], ["tRUE", undefined], ["", undefined]])(
    "ParseBool(%j) = %j",
    (text, expected) => expect(goParseBool(text)).toBe(expected),
  );

  it.each([
    ["0", 0], ["30s", 30_000], ["4m", 240_000], ["1h30m", 5_400_000], ["1.5s", 1500], [".5s", 500], ["300ms", 300], ["-1s", -1000], ["+2s", 2000], ["10us", 0.01],
    ["", undefined], ["5", undefined], ["1d", undefined], ["s", undefined], ["1s ", undefined], ["--1s", undefined],
  ])("ParseDuration(%j) = %j ms", (text, expected) => expect(goParseDuration(text)).toBe(expected));
});

describe("per-key parsers", () => {
  it("parses good values", () => {
    expect(parseWeight(reader(A.weight, "-10"), A.weight)).toBe(-10);
    expect(parseHook(reader(A.helmHook, "pre-install, post-upgrade"))).toEqual(["pre-install", "post-upgrade"]);
    expect(parseDeployOn(reader(A.deployOn, "install,upgrade"))).toEqual(["install", "upgrade"]);
    expect(parseDeletePolicy(reader(A.deletePolicy, "before-creation, succeeded"))).toEqual(["before-creation", "succeeded"]);
    expect(parseDeletePolicy(reader(A.deletePolicy, ""))).toBeUndefined();
    expect(parseHookDeletePolicy(reader(A.helmHookDeletePolicy, "hook-succeeded,before-hook-creation"))).toEqual(["succeeded", "before-creation"]);
    expect(parseResourcePolicy(reader(A.resourcePolicy, "keep,skip-update"))).toEqual(["skip-delete", "skip-update"]);
    expect(parseReplicasOnCreation(reader(A.replicasOnCreation, "0"))).toBe(0);
    expect(parseNoActivityTimeout(reader(A.noActivityTimeout, "90s"))).toBe(90_000);
    expect(parseBoolKey(reader(A.skipLogs, "T"), A.skipLogs)).toBe(true);
    expect(parseDependencyValue(reader("werf.io/deploy-dependency-db", ""), "werf.io/deploy-dependency-db", "state=ready,kind=StatefulSet,name=db", ["present", "ready"], true)).toEqual({
      state: "ready", kind: "StatefulSet", name: "db", namespace: undefined, group: undefined, version: undefined,
    });
    expect(parseObjectRefValue(reader("a.external-dependency.werf.io", ""), "a.external-dependency.werf.io", "apps/v1:Deployment:other:db", false)).toEqual({
      apiVersion: "apps/v1", kind: "Deployment", namespace: "other", name: "db",
    });
  });

  // nelm's messages, byte for byte (pkg/resource/metadata.go).
  it.each<[string, () => unknown, string]>([
    ["weight", () => parseWeight(reader(A.weight, "x"), A.weight), 'invalid value "x" for annotation "werf.io/weight", expected integer value'],
    ["empty weight", () => parseWeight(reader(A.weight, ""), A.weight), 'invalid value "" for annotation "werf.io/weight", expected non-empty integer value'],
    ["hook weight", () => parseWeight(reader(A.helmHookWeight, "1.5"), A.helmHookWeight), 'invalid value "1.5" for annotation "helm.sh/hook-weight", expected integer value'],
    ["hook", () => parseHook(reader(A.helmHook, "pre-install,pre-deploy")), 'value "pre-install,pre-deploy" for annotation "helm.sh/hook" is not supported'],
    ["hook empty item", () => parseHook(reader(A.helmHook, "pre-install,")), 'invalid value "pre-install," for annotation "helm.sh/hook", one of the comma-separated values is empty'],
    ["deploy-on", () => parseDeployOn(reader(A.deployOn, "always")), 'value "always" for annotation "werf.io/deploy-on" is not supported'],
    ["delete-policy", () => parseDeletePolicy(reader(A.deletePolicy, "never")), 'value "never" for annotation "werf.io/delete-policy" is not supported'],
    ["hook-delete-policy", () => parseHookDeletePolicy(reader(A.helmHookDeletePolicy, "hook-always")), 'value "hook-always" for annotation "helm.sh/hook-delete-policy" is not supported'],
    ["resource-policy", () => parseResourcePolicy(reader(A.resourcePolicy, "retain")), 'invalid unknown value "retain" for annotation "werf.io/resource-policy"'],
    ["replicas", () => parseReplicasOnCreation(reader(A.replicasOnCreation, "-1")), 'invalid value "-1" for annotation "werf.io/replicas-on-creation", value must be a positive number or zero'],
    ["failures", () => parseNonNegativeInt(reader(A.failuresAllowedPerReplica, "-2"), A.failuresAllowedPerReplica), 'invalid value "-2" for annotation "werf.io/failures-allowed-per-replica", expected non-negative integer value'],
    ["timeout", () => parseNoActivityTimeout(reader(A.noActivityTimeout, "4 minutes")), 'invalid value "4 minutes" for annotation "werf.io/no-activity-timeout", expected valid duration'],
    ["negative timeout", () => parseNoActivityTimeout(reader(A.noActivityTimeout, "-1s")), 'invalid value "-1s" for annotation "werf.io/no-activity-timeout", expected non-negative duration value'],
    ["bool", () => parseBoolKey(reader(A.showServiceMessages, "yes"), A.showServiceMessages), 'invalid value "yes" for annotation "werf.io/show-service-messages", expected boolean value'],
    ["dep without state", () => parseDependencyValue(reader("k", ""), "werf.io/deploy-dependency-a", "kind=Job", ["present", "ready"], true), 'invalid value "kind=Job" for annotation "werf.io/deploy-dependency-a", "state" property must be set'],
    ["dep without target", () => parseDependencyValue(reader("k", ""), "werf.io/deploy-dependency-a", "state=ready", ["present", "ready"], true), 'invalid value "state=ready" for annotation "werf.io/deploy-dependency-a", target not specified'],
    ["dep bad state", () => parseDependencyValue(reader("k", ""), "werf.io/deploy-dependency-a", "state=done,name=x", ["present", "ready"], true), 'unknown value "done" for property "state"'],
    ["dep bad property", () => parseDependencyValue(reader("k", ""), "werf.io/deploy-dependency-a", "state=ready,nme=x,name=y", ["present", "ready"], true), 'unknown property "nme" in value of annotation "werf.io/deploy-dependency-a"'],
    ["external", () => parseObjectRefValue(reader("k", ""), "db.external-dependency.werf.io", "Deployment/db", false), 'invalid format of value "Deployment/db" for annotation "db.external-dependency.werf.io", should be: apiVersion:kind[:namespace]:name'],
    ["legacy all", () => parseLegacyResourceValue(reader("k", ""), "a.external-dependency.werf.io/resource", "all/x"), '"all" resource type in value "all/x" of annotation "a.external-dependency.werf.io/resource" is not allowed'],
  ])("rejects a bad %s with nelm's message, located at the file and key", (_name, run, message) => {
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AnnotationError);
    expect((caught as AnnotationError).message).toBe(message);
    expect((caught as AnnotationError).location?.file).toBe("app/templates/x.yaml");
  });
});
