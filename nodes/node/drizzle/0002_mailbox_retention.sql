ALTER TABLE `deliveries` ADD `purged_at` integer;--> statement-breakpoint
CREATE INDEX `deliveries_retention` ON `deliveries` (`received_at`) WHERE purged_at IS NULL;