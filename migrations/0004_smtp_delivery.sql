-- Written by hand from drizzle-kit's output: it rebuilt the table to add the CHECK, copying the new columns from the old table, which has none (the copy would fail), and dropping the AUTOINCREMENT counter's history. Columns added in place keep both.
ALTER TABLE `invitation_emails` ADD `delivery` text CONSTRAINT "invitation_emails_delivery_check" CHECK(delivery in ('pending', 'sent', 'failed'));--> statement-breakpoint
ALTER TABLE `invitation_emails` ADD `delivery_error` text;--> statement-breakpoint
CREATE INDEX `invitation_emails_pending_idx` ON `invitation_emails` (`id`) WHERE delivery = 'pending';
