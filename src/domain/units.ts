/** Finding units by what people type: code, name, short name or alias, with or without diacritics. */
import type { Db, Unit } from "../db/client.ts";
import { fold } from "./text.ts";

/**
 * Units of a campaign matching `query`: an exact code or an exact folded name/alias wins;
 * otherwise every unit whose names contain all the words typed.
 */
export async function findUnits(db: Db, campaignId: number, query: string): Promise<Unit[]> {
  const units = await db.unit.findMany({
    where: { campaigns: { some: { campaignId } } },
    orderBy: { id: "asc" },
  });
  const q = fold(query);
  if (!q) return [];
  const exact = units.filter((u) => u.code === q || u.searchText.split(" | ").includes(q));
  if (exact.length > 0) return exact;
  const words = q.split(" ");
  return units.filter((u) => words.every((w) => u.searchText.includes(w)));
}
