ALTER TABLE `mailbox_keys` ADD `cert_issuer` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `mailbox_keys_issuer` ON `mailbox_keys` (`cert_issuer`,`id`) WHERE revoked_at IS NULL;