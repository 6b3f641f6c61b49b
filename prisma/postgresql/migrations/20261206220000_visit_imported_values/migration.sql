-- AlterTable
ALTER TABLE "InspectionVisit" ADD COLUMN     "importedContents" TEXT,
ADD COLUMN     "importedPlace" TEXT,
ADD COLUMN     "importedStartsAt" TIMESTAMP(3);
