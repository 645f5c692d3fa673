-- Before this migration the node created these two indexes when it opened the database; IF NOT
-- EXISTS lets a database made then take the migration.
CREATE INDEX IF NOT EXISTS `deliveries_unread` ON `deliveries` (`mailbox_id`,`id`) WHERE opened_at IS NULL AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `evidence_retention` ON `evidence` (`issued_at`,`letter_id`);
