// The composition root: every repository built once, every service built once from them. Routes only call services.
import { smtpServer } from '../config.js'
import type { Database } from 'better-sqlite3'
import type { Fixtures } from '../boot-state/schema.js'
import { Clocks, type Clock } from '../domain/clock.js'
import type { GroupCommit } from '../db/group-commit.js'
import type { IdGenerator } from '../db/ids.js'
import type { Db } from '../db/index.js'
import type { Transact } from '../db/transaction.js'
import type { TokenSigner } from '../db/tokens.js'
import type { PublicUrlResolver } from '../http/public-url.js'
import { apiKeysRepository } from '../repositories/api-keys.js'
import { documentsRepository } from '../repositories/documents.js'
import { governancePoliciesRepository } from '../repositories/governance-policies.js'
import { inspectRepository } from '../repositories/inspect.js'
import { invitationsRepository, ORGANIZATION_INVITATIONS, PROJECT_INVITATIONS } from '../repositories/invitations.js'
import { membersRepository, organizationProjectsRepository, ORGANIZATION_MEMBERS, PROJECT_MEMBERS } from '../repositories/members.js'
import { organizationsRepository } from '../repositories/organizations.js'
import { outboxRepository } from '../repositories/outbox.js'
import { peopleRepository } from '../repositories/people.js'
import { permissionsRepository } from '../repositories/permissions.js'
import { policiesRepository } from '../repositories/policies.js'
import { projectsRepository } from '../repositories/projects.js'
import { rolesRepository } from '../repositories/roles.js'
import { stateRepository } from '../repositories/state.js'
import { tenantsRepository } from '../repositories/tenants.js'
import { accessService } from './access.js'
import { apiKeyService } from './api-keys.js'
import { clockService } from './clock.js'
import { inspectService } from './inspect.js'
import { credentialService } from './credentials.js'
import { faultService } from './faults.js'
import { invitationService } from './invitations.js'
import { journalService } from './journal.js'
import { memberService } from './members.js'
import { organizationService } from './organization.js'
import { outboxService } from './outbox.js'
import { deliveryService, type DeliveryLog, type DeliveryTiming } from './delivery.js'
import { projectService } from './projects.js'
import { resetService } from './reset.js'
import { bootDocumentOf, stateService } from './state.js'
import { tenantService } from './tenants.js'

/** What the services stand on: the database (src/plugins/db.ts), the server clock, the boot fixtures, and the journal's settings. */
export interface ServiceDeps {
  db: Db
  sqlite: Database
  ids: IdGenerator
  tokens: TokenSigner
  /** The one way to write: a function in one IMMEDIATE transaction (src/db/transaction.ts). */
  transact: Transact
  /** One IMMEDIATE transaction per event-loop turn for the invitation creates, through `transact`. */
  commits: GroupCommit
  clock: Clock
  /** A fixtures file to read at boot, or a document; none: the demo organization. */
  fixtures?: string | Fixtures | undefined
  /** The server's public base URL (src/http/public-url.ts), for the links in emails. */
  publicUrl: Pick<PublicUrlResolver, 'get'>
  /** The most /v1 requests the journal keeps (CONFIDENT_MOCK_JOURNAL_SIZE); 0 keeps none. */
  journalSize: number
  /** The admin token, redacted in the journal wherever a client may have sent it. */
  adminToken?: string | undefined
  /** Where invitation emails also go (CONFIDENT_MOCK_SMTP_URL), from whom, how hard it tries; none: the outbox only. */
  smtp?: { url: string, from: string, timing?: DeliveryTiming | undefined } | undefined
  /** For what happens after an answer (an email the SMTP server would not take). */
  log: DeliveryLog
}

