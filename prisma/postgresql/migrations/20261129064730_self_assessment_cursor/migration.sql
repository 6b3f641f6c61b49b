-- CreateEnum
CREATE TYPE "CursorMode" AS ENUM ('ANSWER', 'SCORE', 'EXPLANATION', 'EVIDENCE');

-- CreateTable
CREATE TABLE "AssessmentCursor" (
    "personId" INTEGER NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "mode" "CursorMode" NOT NULL DEFAULT 'ANSWER',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AssessmentCursor_pkey" PRIMARY KEY ("personId")
);

-- AddForeignKey
ALTER TABLE "AssessmentCursor" ADD CONSTRAINT "AssessmentCursor_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AssessmentCursor" ADD CONSTRAINT "AssessmentCursor_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question"("id") ON DELETE CASCADE ON UPDATE CASCADE;
