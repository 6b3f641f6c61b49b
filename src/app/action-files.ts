/**
 * A file an officer sends with a report on a corrective action (src/domain/actions.ts):
 * streamed into the province's store and type-checked exactly as evidence is
 * (src/app/evidence.ts receiveFile), then kept as an Evidence row of the report; a refused
 * file, a refusal of the step or a duplicate leaves no copy behind.
 */
import { type ActionActor, type AddActionFileResult, addActionReportFile } from "../domain/actions.ts";
import type { SniffedType } from "../storage/index.ts";
import { type EvidenceDeps, type IncomingFile, receiveFile } from "./evidence.ts";

export type ActionFileResult =
  | (Extract<AddActionFileResult, { ok: true }> & { type: SniffedType })
  | Exclude<AddActionFileResult, { ok: true }>
  | { ok: false; reason: "too_large"; maxBytes: number }
  | { ok: false; reason: "type" };

export async function receiveActionFile(
  deps: EvidenceDeps,
  campaignId: number,
  actor: ActionActor,
  file: IncomingFile,
  now: Date,
): Promise<ActionFileResult> {
  return receiveFile(deps, file, async (fields, type) => {
    const result = await addActionReportFile(deps.db, { campaignId, actor, file: fields, now });
    return result.ok ? { ...result, type } : result;
  });
}
