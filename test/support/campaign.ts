/** The bundled campaign file, edited, for tests of the import. */
import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { BUNDLED_CAMPAIGN_FILE } from "../../src/app.ts";

export const BUNDLED_CAMPAIGN_TEXT = readFileSync(BUNDLED_CAMPAIGN_FILE, "utf8");

/** The bundled file with `edit` applied to its parsed content, as YAML text. */
// biome-ignore lint/suspicious/noExplicitAny: tests edit the parsed YAML freely
export function editedCampaign(edit: (doc: any) => void): string {
  const doc = parse(BUNDLED_CAMPAIGN_TEXT);
  edit(doc);
  return stringify(doc);
}
