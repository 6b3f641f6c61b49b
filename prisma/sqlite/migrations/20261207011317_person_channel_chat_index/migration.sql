-- CreateIndex
CREATE INDEX "PersonChannel_channel_chatId_idx" ON "PersonChannel"("channel", "chatId");
