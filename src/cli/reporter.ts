// Turns the pipeline's one event stream into terminal output: one printer per phase, chosen by the output mode.
// The build log is src/ui's BuildLog; deploy printers (src/ui/deploy-printer*.ts) plug in through PhasePrinter.
import process from "node:process";
import { isBuildEvent, isPhaseMarker, type BuildEvent, type DeployEvent, type PipelineEvent, type TrackEvent } from "../pipeline/events.js";
import { BuildLog } from "../ui/build-log.js";
import { colorLevel } from "../ui/color.js";
import type { CliWriter } from "./context.js";
import type { LogOptions } from "./options.js";

/** What a phase's printer must offer: take the phase's events, and print what it held back when the phase ends. */
export interface PhasePrinter<E> {
  handle(event: E): void;
  finish(): void;
}

export type DeployPhaseEvent = DeployEvent | TrackEvent;

export interface ReporterOptions {
  readonly write: CliWriter["write"];
  readonly log: Pick<LogOptions, "logPretty" | "logColorMode" | "logQuiet">;
  /** The deploy phase's printer; made when the deploy phase starts. Without one, deploy events are not printed. */
  readonly deployPrinter?: (settings: PrinterSettings) => PhasePrinter<DeployPhaseEvent>;
  /** Defaults to whether the process's stdout is a terminal. */
  readonly isTTY?: boolean;
  /** NO_COLOR, FORCE_COLOR and TERM decide `--log-color-mode auto` as for the deploy printers. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What every printer is told about the output mode. */
export interface PrinterSettings {
  readonly write: (text: string) => void;
  readonly pretty: boolean;
  readonly color: boolean;
  readonly quiet: boolean;
  readonly isTTY: boolean;
}


export class Reporter {
  private readonly settings: PrinterSettings;
  private build: PhasePrinter<BuildEvent> | undefined;
  private deploy: PhasePrinter<DeployPhaseEvent> | undefined;

  constructor(private readonly options: ReporterOptions) {
    const isTTY = options.isTTY ?? process.stdout.isTTY === true;
    this.settings = {
      write: (text) => {
        options.write(text);
      },
      pretty: options.log.logPretty,
      color: colorLevel({ mode: options.log.logColorMode, isTTY, env: options.env ?? {} }) > 0,
      quiet: options.log.logQuiet,
      isTTY,
    };
  }

  private buildPrinter(): PhasePrinter<BuildEvent> {
    this.build ??= new BuildLog(this.settings);
    return this.build;
  }

  private deployPrinter(): PhasePrinter<DeployPhaseEvent> | undefined {
    if (this.deploy === undefined && this.options.deployPrinter !== undefined) this.deploy = this.options.deployPrinter(this.settings);
    return this.deploy;
  }

  readonly emit = (event: PipelineEvent): void => {
    if (isBuildEvent(event)) {
      this.buildPrinter().handle(event);
    } else if (isPhaseMarker(event)) {
      if (event.type === "phase-start") return;
      // A phase's printer prints what it held back (failed images, summaries) when its phase ends.
      if (event.phase === "build") this.finishBuild();
      if (event.phase === "deploy") this.finishDeploy();
    } else {
      this.deployPrinter()?.handle(event);
    }
  };

  private finishBuild(): void {
    this.build?.finish();
    this.build = undefined;
  }

  private finishDeploy(): void {
    this.deploy?.finish();
    this.deploy = undefined;
  }

  /** Ends every printer still open (a phase that threw before its marker). */
  finish(): void {
    this.finishBuild();
    this.finishDeploy();
  }
}
