-- CreateTable
CREATE TABLE "VisitRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "visitId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "proposedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "byId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "answeredById" INTEGER,
    "answeredAt" DATETIME,
    "answerNote" TEXT,
    CONSTRAINT "VisitRequest_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VisitRequest_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "VisitRequest_answeredById_fkey" FOREIGN KEY ("answeredById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VisitCursor" (
    "personId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "mode" TEXT NOT NULL,
    "visitId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "requestId" INTEGER,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "VisitCursor_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Evidence" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER,
    "kind" TEXT NOT NULL DEFAULT 'FILE',
    "fileId" TEXT,
    "fileUniqueId" TEXT,
    "fileName" TEXT,
    "mimeType" TEXT,
    "size" INTEGER,
    "storageKey" TEXT,
    "sha256" TEXT,
    "unavailableAt" DATETIME,
    "url" TEXT,
    "note" TEXT,
    "source" TEXT NOT NULL DEFAULT 'telegram',
    "uploadedById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" DATETIME,
    "explanationId" INTEGER,
    "visitId" INTEGER,
    CONSTRAINT "Evidence_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Evidence_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_uploadedById_fkey" FOREIGN KEY ("uploadedById") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Evidence_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Evidence" ("campaignId", "createdAt", "explanationId", "fileId", "fileName", "fileUniqueId", "id", "kind", "mimeType", "note", "questionId", "removedAt", "sha256", "size", "source", "storageKey", "unavailableAt", "unitId", "uploadedById", "url") SELECT "campaignId", "createdAt", "explanationId", "fileId", "fileName", "fileUniqueId", "id", "kind", "mimeType", "note", "questionId", "removedAt", "sha256", "size", "source", "storageKey", "unavailableAt", "unitId", "uploadedById", "url" FROM "Evidence";
DROP TABLE "Evidence";
ALTER TABLE "new_Evidence" RENAME TO "Evidence";
CREATE INDEX "Evidence_campaignId_unitId_questionId_idx" ON "Evidence"("campaignId", "unitId", "questionId");
CREATE INDEX "Evidence_storageKey_idx" ON "Evidence"("storageKey");
CREATE INDEX "Evidence_explanationId_idx" ON "Evidence"("explanationId");
CREATE INDEX "Evidence_visitId_idx" ON "Evidence"("visitId");
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
    "importedStartsAt" DATETIME,
    "importedPlace" TEXT,
    "importedContents" TEXT,
    "createdById" INTEGER,
    "confirmedAt" DATETIME,
    "confirmedById" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "InspectionVisit_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_confirmedById_fkey" FOREIGN KEY ("confirmedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_InspectionVisit" ("campaignId", "cancelReason", "cancelledAt", "contents", "createdAt", "createdById", "id", "importedContents", "importedPlace", "importedStartsAt", "key", "place", "revisedAt", "revision", "startsAt", "status", "unitId", "updatedAt") SELECT "campaignId", "cancelReason", "cancelledAt", "contents", "createdAt", "createdById", "id", "importedContents", "importedPlace", "importedStartsAt", "key", "place", "revisedAt", "revision", "startsAt", "status", "unitId", "updatedAt" FROM "InspectionVisit";
DROP TABLE "InspectionVisit";
ALTER TABLE "new_InspectionVisit" RENAME TO "InspectionVisit";
CREATE INDEX "InspectionVisit_campaignId_startsAt_idx" ON "InspectionVisit"("campaignId", "startsAt");
CREATE INDEX "InspectionVisit_unitId_idx" ON "InspectionVisit"("unitId");
CREATE UNIQUE INDEX "InspectionVisit_campaignId_key_key" ON "InspectionVisit"("campaignId", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "VisitRequest_visitId_status_idx" ON "VisitRequest"("visitId", "status");

-- CreateIndex
CREATE INDEX "VisitRequest_campaignId_status_idx" ON "VisitRequest"("campaignId", "status");
