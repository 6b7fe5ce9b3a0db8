// The `helm` subcommands slipway has. A subcommand lives in its own module under src/cli/commands/helm/ and exports
// a HelmSubcommand (see common.ts); adding one is one import and one entry here.
import type { HelmSubcommand } from "./common.js";
import { HELM_GET } from "./get.js";
import { HELM_HISTORY } from "./history.js";
import { HELM_LIST } from "./list.js";
import { HELM_ROLLBACK } from "./rollback.js";
import { HELM_UNINSTALL } from "./uninstall.js";

export const HELM_SUBCOMMANDS: readonly HelmSubcommand[] = [HELM_GET, HELM_HISTORY, HELM_LIST, HELM_ROLLBACK, HELM_UNINSTALL];
