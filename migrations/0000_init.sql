CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text,
	`name` text,
	`digest` text NOT NULL,
	`last6` text NOT NULL,
	`valid` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_digest_unique` ON `api_keys` (`digest`);--> statement-breakpoint
CREATE TABLE `invitation_emails` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`organization_id` text NOT NULL,
	`project_id` text,
	`invitation_id` integer NOT NULL,
	`to_email` text NOT NULL,
	`token` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "invitation_emails_kind_check" CHECK(kind in ('PROJECT', 'ORGANIZATION'))
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `organization_invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`organization_role_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "organization_invitations_status_check" CHECK(status in ('PENDING', 'ACCEPTED', 'DECLINED')),
	CONSTRAINT "organization_invitations_email_lower" CHECK("organization_invitations"."email" = lower("organization_invitations"."email"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organization_invitations_pending_unique` ON `organization_invitations` (`organization_id`,`email`) WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX `organization_invitations_org_idx` ON `organization_invitations` (`organization_id`,`id`);--> statement-breakpoint
CREATE TABLE `organization_members` (
	`organization_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `user_id`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text NOT NULL,
	`trial_ends_at` integer,
	`created_at` integer NOT NULL,
	CONSTRAINT "organizations_plan_check" CHECK(plan in ('TRIAL', 'FREE', 'STARTER', 'ENTERPRISE', 'TEAM', 'PREMIUM'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_name_unique` ON `organizations` (`name`);--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_name_unique` ON `policies` (`name`);--> statement-breakpoint
CREATE TABLE `project_invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`project_role_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "project_invitations_status_check" CHECK(status in ('PENDING', 'ACCEPTED', 'DECLINED')),
	CONSTRAINT "project_invitations_email_lower" CHECK("project_invitations"."email" = lower("project_invitations"."email"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `project_invitations_pending_unique` ON `project_invitations` (`project_id`,`email`) WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX `project_invitations_project_idx` ON `project_invitations` (`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `project_members` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `user_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_org_name_unique` ON `projects` (`organization_id`,`name`);--> statement-breakpoint
CREATE TABLE `role_policies` (
	`role_id` text NOT NULL,
	`policy_id` text NOT NULL,
	PRIMARY KEY(`role_id`, `policy_id`),
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`policy_id`) REFERENCES `policies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `roles` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`organization_id` text,
	`project_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "roles_scope_check" CHECK(scope in ('ORGANIZATION', 'PROJECT')),
	CONSTRAINT "roles_project_scope" CHECK("roles"."project_id" is null or "roles"."scope" = 'PROJECT'),
	CONSTRAINT "roles_project_has_org" CHECK("roles"."project_id" is null or "roles"."organization_id" is not null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_system_name_unique` ON `roles` (`scope`,`name`) WHERE organization_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX `roles_org_name_unique` ON `roles` (`organization_id`,`name`) WHERE organization_id is not null and project_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX `roles_project_name_unique` ON `roles` (`project_id`,`name`) WHERE project_id is not null;--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text,
	`image` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "users_email_lower" CHECK("users"."email" = lower("users"."email"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);