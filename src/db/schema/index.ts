export * from './organizations.js';
export * from './users.js';
export * from './memberships.js';
export * from './projects.js';
export * from './project-secrets.js';
export * from './jobs.js';
export * from './audit-log.js';
