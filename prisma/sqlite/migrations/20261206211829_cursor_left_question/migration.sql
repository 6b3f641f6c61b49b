-- AlterTable
ALTER TABLE "AssessmentCursor" ADD COLUMN "leftMode" TEXT;
ALTER TABLE "AssessmentCursor" ADD COLUMN "leftQuestionId" INTEGER;
