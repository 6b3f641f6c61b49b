/**
 * npm run db:check: do the committed migrations of each provider produce exactly the
 * models in prisma/models.prisma? Fails (exit 1) naming the provider whose migrations lag,
 * with the SQL a new migration would need. PostgreSQL is checked against the server in
 * DATABASE_URL or TEST_DATABASE_URL (its shadow database is made and dropped there).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const pgUrl = [process.env.DATABASE_URL, process.env.TEST_DATABASE_URL].find((u) => u?.startsWith("postgres"));
const targets = [
  { provider: "sqlite", url: `file:${join(mkdtempSync(join(tmpdir(), "cchc-check-")), "check.db")}` },
  ...(pgUrl ? [{ provider: "postgresql", url: pgUrl }] : []),
];
if (!pgUrl) console.warn("db:check: no postgresql:// URL in DATABASE_URL or TEST_DATABASE_URL; PostgreSQL not checked");

let failed = false;

// `prisma migrate deploy` on PostgreSQL (through the CLI's driver adapter) cuts a migration
// into statements at every ";", comments included: a ";" in a comment turned the rest of
// the comment into a statement ("syntax error at or near every"). Keep them out.
for (const provider of ["sqlite", "postgresql"]) {
  const root = `prisma/${provider}/migrations`;
  for (const name of readdirSync(root).filter((n) => !n.endsWith(".toml"))) {
    const lines = readFileSync(join(root, name, "migration.sql"), "utf8").split("\n");
    for (const [i, line] of lines.entries()) {
      if (/^\s*--.*;/.test(line)) {
        failed = true;
        console.error(`db:check: ${root}/${name}/migration.sql:${i + 1}: a ";" in a comment breaks migrate deploy`);
      }
    }
  }
}

for (const { provider, url } of targets) {
  const dir = `prisma/${provider}`;
  const result = spawnSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-migrations",
      `${dir}/migrations`,
      "--to-schema-datamodel",
      dir,
      "--script",
      "--exit-code",
    ],
    { env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" },
  );
  if (result.status === 0) console.log(`db:check: ${provider} migrations match the models`);
  else if (result.status === 2) {
    failed = true;
    console.error(
      `db:check: ${provider} migrations do not match prisma/models.prisma. Run npm run db:migrate with DATABASE_URL for ${provider}. Missing SQL:\n${result.stdout}`,
    );
  } else {
    failed = true;
    console.error(`db:check: prisma migrate diff failed for ${provider}:\n${result.stdout}\n${result.stderr}`);
  }
}
process.exit(failed ? 1 : 0);
