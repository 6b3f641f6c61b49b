-- AlterTable
ALTER TABLE "VisitCursor" ADD COLUMN "step" TEXT;
ALTER TABLE "VisitCursor" ADD COLUMN "targetId" INTEGER;

-- CreateTable
CREATE TABLE "InspectionItem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "contentId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "order" INTEGER NOT NULL,
    CONSTRAINT "InspectionItem_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "InspectionContent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ItemCheck" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "visitId" INTEGER NOT NULL,
    "itemId" INTEGER NOT NULL,
    "result" TEXT NOT NULL,
    "note" TEXT,
    "byId" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ItemCheck_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ItemCheck_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InspectionItem" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ItemCheck_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "visitId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "criterionId" INTEGER,
    "contentId" INTEGER,
    "itemId" INTEGER,
    "byId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "removedAt" DATETIME,
    CONSTRAINT "Finding_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Finding_criterionId_fkey" FOREIGN KEY ("criterionId") REFERENCES "Criterion" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Finding_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "InspectionContent" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Finding_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InspectionItem" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Finding_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CorrectiveAction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "visitId" INTEGER NOT NULL,
    "findingId" INTEGER,
    "text" TEXT NOT NULL,
    "dueAt" DATETIME,
    "dueChosen" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "closedAt" DATETIME,
    "closedById" INTEGER,
    "reopenReason" TEXT,
    CONSTRAINT "CorrectiveAction_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CorrectiveAction_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "CorrectiveAction_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CorrectiveAction_closedById_fkey" FOREIGN KEY ("closedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ActionReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "actionId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "ActionReport_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "CorrectiveAction" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ActionReport_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VisitDocument" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "visitId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storageKey" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "VisitDocument_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VisitDocument_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "decisionNumber" TEXT NOT NULL,
    "decisionDate" DATETIME NOT NULL,
    "issuer" TEXT NOT NULL,
    "announcedBy" TEXT,
    "province" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "purpose" TEXT,
    "selfAssessmentOpensAt" DATETIME,
    "selfAssessmentDeadline" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'SELF_ASSESSMENT',
    "appraisalOpenedAt" DATETIME,
    "appraisalClosedAt" DATETIME,
    "explanationDeadline" DATETIME,
    "finalAppraisalOpenedAt" DATETIME,
    "publishedAt" DATETIME,
    "rankGroups" JSONB,
    "actionDueDays" INTEGER NOT NULL DEFAULT 15,
    "questionnaireId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_questionnaireId_fkey" FOREIGN KEY ("questionnaireId") REFERENCES "Questionnaire" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Campaign" ("announcedBy", "appraisalClosedAt", "appraisalOpenedAt", "code", "createdAt", "decisionDate", "decisionNumber", "explanationDeadline", "finalAppraisalOpenedAt", "id", "issuer", "province", "publishedAt", "purpose", "questionnaireId", "rankGroups", "selfAssessmentDeadline", "selfAssessmentOpensAt", "status", "title", "updatedAt", "year") SELECT "announcedBy", "appraisalClosedAt", "appraisalOpenedAt", "code", "createdAt", "decisionDate", "decisionNumber", "explanationDeadline", "finalAppraisalOpenedAt", "id", "issuer", "province", "publishedAt", "purpose", "questionnaireId", "rankGroups", "selfAssessmentDeadline", "selfAssessmentOpensAt", "status", "title", "updatedAt", "year" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE UNIQUE INDEX "Campaign_code_key" ON "Campaign"("code");
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
    "findingId" INTEGER,
    "actionReportId" INTEGER,
    CONSTRAINT "Evidence_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Evidence_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_uploadedById_fkey" FOREIGN KEY ("uploadedById") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Evidence_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Evidence_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Evidence_actionReportId_fkey" FOREIGN KEY ("actionReportId") REFERENCES "ActionReport" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Evidence" ("campaignId", "createdAt", "explanationId", "fileId", "fileName", "fileUniqueId", "id", "kind", "mimeType", "note", "questionId", "removedAt", "sha256", "size", "source", "storageKey", "unavailableAt", "unitId", "uploadedById", "url", "visitId") SELECT "campaignId", "createdAt", "explanationId", "fileId", "fileName", "fileUniqueId", "id", "kind", "mimeType", "note", "questionId", "removedAt", "sha256", "size", "source", "storageKey", "unavailableAt", "unitId", "uploadedById", "url", "visitId" FROM "Evidence";