export function buildRepositories ({ db, sqlite, ids }: Pick<ServiceDeps, 'db' | 'sqlite' | 'ids'>) {
  return {
    apiKeys: apiKeysRepository(db, sqlite),
    documents: documentsRepository(sqlite),
    governancePolicies: governancePoliciesRepository(db),
    inspect: inspectRepository(sqlite),
    projectInvitations: invitationsRepository(sqlite, PROJECT_INVITATIONS),
    organizationInvitations: invitationsRepository(sqlite, ORGANIZATION_INVITATIONS),
    projectMembers: membersRepository(db, PROJECT_MEMBERS),
    organizationMembers: membersRepository(db, ORGANIZATION_MEMBERS),
    organizationProjects: organizationProjectsRepository(db),
    organizations: organizationsRepository(db, sqlite),
    outbox: outboxRepository(sqlite),
    people: peopleRepository(sqlite, ids),
    permissions: permissionsRepository(db),
    policies: policiesRepository(db),
    projects: projectsRepository(db, sqlite),
    roles: rolesRepository(db),
    state: stateRepository(sqlite),
    tenants: tenantsRepository(sqlite)
  }
}

/** The named repositories, for a service's deps. */
function pick<R extends object, K extends keyof R> (repositories: R, ...names: K[]): Pick<R, K> {
  return Object.fromEntries(names.map((name) => [name, repositories[name]])) as Pick<R, K>
}

/** Every service, by the name the app is decorated with (src/plugins/services.ts). */
export function buildServices (deps: ServiceDeps) {
  const { transact, ids, tokens, commits, clock } = deps
  const r = buildRepositories(deps)
  // The server clock and the organizations' own: services acting for an organization read its clock.
  const clocks = new Clocks(clock)
  const bootDocument = bootDocumentOf(deps.fixtures)
  const outbox = outboxService({ transact, outbox: r.outbox, publicUrl: deps.publicUrl })
  const delivery = deps.smtp === undefined
    ? null
    : deliveryService({ ...deps.smtp, server: smtpServer(deps.smtp.url), transact, outbox: r.outbox, render: outbox, log: deps.log })
  const services = {
    // The vendor API (/v1).
    credentials: credentialService({ apiKeys: r.apiKeys }),
    projects: projectService({ transact, clocks, ids, ...pick(r, 'projects', 'organizations', 'apiKeys', 'people') }),
    invitations: invitationService({
      transact, commits, clocks, tokens, delivery, ...pick(r, 'projects', 'organizations', 'roles', 'people', 'projectInvitations', 'organizationInvitations')
    }),
    members: memberService({
      transact, ...pick(r, 'projects', 'roles', 'projectMembers', 'organizationMembers', 'organizationProjects')
    }),
    organization: organizationService({
      transact, ...pick(r, 'organizations', 'projects', 'roles', 'permissions', 'governancePolicies')
    }),
    apiKeys: apiKeyService({ transact, clocks, ...pick(r, 'apiKeys', 'projects') }),
    access: accessService({ transact, clocks, ids, ...pick(r, 'projects', 'policies', 'roles') }),
    // The control API (/__admin).
    tenants: tenantService({ transact, ids, clocks, bootDocument, ...pick(r, 'tenants', 'documents') }),
    state: stateService({ transact, ids, tokens, clocks, fixtures: deps.fixtures, bootDocument, ...pick(r, 'apiKeys', 'tenants', 'documents', 'state') }),
    outbox,
    // After the commit, over SMTP too, when CONFIDENT_MOCK_SMTP_URL is set (src/services/delivery.ts).
    delivery,
    clockControl: clockService({ clocks, tenants: r.tenants }),
    // In memory beside the tables: the faults stand in front of /v1, the journal records it (src/plugins/).
    faults: faultService(),
    journal: journalService({ size: deps.journalSize, adminToken: deps.adminToken, clock }),
    // The console (src/console): read-only views of what is stored.
    inspect: inspectService({ inspect: r.inspect })
  }
  // The two resets own all that they clear: tables, clocks, faults and journal (src/services/reset.ts).
  return { ...services, reset: resetService(services) }
}

export type Services = ReturnType<typeof buildServices>
