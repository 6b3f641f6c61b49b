-- grammY sessions were never used: progress lives in its own tables (README, Architecture).
-- DropTable
DROP TABLE "Session";
