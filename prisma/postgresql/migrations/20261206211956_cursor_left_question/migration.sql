-- AlterTable
ALTER TABLE "AssessmentCursor" ADD COLUMN     "leftMode" "CursorMode",
ADD COLUMN     "leftQuestionId" INTEGER;
