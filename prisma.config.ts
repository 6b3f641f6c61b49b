/**
 * Prisma CLI configuration. The provider follows DATABASE_URL (SQLite by default), and
 * the CLI runs the offline WebAssembly schema engine through driver adapters; see
 * src/db/prisma-cli-adapters.ts for why each adapter is wrapped.
 */
import { existsSync } from "node:fs";
import { defineConfig } from "prisma/config";
import { postgresCliAdapter, sqliteCliAdapter } from "./src/db/prisma-cli-adapters.ts";
import { DEFAULT_DATABASE_URL, providerOf, schemaDir } from "./src/db/url.ts";

// A config file turns off Prisma's own .env loading.
if (existsSync(".env")) process.loadEnvFile(".env");
process.env.CHECKPOINT_DISABLE = "1";

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const provider = providerOf(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: schemaDir(provider),
  migrations: { path: `${schemaDir(provider)}/migrations` },
  adapter: async () => (provider === "sqlite" ? sqliteCliAdapter(url) : postgresCliAdapter(url)),
});