DROP TABLE "Evidence";
ALTER TABLE "new_Evidence" RENAME TO "Evidence";
CREATE INDEX "Evidence_campaignId_unitId_questionId_idx" ON "Evidence"("campaignId", "unitId", "questionId");
CREATE INDEX "Evidence_findingId_idx" ON "Evidence"("findingId");
CREATE INDEX "Evidence_actionReportId_idx" ON "Evidence"("actionReportId");
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
    "attendees" TEXT,
    "checkedContents" TEXT,
    "results" TEXT,
    "completedAt" DATETIME,
    "completedById" INTEGER,
    "conclusionNumber" TEXT,
    "conclusionIssuedAt" DATETIME,
    "conclusionIssuedById" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "InspectionVisit_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_confirmedById_fkey" FOREIGN KEY ("confirmedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_completedById_fkey" FOREIGN KEY ("completedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "InspectionVisit_conclusionIssuedById_fkey" FOREIGN KEY ("conclusionIssuedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_InspectionVisit" ("campaignId", "cancelReason", "cancelledAt", "confirmedAt", "confirmedById", "contents", "createdAt", "createdById", "id", "importedContents", "importedPlace", "importedStartsAt", "key", "place", "revisedAt", "revision", "startsAt", "status", "unitId", "updatedAt") SELECT "campaignId", "cancelReason", "cancelledAt", "confirmedAt", "confirmedById", "contents", "createdAt", "createdById", "id", "importedContents", "importedPlace", "importedStartsAt", "key", "place", "revisedAt", "revision", "startsAt", "status", "unitId", "updatedAt" FROM "InspectionVisit";
DROP TABLE "InspectionVisit";
ALTER TABLE "new_InspectionVisit" RENAME TO "InspectionVisit";
CREATE INDEX "InspectionVisit_campaignId_startsAt_idx" ON "InspectionVisit"("campaignId", "startsAt");
CREATE INDEX "InspectionVisit_unitId_idx" ON "InspectionVisit"("unitId");
CREATE UNIQUE INDEX "InspectionVisit_campaignId_key_key" ON "InspectionVisit"("campaignId", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "InspectionItem_contentId_code_key" ON "InspectionItem"("contentId", "code");

-- CreateIndex
CREATE INDEX "ItemCheck_itemId_idx" ON "ItemCheck"("itemId");

-- CreateIndex
CREATE UNIQUE INDEX "ItemCheck_visitId_itemId_key" ON "ItemCheck"("visitId", "itemId");

-- CreateIndex
CREATE INDEX "Finding_visitId_idx" ON "Finding"("visitId");

-- CreateIndex
CREATE INDEX "Finding_campaignId_unitId_idx" ON "Finding"("campaignId", "unitId");

-- CreateIndex
CREATE INDEX "CorrectiveAction_campaignId_status_dueAt_idx" ON "CorrectiveAction"("campaignId", "status", "dueAt");

-- CreateIndex
CREATE INDEX "CorrectiveAction_unitId_status_idx" ON "CorrectiveAction"("unitId", "status");

-- CreateIndex
CREATE INDEX "CorrectiveAction_visitId_idx" ON "CorrectiveAction"("visitId");

-- CreateIndex
CREATE INDEX "ActionReport_actionId_idx" ON "ActionReport"("actionId");

-- CreateIndex
CREATE INDEX "VisitDocument_visitId_kind_idx" ON "VisitDocument"("visitId", "kind");

-- CreateIndex
CREATE INDEX "VisitDocument_storageKey_idx" ON "VisitDocument"("storageKey");
