CREATE TABLE `exemptions` (
	`mailbox_id` integer PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer,
	`name` text NOT NULL,
	`postal_address` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `feed_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `fork_statements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`log` text NOT NULL,
	`kind` text NOT NULL,
	`bytes` blob NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `letter_sender_keys` (
	`letter_id` text PRIMARY KEY NOT NULL,
	`kid` text NOT NULL,
	`jwk` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `letter_terms` (
	`letter_id` text PRIMARY KEY NOT NULL,
	`category` text,
	`visible_from` integer,
	`title` text,
	`reply_by` integer
);
--> statement-breakpoint
CREATE TABLE `log_checkpoints` (
	`digest` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`time` integer NOT NULL,
	`bytes` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `log_checkpoints_size` ON `log_checkpoints` (`size`,`time`);--> statement-breakpoint
CREATE TABLE `log_cosignatures` (
	`checkpoint_digest` text NOT NULL,
	`witness` text NOT NULL,
	`time` integer NOT NULL,
	`bytes` blob NOT NULL,
	PRIMARY KEY(`checkpoint_digest`, `witness`)
);
--> statement-breakpoint
CREATE TABLE `log_leaves` (
	`idx` integer PRIMARY KEY NOT NULL,
	`evidence_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `log_leaves_evidence_id_unique` ON `log_leaves` (`evidence_id`);--> statement-breakpoint
CREATE TABLE `log_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
--> statement-breakpoint
CREATE TABLE `log_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`size` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mailbox_id` integer NOT NULL,
	`channel` text NOT NULL,
	`address` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `notification_targets_mailbox` ON `notification_targets` (`mailbox_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mailbox_id` integer NOT NULL,
	`letter_id` text NOT NULL,
	`target_id` integer NOT NULL,
	`channel` text NOT NULL,
	`address` text,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`done_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_once` ON `notifications` (`letter_id`,`mailbox_id`,`target_id`);--> statement-breakpoint
CREATE INDEX `notifications_due` ON `notifications` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `print_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`letter_id` text NOT NULL,
	`mailbox_id` integer NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`pages` integer,
	`sheets` integer,
	`file` text,
	`evidence_id` text,
	`error` text,
	`created_at` integer NOT NULL,
	`done_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `print_jobs_letter_mailbox` ON `print_jobs` (`letter_id`,`mailbox_id`);--> statement-breakpoint
CREATE INDEX `print_jobs_due` ON `print_jobs` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `print_jobs_done` ON `print_jobs` (`done_at`);--> statement-breakpoint
CREATE TABLE `receipt_cursors` (
	`sender` text PRIMARY KEY NOT NULL,
	`acked_through` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `receipts` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sender` text NOT NULL,
	`evidence_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_sender_evidence` ON `receipts` (`sender`,`evidence_id`);--> statement-breakpoint
CREATE INDEX `receipts_sender_seq` ON `receipts` (`sender`,`seq`);--> statement-breakpoint
CREATE TABLE `retrieval_deadlines` (
	`letter_id` text NOT NULL,
	`mailbox_id` integer NOT NULL,
	`category` text NOT NULL,
	`due_at` integer NOT NULL,
	`state` text NOT NULL,
	`outcome` text,
	PRIMARY KEY(`letter_id`, `mailbox_id`)
);
--> statement-breakpoint
CREATE INDEX `retrieval_deadlines_due` ON `retrieval_deadlines` (`state`,`due_at`);--> statement-breakpoint
CREATE TABLE `scheduled_deliveries` (
	`letter_id` text NOT NULL,
	`mailbox_id` integer NOT NULL,
	`address` text NOT NULL,
	`visible_at` integer NOT NULL,
	`state` text NOT NULL,
	PRIMARY KEY(`letter_id`, `mailbox_id`)
);
--> statement-breakpoint
CREATE INDEX `scheduled_deliveries_due` ON `scheduled_deliveries` (`state`,`visible_at`);--> statement-breakpoint
CREATE TABLE `witness_views` (
	`log` text PRIMARY KEY NOT NULL,
	`checkpoint` blob NOT NULL,
	`size` integer NOT NULL,
	`time` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`forked_at` integer
);
