// The `helm` subcommands slipway has. A subcommand lives in its own module and exports a HelmSubcommand (see
// common.ts); adding one is one import and one entry here.
import { HELM_DEPENDENCY_FLAGS, HELM_DEPENDENCY_SUMMARY, helmDependencyCommand, helmDependencyHelp } from "../helm-dependency.js";
import { HELM_SECRET_SUMMARY, helmSecretCommand, helmSecretFlagNames, helmSecretHelp } from "../helm-secret.js";
import { HELM_TEMPLATE_FLAGS, HELM_TEMPLATE_SUMMARY, helmTemplateCommand, helmTemplateHelp } from "../helm-template.js";
import { visibleFlagNames } from "../../flags.js";
import type { HelmSubcommand } from "./common.js";
import { HELM_GET } from "./get.js";
import { HELM_HISTORY } from "./history.js";
import { HELM_LIST } from "./list.js";
import { HELM_ROLLBACK } from "./rollback.js";
import { HELM_UNINSTALL } from "./uninstall.js";

const HELM_DEPENDENCY: HelmSubcommand = {
  name: "dependency",
  aliases: ["dep", "dependencies"],
  summary: HELM_DEPENDENCY_SUMMARY,
  help: helmDependencyHelp,
  run: helmDependencyCommand,
  flags: () => visibleFlagNames(HELM_DEPENDENCY_FLAGS),
};
const HELM_SECRET: HelmSubcommand = { name: "secret", summary: HELM_SECRET_SUMMARY, help: helmSecretHelp, run: helmSecretCommand, flags: helmSecretFlagNames };
const HELM_TEMPLATE: HelmSubcommand = { name: "template", summary: HELM_TEMPLATE_SUMMARY, help: helmTemplateHelp, run: helmTemplateCommand, flags: () => visibleFlagNames(HELM_TEMPLATE_FLAGS) };

export const HELM_SUBCOMMANDS: readonly HelmSubcommand[] = [HELM_DEPENDENCY, HELM_GET, HELM_HISTORY, HELM_LIST, HELM_ROLLBACK, HELM_SECRET, HELM_TEMPLATE, HELM_UNINSTALL];
