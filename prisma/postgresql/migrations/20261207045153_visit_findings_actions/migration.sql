-- CreateEnum
CREATE TYPE "CheckResult" AS ENUM ('MET', 'NOT_MET', 'PARTIAL');

-- CreateEnum
CREATE TYPE "ActionStatus" AS ENUM ('OPEN', 'REPORTED', 'CLOSED');

-- CreateEnum
CREATE TYPE "VisitDocumentKind" AS ENUM ('MINUTES', 'SIGNED_MINUTES', 'CONCLUSION');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "VisitCursorMode" ADD VALUE 'FINDING';
ALTER TYPE "VisitCursorMode" ADD VALUE 'ITEM_NOTE';
ALTER TYPE "VisitCursorMode" ADD VALUE 'MINUTES';
ALTER TYPE "VisitCursorMode" ADD VALUE 'SIGNED_MINUTES';
ALTER TYPE "VisitCursorMode" ADD VALUE 'ACTION';
ALTER TYPE "VisitCursorMode" ADD VALUE 'ACTION_REPORT';
ALTER TYPE "VisitCursorMode" ADD VALUE 'ACTION_REOPEN';

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "actionDueDays" INTEGER NOT NULL DEFAULT 15;

-- AlterTable
ALTER TABLE "Evidence" ADD COLUMN     "actionReportId" INTEGER,
ADD COLUMN     "findingId" INTEGER;

-- AlterTable
ALTER TABLE "InspectionVisit" ADD COLUMN     "attendees" TEXT,
ADD COLUMN     "checkedContents" TEXT,
ADD COLUMN     "completedAt" TIMESTAMP(3),
ADD COLUMN     "completedById" INTEGER,
ADD COLUMN     "conclusionIssuedAt" TIMESTAMP(3),
ADD COLUMN     "conclusionIssuedById" INTEGER,
ADD COLUMN     "conclusionNumber" TEXT,
ADD COLUMN     "results" TEXT;

-- AlterTable
ALTER TABLE "VisitCursor" ADD COLUMN     "step" TEXT,
ADD COLUMN     "targetId" INTEGER;

-- CreateTable
CREATE TABLE "InspectionItem" (
    "id" SERIAL NOT NULL,
    "contentId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "order" INTEGER NOT NULL,

    CONSTRAINT "InspectionItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ItemCheck" (
    "id" SERIAL NOT NULL,
    "visitId" INTEGER NOT NULL,
    "itemId" INTEGER NOT NULL,
    "result" "CheckResult" NOT NULL,
    "note" TEXT,
    "byId" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ItemCheck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "visitId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "criterionId" INTEGER,
    "contentId" INTEGER,
    "itemId" INTEGER,
    "byId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CorrectiveAction" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "visitId" INTEGER NOT NULL,
    "findingId" INTEGER,
    "text" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3),
    "dueChosen" BOOLEAN NOT NULL DEFAULT false,
    "status" "ActionStatus" NOT NULL DEFAULT 'OPEN',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "closedById" INTEGER,
    "reopenReason" TEXT,

    CONSTRAINT "CorrectiveAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionReport" (
    "id" SERIAL NOT NULL,
    "actionId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ActionReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VisitDocument" (
    "id" SERIAL NOT NULL,
    "visitId" INTEGER NOT NULL,
    "kind" "VisitDocumentKind" NOT NULL,
    "fileName" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storageKey" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VisitDocument_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Evidence_findingId_idx" ON "Evidence"("findingId");

-- CreateIndex
CREATE INDEX "Evidence_actionReportId_idx" ON "Evidence"("actionReportId");

-- AddForeignKey
ALTER TABLE "InspectionItem" ADD CONSTRAINT "InspectionItem_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "InspectionContent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evidence" ADD CONSTRAINT "Evidence_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evidence" ADD CONSTRAINT "Evidence_actionReportId_fkey" FOREIGN KEY ("actionReportId") REFERENCES "ActionReport"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionVisit" ADD CONSTRAINT "InspectionVisit_completedById_fkey" FOREIGN KEY ("completedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionVisit" ADD CONSTRAINT "InspectionVisit_conclusionIssuedById_fkey" FOREIGN KEY ("conclusionIssuedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ItemCheck" ADD CONSTRAINT "ItemCheck_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ItemCheck" ADD CONSTRAINT "ItemCheck_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InspectionItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ItemCheck" ADD CONSTRAINT "ItemCheck_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_criterionId_fkey" FOREIGN KEY ("criterionId") REFERENCES "Criterion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "InspectionContent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InspectionItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CorrectiveAction" ADD CONSTRAINT "CorrectiveAction_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CorrectiveAction" ADD CONSTRAINT "CorrectiveAction_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CorrectiveAction" ADD CONSTRAINT "CorrectiveAction_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CorrectiveAction" ADD CONSTRAINT "CorrectiveAction_closedById_fkey" FOREIGN KEY ("closedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActionReport" ADD CONSTRAINT "ActionReport_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "CorrectiveAction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActionReport" ADD CONSTRAINT "ActionReport_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitDocument" ADD CONSTRAINT "VisitDocument_visitId_fkey" FOREIGN KEY ("visitId") REFERENCES "InspectionVisit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VisitDocument" ADD CONSTRAINT "VisitDocument_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
