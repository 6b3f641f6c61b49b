-- CreateEnum
CREATE TYPE "EvidenceKind" AS ENUM ('FILE', 'LINK');

-- AlterTable
ALTER TABLE "Evidence" ADD COLUMN     "kind" "EvidenceKind" NOT NULL DEFAULT 'FILE',
ADD COLUMN     "note" TEXT,
ADD COLUMN     "sha256" TEXT,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'telegram',
ADD COLUMN     "storageKey" TEXT,
ADD COLUMN     "unavailableAt" TIMESTAMP(3),
ADD COLUMN     "url" TEXT,
ALTER COLUMN "fileId" DROP NOT NULL,
ALTER COLUMN "fileUniqueId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "AccessLink" (
    "id" SERIAL NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "purpose" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AccessLink_tokenHash_key" ON "AccessLink"("tokenHash");

-- CreateIndex
CREATE INDEX "AccessLink_personId_idx" ON "AccessLink"("personId");

-- CreateIndex
CREATE INDEX "Evidence_storageKey_idx" ON "Evidence"("storageKey");

-- AddForeignKey
ALTER TABLE "AccessLink" ADD CONSTRAINT "AccessLink_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
