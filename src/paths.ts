/**
 * Where the project's own files are (locales/, data/, prisma/): found from the repository
 * root, the nearest folder up from this module that holds package.json, so the same code
 * works from src/ (tsx) and from the compiled dist/.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = projectRoot(import.meta.dirname);
export const LOCALES_DIR = join(PROJECT_ROOT, "locales");
export const DATA_DIR = join(PROJECT_ROOT, "data");
