import type { Vars } from "../i18n.ts";

/**
 * A backup or restore refused or failed for a reason a person can act on: `key` names its
 * text in locales/<lang>/cli.json, `vars` fill it. Nothing was changed unless the text says so.
 */
export class BackupError extends Error {
  override name = "BackupError";
  constructor(
    readonly key: string,
    readonly vars: Vars = {},
  ) {
    super(`${key} ${JSON.stringify(vars)}`);
  }
}
