// Members of a project or of an organization (one repository, parametrized by where they belong), with their pending invitations.
import type { Tx } from '../db/transaction.js'
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/index.js'
import {
  organizationInvitations, organizationMembers, projectInvitations, projectMembers, projects, roles, users
} from '../db/schema.js'

/** Where one kind of membership lives: its table and owner column, and the invitations to the same owner. */
export interface MemberKind {
  members: typeof projectMembers | typeof organizationMembers
  owner: typeof projectMembers.projectId | typeof organizationMembers.organizationId
  invitations: typeof projectInvitations | typeof organizationInvitations
  invitationOwner: typeof projectInvitations.projectId | typeof organizationInvitations.organizationId
}

export const PROJECT_MEMBERS: MemberKind = {
  members: projectMembers,
  owner: projectMembers.projectId,
  invitations: projectInvitations,
  invitationOwner: projectInvitations.projectId
}

export const ORGANIZATION_MEMBERS: MemberKind = {
  members: organizationMembers,
  owner: organizationMembers.organizationId,
  invitations: organizationInvitations,
  invitationOwner: organizationInvitations.organizationId
}

export interface MemberRow {
  userId: string
  email: string
  name: string | null
  image: string | null
  roleId: string
  roleName: string
}

export function membersRepository (db: Db, k: MemberKind) {
  const m = k.members
  const select = () => db.select({
    userId: users.id,
    email: users.email,
    name: users.name,
    image: users.image,
    roleId: roles.id,
    roleName: roles.name
  }).from(m)
    .innerJoin(users, eq(users.id, m.userId))
    .innerJoin(roles, eq(roles.id, m.roleId))

  const member = (ownerId: string, userId: string) => and(eq(k.owner, ownerId), eq(m.userId, userId))

  // The list endpoints' two reads, prepared once: building and preparing them cost more than running them.
  const countOf = db.select({ n: count() }).from(m).where(eq(k.owner, sql.placeholder('ownerId'))).prepare()
  const pageOf = select().where(eq(k.owner, sql.placeholder('ownerId')))
    .orderBy(asc(m.createdAt), asc(m.userId))
    .limit(sql.placeholder('limit')).offset(sql.placeholder('offset')).prepare()

  return {
    count (ownerId: string): number {
      return countOf.get({ ownerId })!.n
    },

    /** One page of members, by join time then user id: an order that new members never reshuffle. */
    page (ownerId: string, limit: number, offset: number): MemberRow[] {
      return pageOf.all({ ownerId, limit, offset })
    },

    find (ownerId: string, userId: string): MemberRow | null {
      return select().where(member(ownerId, userId)).get() ?? null
    },

    /** The members holding this role (e.g. the Owner role), by user id. */
    withRole (ownerId: string, roleId: string): string[] {
      return db.select({ userId: m.userId }).from(m)
        .where(and(eq(k.owner, ownerId), eq(m.roleId, roleId)))
        .orderBy(asc(m.userId)).all().map((r) => r.userId)
    },

    setRole (tx: Tx, ownerId: string, userId: string, roleId: string): void {
      tx.db.update(m).set({ roleId }).where(member(ownerId, userId)).run()
    },

    remove (tx: Tx, ownerId: string, userId: string): void {
      tx.db.delete(m).where(member(ownerId, userId)).run()
    },

    /** Deletes this address's PENDING invitations to this owner; DECLINED and ACCEPTED ones stay as history. */
    clearPending (tx: Tx, ownerId: string, email: string): void {
      const inv = k.invitations
      tx.db.delete(inv).where(and(eq(k.invitationOwner, ownerId), eq(inv.email, email), eq(inv.status, 'PENDING'))).run()
    }
  }
}

export type MembersRepository = ReturnType<typeof membersRepository>

/** A person's place in the projects of one organization: what leaving the organization also touches. */
export function organizationProjectsRepository (db: Db) {
  const projectsOf = (organizationId: string) =>
    db.select({ id: projects.id }).from(projects).where(eq(projects.organizationId, organizationId))

  return {
    /** Names of this organization's projects where the user holds this role, by name. */
    withRole (organizationId: string, userId: string, roleId: string): string[] {
      return db.select({ name: projects.name }).from(projectMembers)
        .innerJoin(projects, eq(projects.id, projectMembers.projectId))
        .where(and(eq(projects.organizationId, organizationId), eq(projectMembers.userId, userId), eq(projectMembers.roleId, roleId)))
        .orderBy(asc(projects.name)).all().map((r) => r.name)
    },

    /** Removes the user from every project of this organization. */
    leaveAll (tx: Tx, organizationId: string, userId: string): void {
      tx.db.delete(projectMembers)
        .where(and(eq(projectMembers.userId, userId), inArray(projectMembers.projectId, projectsOf(organizationId)))).run()
    },

    /** Deletes this address's PENDING invitations to every project of this organization. */
    clearPending (tx: Tx, organizationId: string, email: string): void {
      tx.db.delete(projectInvitations).where(and(
        eq(projectInvitations.email, email),
        eq(projectInvitations.status, 'PENDING'),
        inArray(projectInvitations.projectId, projectsOf(organizationId))
      )).run()
    }
  }
}

export type OrganizationProjectsRepository = ReturnType<typeof organizationProjectsRepository>
