CREATE TABLE `outbox_depth` (
	`peer` text PRIMARY KEY NOT NULL,
	`pending` integer NOT NULL
);
--> statement-breakpoint
-- Added by hand to the generated table (drizzle-kit does not model triggers): the pending count
-- of each peer follows every insert, change and removal of an outbox item, in the statement's
-- own transaction, so it can never disagree with the queue.
CREATE TRIGGER `outbox_depth_insert` AFTER INSERT ON `outbox` WHEN new.state = 'pending'
BEGIN
  INSERT INTO outbox_depth (peer, pending) VALUES (new.peer, 1)
    ON CONFLICT (peer) DO UPDATE SET pending = pending + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `outbox_depth_settle` AFTER UPDATE OF peer, state ON `outbox`
  WHEN old.state = 'pending' AND (new.state <> 'pending' OR new.peer <> old.peer)
BEGIN
  UPDATE outbox_depth SET pending = pending - 1 WHERE peer = old.peer;
END;
--> statement-breakpoint
CREATE TRIGGER `outbox_depth_reopen` AFTER UPDATE OF peer, state ON `outbox`
  WHEN new.state = 'pending' AND (old.state <> 'pending' OR new.peer <> old.peer)
BEGIN
  INSERT INTO outbox_depth (peer, pending) VALUES (new.peer, 1)
    ON CONFLICT (peer) DO UPDATE SET pending = pending + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `outbox_depth_delete` AFTER DELETE ON `outbox` WHEN old.state = 'pending'
BEGIN
  UPDATE outbox_depth SET pending = pending - 1 WHERE peer = old.peer;
END;
--> statement-breakpoint
INSERT INTO outbox_depth (peer, pending)
  SELECT peer, count(*) FROM outbox WHERE state = 'pending' GROUP BY peer;
