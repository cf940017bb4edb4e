-- A campaign's AI conversations are listed newest first, a page at a time
-- (`WHERE campaign_id = $1 AND id < $cursor ORDER BY id DESC LIMIT n`): without this index
-- every page scanned the whole table.
CREATE INDEX ai_conversations_campaign ON ai_conversations(campaign_id, id);
