CREATE TABLE `batch_items` (
	`batch_id` text NOT NULL,
	`idx` integer NOT NULL,
	`bytes` blob,
	`letter_id` text,
	`status` text NOT NULL,
	`code` text,
	`message` text,
	PRIMARY KEY(`batch_id`, `idx`),
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `batch_items_pending` ON `batch_items` (`batch_id`,`idx`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`sender_id` text NOT NULL,
	`total` integer NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
CREATE TABLE `blobs` (
	`digest` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`letter_id` text NOT NULL,
	`mailbox_id` integer NOT NULL,
	`received_at` integer NOT NULL,
	`opened_at` integer,
	`deleted_at` integer,
	FOREIGN KEY (`letter_id`) REFERENCES `letters`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_letter_mailbox` ON `deliveries` (`letter_id`,`mailbox_id`);--> statement-breakpoint
CREATE INDEX `deliveries_mailbox_cursor` ON `deliveries` (`mailbox_id`,`id`);--> statement-breakpoint
CREATE TABLE `evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`letter_id` text NOT NULL,
	`recipient` text,
	`type` text NOT NULL,
	`issuer` text NOT NULL,
	`issued_at` integer NOT NULL,
	`prev` text,
	`record` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `evidence_letter` ON `evidence` (`letter_id`);--> statement-breakpoint
CREATE TABLE `fed_transactions` (
	`origin` text NOT NULL,
	`txid` text NOT NULL,
	`request_digest` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`origin`, `txid`)
);
--> statement-breakpoint
CREATE INDEX `fed_tx_created` ON `fed_transactions` (`created_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_digest` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idem_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `letter_attachments` (
	`letter_id` text NOT NULL,
	`idx` integer NOT NULL,
	`digest` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`letter_id`, `idx`),
	FOREIGN KEY (`letter_id`) REFERENCES `letters`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `letter_attachments_digest` ON `letter_attachments` (`digest`);--> statement-breakpoint
CREATE TABLE `letters` (
	`id` text PRIMARY KEY NOT NULL,
	`digest` text NOT NULL,
	`sender_address` text NOT NULL,
	`sender_kid` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`thread_id` text,
	`reply_to` text,
	`origin` text NOT NULL,
	`received_at` integer NOT NULL,
	`size` integer NOT NULL,
	`bytes` blob
);
--> statement-breakpoint
CREATE INDEX `letters_sender` ON `letters` (`sender_address`);--> statement-breakpoint
CREATE TABLE `mailbox_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mailbox_id` integer NOT NULL,
	`kid` text NOT NULL,
	`use` text NOT NULL,
	`jwk` text NOT NULL,
	`certificate` text NOT NULL,
	`label` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailbox_keys_mailbox_kid` ON `mailbox_keys` (`mailbox_id`,`kid`);--> statement-breakpoint
CREATE TABLE `mailboxes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`address` text NOT NULL,
	`identifier` text,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`display_name` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailboxes_address_unique` ON `mailboxes` (`address`);--> statement-breakpoint
CREATE UNIQUE INDEX `mailboxes_identifier_unique` ON `mailboxes` (`identifier`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`peer` text NOT NULL,
	`kind` text NOT NULL,
	`letter_id` text NOT NULL,
	`recipient` text,
	`evidence_id` text,
	`deliver_before` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`ambiguous` integer DEFAULT false NOT NULL,
	`state` text NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`done_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`state`,`peer`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `recipients` (
	`letter_id` text NOT NULL,
	`address` text NOT NULL,
	`state` text NOT NULL,
	`code` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`letter_id`, `address`),
	FOREIGN KEY (`letter_id`) REFERENCES `letters`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `senders` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`mailbox_id` integer NOT NULL,
	`api_key_id` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `senders_api_key_id_unique` ON `senders` (`api_key_id`);