-- grammY sessions were never used: progress lives in its own tables (README, Architecture).
-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "Session";
PRAGMA foreign_keys=on;
