-- CreateEnum
CREATE TYPE "AdjustmentKind" AS ENUM ('BONUS', 'PENALTY');

-- CreateEnum
CREATE TYPE "RecognitionKind" AS ENUM ('COMMEND', 'CRITICISE');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "CampaignStatus" ADD VALUE 'EXPLANATION';
ALTER TYPE "CampaignStatus" ADD VALUE 'FINAL_APPRAISAL';

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'APPRAISER';

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "appraisalClosedAt" TIMESTAMP(3),
ADD COLUMN     "appraisalOpenedAt" TIMESTAMP(3),
ADD COLUMN     "explanationDeadline" TIMESTAMP(3),
ADD COLUMN     "finalAppraisalOpenedAt" TIMESTAMP(3),
ADD COLUMN     "publishedAt" TIMESTAMP(3),
ADD COLUMN     "rankGroups" JSONB;

-- AlterTable
ALTER TABLE "Evidence" ADD COLUMN     "explanationId" INTEGER;

-- AlterTable
ALTER TABLE "Invite" ADD COLUMN     "appraiserId" INTEGER;

-- AlterTable
ALTER TABLE "Question" ADD COLUMN     "teamScored" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Appraiser" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "telegramId" TEXT,
    "personId" INTEGER,
    "fromFile" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Appraiser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppraisalAssignment" (
    "id" SERIAL NOT NULL,
    "appraiserId" INTEGER NOT NULL,
    "unitId" INTEGER,
    "areaId" INTEGER,
    "scopeKey" TEXT NOT NULL,
    "fromFile" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppraisalAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Appraisal" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "areaId" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "selfScore" DOUBLE PRECISION,
    "comment" TEXT,
    "appraiserId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Appraisal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppraisalRevision" (
    "id" SERIAL NOT NULL,
    "appraisalId" INTEGER NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "comment" TEXT,
    "version" INTEGER NOT NULL,
    "changedById" INTEGER NOT NULL,
    "changedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppraisalRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Explanation" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Explanation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitAdjustment" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "kind" "AdjustmentKind" NOT NULL,
    "points" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),
    "removedById" INTEGER,

    CONSTRAINT "UnitAdjustment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitRecognition" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "kind" "RecognitionKind" NOT NULL,
    "reason" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnitRecognition_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Evidence_explanationId_idx" ON "Evidence"("explanationId");

-- AddForeignKey
ALTER TABLE "Invite" ADD CONSTRAINT "Invite_appraiserId_fkey" FOREIGN KEY ("appraiserId") REFERENCES "Appraiser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evidence" ADD CONSTRAINT "Evidence_explanationId_fkey" FOREIGN KEY ("explanationId") REFERENCES "Explanation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Appraiser" ADD CONSTRAINT "Appraiser_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Appraiser" ADD CONSTRAINT "Appraiser_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppraisalAssignment" ADD CONSTRAINT "AppraisalAssignment_appraiserId_fkey" FOREIGN KEY ("appraiserId") REFERENCES "Appraiser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppraisalAssignment" ADD CONSTRAINT "AppraisalAssignment_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppraisalAssignment" ADD CONSTRAINT "AppraisalAssignment_areaId_fkey" FOREIGN KEY ("areaId") REFERENCES "ReformArea"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Appraisal" ADD CONSTRAINT "Appraisal_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Appraisal" ADD CONSTRAINT "Appraisal_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Appraisal" ADD CONSTRAINT "Appraisal_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Appraisal" ADD CONSTRAINT "Appraisal_appraiserId_fkey" FOREIGN KEY ("appraiserId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppraisalRevision" ADD CONSTRAINT "AppraisalRevision_appraisalId_fkey" FOREIGN KEY ("appraisalId") REFERENCES "Appraisal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppraisalRevision" ADD CONSTRAINT "AppraisalRevision_changedById_fkey" FOREIGN KEY ("changedById") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Explanation" ADD CONSTRAINT "Explanation_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitAdjustment" ADD CONSTRAINT "UnitAdjustment_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitAdjustment" ADD CONSTRAINT "UnitAdjustment_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitAdjustment" ADD CONSTRAINT "UnitAdjustment_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitAdjustment" ADD CONSTRAINT "UnitAdjustment_removedById_fkey" FOREIGN KEY ("removedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitRecognition" ADD CONSTRAINT "UnitRecognition_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitRecognition" ADD CONSTRAINT "UnitRecognition_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitRecognition" ADD CONSTRAINT "UnitRecognition_byId_fkey" FOREIGN KEY ("byId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
