-- DropIndex
DROP INDEX "Notice_recipientId_idx";

-- AlterTable
ALTER TABLE "Notice" ADD COLUMN "nextAttemptAt" DATETIME;

-- CreateTable
CREATE TABLE "NoticePacer" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "nextAt" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "ScheduleDraft" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_InspectionVisit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "key" TEXT,
    "startsAt" DATETIME NOT NULL,
    "place" TEXT NOT NULL,
    "contents" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PLANNED',
    "revision" INTEGER NOT NULL DEFAULT 1,
    "revisedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" DATETIME,
    "cancelReason" TEXT,
    "createdById" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "InspectionVisit_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_InspectionVisit" ("campaignId", "contents", "createdAt", "id", "place", "startsAt", "status", "unitId", "updatedAt") SELECT "campaignId", "contents", "createdAt", "id", "place", "startsAt", "status", "unitId", "updatedAt" FROM "InspectionVisit";
DROP TABLE "InspectionVisit";
ALTER TABLE "new_InspectionVisit" RENAME TO "InspectionVisit";
CREATE INDEX "InspectionVisit_campaignId_startsAt_idx" ON "InspectionVisit"("campaignId", "startsAt");
CREATE INDEX "InspectionVisit_unitId_idx" ON "InspectionVisit"("unitId");
CREATE UNIQUE INDEX "InspectionVisit_campaignId_key_key" ON "InspectionVisit"("campaignId", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ScheduleDraft_personId_idx" ON "ScheduleDraft"("personId");

-- CreateIndex
CREATE INDEX "Notice_recipientId_status_idx" ON "Notice"("recipientId", "status");
