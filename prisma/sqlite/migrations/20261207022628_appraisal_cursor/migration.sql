-- CreateTable
CREATE TABLE "AppraisalCursor" (
    "personId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "questionId" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "round" INTEGER,
    "pendingScore" REAL,
    "version" INTEGER,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AppraisalCursor_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
