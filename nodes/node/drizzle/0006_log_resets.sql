CREATE TABLE `log_resets` (
	`epoch` integer PRIMARY KEY NOT NULL,
	`bytes` blob NOT NULL,
	`installed_at` integer NOT NULL
);
