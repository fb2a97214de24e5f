/** The rpm package database reader: SQLite, ndb and BerkeleyDB hash databases, and the header blob. */
export { findRpmDatabase, readRpmDatabase, RPM_DB_DIRECTORIES } from './database.ts';
export { parseRpmHeader, RpmHeader, type RpmHeaderEntry, RpmType } from './header.ts';
export { Tag as RpmTag } from './tags.ts';
