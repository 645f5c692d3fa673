ALTER TABLE `letters` ADD `sender_display` text;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `display_names` text;