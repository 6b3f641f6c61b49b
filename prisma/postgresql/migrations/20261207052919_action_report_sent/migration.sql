-- AlterTable
ALTER TABLE "ActionReport" ADD COLUMN     "sentAt" TIMESTAMP(3);

-- Reports of actions already reported or closed were sent: they count as sent when written
UPDATE "ActionReport" SET "sentAt" = "createdAt"
WHERE "actionId" IN (SELECT "id" FROM "CorrectiveAction" WHERE "status" <> 'OPEN');
