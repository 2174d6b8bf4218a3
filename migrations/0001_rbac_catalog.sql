-- Permissions, policies and governance policies as the vendor models them. Hand-written: drizzle-kit
-- would ALTER `policies` (a NOT NULL column without a default, which SQLite refuses) and drop the
-- ON DELETE actions of the added references. The snapshot describes the same schema.
--
-- Before this migration `policies` held bare permission names that roles pointed at. Policies are
-- now named groups of permissions owned by an organization or a project; the old rows have no owner
-- to move to, so they and the links to them are dropped. A database that had such links forgets
-- which fixtures document it last applied, so the fixtures file is applied again at the next start
-- and rebuilds them in the new shape.
DELETE FROM `meta` WHERE `key` = 'fixtures_digest' AND EXISTS (SELECT 1 FROM `role_policies`);--> statement-breakpoint
DROP TABLE `role_policies`;--> statement-breakpoint
DROP TABLE `policies`;--> statement-breakpoint
CREATE TABLE `permissions` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	CONSTRAINT "permissions_scope_check" CHECK(scope in ('ORGANIZATION', 'PROJECT'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `permissions_scope_name_unique` ON `permissions` (`scope`,`name`);--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text,
	`name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_org_name_unique` ON `policies` (`organization_id`,`name`) WHERE project_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX `policies_project_name_unique` ON `policies` (`project_id`,`name`) WHERE project_id is not null;--> statement-breakpoint
CREATE TABLE `policy_permissions` (
	`policy_id` text NOT NULL,
	`permission_id` text NOT NULL,
	PRIMARY KEY(`policy_id`, `permission_id`),
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`permission_id`) REFERENCES `permissions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `role_policies` (
	`role_id` text NOT NULL,
	`policy_id` text NOT NULL,
	PRIMARY KEY(`role_id`, `policy_id`),
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `governance_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `governance_policies_org_name_unique` ON `governance_policies` (`organization_id`,`name`);--> statement-breakpoint
CREATE TABLE `governance_controls` (
	`id` text PRIMARY KEY NOT NULL,
	`governance_policy_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`governance_policy_id`) REFERENCES `governance_policies`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "governance_controls_type_check" CHECK(type in ('RUNTIME', 'PRE_DEPLOYMENT_EVALS', 'PRE_DEPLOYMENT_RED_TEAMING', 'OPERATIONAL'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `governance_controls_policy_name_unique` ON `governance_controls` (`governance_policy_id`,`name`);--> statement-breakpoint
ALTER TABLE `projects` ADD `governance_policy_id` text REFERENCES `governance_policies`(`id`) ON UPDATE no action ON DELETE set null;
