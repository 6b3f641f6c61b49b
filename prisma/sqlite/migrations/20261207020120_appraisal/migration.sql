-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "appraisalClosedAt" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "appraisalOpenedAt" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "explanationDeadline" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "finalAppraisalOpenedAt" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "publishedAt" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "rankGroups" JSONB;

-- CreateTable
CREATE TABLE "Appraiser" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "telegramId" TEXT,
    "personId" INTEGER,
    "fromFile" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Appraiser_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Appraiser_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AppraisalAssignment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "appraiserId" INTEGER NOT NULL,
    "unitId" INTEGER,
    "areaId" INTEGER,
    "scopeKey" TEXT NOT NULL,
    "fromFile" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AppraisalAssignment_appraiserId_fkey" FOREIGN KEY ("appraiserId") REFERENCES "Appraiser" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AppraisalAssignment_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AppraisalAssignment_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "ReformArea" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Appraisal" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "areaId" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "score" REAL NOT NULL,
    "selfScore" REAL,
    "comment" TEXT,
    "appraiserId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Appraisal_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Appraisal_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Appraisal_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Appraisal_appraiserId_fkey" FOREIGN KEY ("appraiserId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AppraisalRevision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "appraisalId" INTEGER NOT NULL,
    "score" REAL NOT NULL,
    "comment" TEXT,
    "version" INTEGER NOT NULL,
    "changedById" INTEGER NOT NULL,
    "changedAt" DATETIME NOT NULL,
    CONSTRAINT "AppraisalRevision_appraisalId_fkey" FOREIGN KEY ("appraisalId") REFERENCES "Appraisal" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AppraisalRevision_changedById_fkey" FOREIGN KEY ("changedById") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Explanation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Explanation_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Explanation_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Explanation_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Explanation_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "UnitAdjustment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "points" REAL NOT NULL,
    "reason" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" DATETIME,
    "removedById" INTEGER,
    CONSTRAINT "UnitAdjustment_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "UnitAdjustment_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "UnitAdjustment_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "UnitAdjustment_removedById_fkey" FOREIGN KEY ("removedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "UnitRecognition" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "UnitRecognition_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "UnitRecognition_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "UnitRecognition_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Evidence" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
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
    CONSTRAINT "Evidence_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Evidence_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_uploadedById_fkey" FOREIGN KEY ("uploadedById") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Evidence_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Evidence" ("campaignId", "createdAt", "fileId", "fileName", "fileUniqueId", "id", "kind", "mimeType", "note", "questionId", "removedAt", "sha256", "size", "source", "storageKey", "unavailableAt", "unitId", "uploadedById", "url") SELECT "campaignId", "createdAt", "fileId", "fileName", "fileUniqueId", "id", "kind", "mimeType", "note", "questionId", "removedAt", "sha256", "size", "source", "storageKey", "unavailableAt", "unitId", "uploadedById", "url" FROM "Evidence";
DROP TABLE "Evidence";
ALTER TABLE "new_Evidence" RENAME TO "Evidence";
CREATE INDEX "Evidence_campaignId_unitId_questionId_idx" ON "Evidence"("campaignId", "unitId", "questionId");
CREATE INDEX "Evidence_storageKey_idx" ON "Evidence"("storageKey");
CREATE INDEX "Evidence_explanationId_idx" ON "Evidence"("explanationId");
CREATE TABLE "new_Invite" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "unitId" INTEGER,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "usedById" INTEGER,
    "createdById" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "appraiserId" INTEGER,
    CONSTRAINT "Invite_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Invite_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Invite_usedById_fkey" FOREIGN KEY ("usedById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Invite_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Invite_appraiserId_fkey" FOREIGN KEY ("appraiserId") REFERENCES "Appraiser" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Invite" ("campaignId", "code", "createdAt", "createdById", "expiresAt", "id", "revokedAt", "role", "unitId", "usedAt", "usedById") SELECT "campaignId", "code", "createdAt", "createdById", "expiresAt", "id", "revokedAt", "role", "unitId", "usedAt", "usedById" FROM "Invite";
DROP TABLE "Invite";
ALTER TABLE "new_Invite" RENAME TO "Invite";
CREATE UNIQUE INDEX "Invite_code_key" ON "Invite"("code");
CREATE TABLE "new_Question" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "questionnaireId" INTEGER NOT NULL,
    "criterionId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "maxPoints" REAL NOT NULL,
    "answerType" TEXT NOT NULL,
    "choices" JSONB,
    "scoringRule" JSONB NOT NULL,
    "scoringText" TEXT NOT NULL,
    "evidenceRequired" BOOLEAN NOT NULL DEFAULT false,
    "evidenceHint" TEXT,
    "required" BOOLEAN NOT NULL DEFAULT true,
    "order" INTEGER NOT NULL,
    "countOf" TEXT,
    "countMax" INTEGER,
    "noDate" TEXT,
    "notApplicable" TEXT,
    "appliesTo" JSONB,
    "teamScored" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "Question_questionnaireId_fkey" FOREIGN KEY ("questionnaireId") REFERENCES "Questionnaire" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Question_criterionId_fkey" FOREIGN KEY ("criterionId") REFERENCES "Criterion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Question" ("answerType", "appliesTo", "choices", "code", "countMax", "countOf", "criterionId", "evidenceHint", "evidenceRequired", "id", "maxPoints", "noDate", "notApplicable", "order", "questionnaireId", "required", "scoringRule", "scoringText", "text") SELECT "answerType", "appliesTo", "choices", "code", "countMax", "countOf", "criterionId", "evidenceHint", "evidenceRequired", "id", "maxPoints", "noDate", "notApplicable", "order", "questionnaireId", "required", "scoringRule", "scoringText", "text" FROM "Question";
DROP TABLE "Question";
ALTER TABLE "new_Question" RENAME TO "Question";
CREATE INDEX "Question_criterionId_order_idx" ON "Question"("criterionId", "order");
CREATE UNIQUE INDEX "Question_questionnaireId_code_key" ON "Question"("questionnaireId", "code");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Appraiser_personId_idx" ON "Appraiser"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "Appraiser_campaignId_key_key" ON "Appraiser"("campaignId", "key");

-- CreateIndex
CREATE INDEX "AppraisalAssignment_unitId_idx" ON "AppraisalAssignment"("unitId");

-- CreateIndex
CREATE INDEX "AppraisalAssignment_areaId_idx" ON "AppraisalAssignment"("areaId");

-- CreateIndex
CREATE UNIQUE INDEX "AppraisalAssignment_appraiserId_scopeKey_key" ON "AppraisalAssignment"("appraiserId", "scopeKey");

-- CreateIndex
CREATE INDEX "Appraisal_campaignId_round_areaId_idx" ON "Appraisal"("campaignId", "round", "areaId");

-- CreateIndex
CREATE INDEX "Appraisal_appraiserId_idx" ON "Appraisal"("appraiserId");

-- CreateIndex
CREATE UNIQUE INDEX "Appraisal_campaignId_unitId_questionId_round_key" ON "Appraisal"("campaignId", "unitId", "questionId", "round");

-- CreateIndex
CREATE INDEX "AppraisalRevision_appraisalId_idx" ON "AppraisalRevision"("appraisalId");

-- CreateIndex
CREATE UNIQUE INDEX "Explanation_campaignId_unitId_questionId_key" ON "Explanation"("campaignId", "unitId", "questionId");

-- CreateIndex
CREATE INDEX "UnitAdjustment_campaignId_unitId_idx" ON "UnitAdjustment"("campaignId", "unitId");

-- CreateIndex
CREATE UNIQUE INDEX "UnitRecognition_campaignId_unitId_key" ON "UnitRecognition"("campaignId", "unitId");
