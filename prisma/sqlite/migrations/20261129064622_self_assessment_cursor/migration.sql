-- CreateTable
CREATE TABLE "AssessmentCursor" (
    "personId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'ANSWER',
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AssessmentCursor_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AssessmentCursor_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "Question" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
