import { defineConfig } from "vitest/config";

// The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is a
// postgresql:// URL; each test file gets a database of its own (test/support/database.ts).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
