/**
 * A photo or file of a finding the inspection team recorded (src/domain/findings.ts),
 * received as evidence is (src/app/evidence.ts): streamed into the province's store, its
 * type read from the content, refused types and sizes leaving nothing behind, the same
 * bytes kept once per finding.
 */
import { addFindingPhoto, type PhotoResult } from "../domain/findings.ts";
import type { TeamActor } from "../domain/visit-team.ts";
import type { SniffedType } from "../storage/index.ts";
import { type EvidenceDeps, type IncomingFile, receiveFile } from "./evidence.ts";

export type FindingFileResult =
  | (Extract<PhotoResult, { ok: true }> & { type: SniffedType })
  | Exclude<PhotoResult, { ok: true }>
  | { ok: false; reason: "too_large"; maxBytes: number }
  | { ok: false; reason: "type" };

/** A file for the finding the person's FINDING step names (or `findingId`). */
export async function receiveFindingFile(
  deps: EvidenceDeps,
  campaignId: number,
  actor: TeamActor,
  file: IncomingFile,
  now: Date,
  findingId?: number,
): Promise<FindingFileResult> {
  return receiveFile(deps, file, async (fields, type) => {
    const result = await addFindingPhoto(deps.db, campaignId, actor, fields, now, findingId);
    return result.ok ? { ...result, type } : result;
  });
}
