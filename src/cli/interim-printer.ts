// A minimal line printer for deploy events, used until the deploy printers of src/ui land.
import type { DeployEvent } from "../deploy/events.js";
import type { TrackEvent } from "../track/events.js";

export interface DeployPrinter {
  handle(event: DeployEvent | TrackEvent): void;
  finish(): void;
}

export function createDeployPrinter(options: { write: (text: string) => void; [key: string]: unknown }): DeployPrinter {
  const w = (line: string): void => options.write(`${line}\n`);
  return {
    handle(e) {
      switch (e.type) {
        case "release-start":
          w(`Start release "${e.release}" (namespace: "${e.namespace}")`);
          break;
        case "lock-wait":
          w(`Waiting for locked "${e.lockName}"`);
          break;
        case "operation-failed":
          w(`Failed ${e.description}: ${e.error}`);
          break;
        case "track-log":
          w(`│ ${e.pod}/${e.container}: ${e.line}`);
          break;
        case "track-problem":
          w(`${e.problem.pod}${e.problem.container === undefined ? "" : `/${e.problem.container}`}: ${e.problem.message} (errors ${e.count}/${e.allowed})`);
          break;
        case "track-failed":
          w(`Failed: ${e.reason}`);
          for (const l of e.lastLogLines) w(`  │ ${l}`);
          break;
        case "operations-summary":
          if (e.completed.length > 0) w(`Completed operations:\n${e.completed.map((x) => `  ${x.charAt(0).toUpperCase()}${x.slice(1)}`).join("\n")}`);
          if (e.canceled.length > 0) w(`Canceled operations:\n${e.canceled.map((x) => `  ${x.charAt(0).toUpperCase()}${x.slice(1)}`).join("\n")}`);
          if (e.failed.length > 0) w(`Failed operations:\n${e.failed.map((x) => `  ${x.charAt(0).toUpperCase()}${x.slice(1)}`).join("\n")}`);
          break;
        case "release-skipped":
          w(`Skipped release "${e.release}" (namespace: "${e.namespace}"): ${e.reason}`);
          break;
        case "release-succeeded":
          w(`Succeeded release "${e.release}" (namespace: "${e.namespace}")`);
          break;
        case "warning":
          w(`Warning: ${e.message}`);
          break;
        default:
          break;
      }
    },
    finish() {},
  };
}
