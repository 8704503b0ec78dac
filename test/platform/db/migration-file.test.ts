import { describe, expect, it } from 'vitest';
import { migrationDirectives, splitStatements } from '../../../src/platform/db/migration-file.js';

describe('migrationDirectives', () => {
  it('reads -- herald: lines of the leading comments only', () => {
    expect(migrationDirectives('0001_a', 'CREATE TABLE a (id int);')).toEqual({ transaction: true, expand: false });
    expect(migrationDirectives('0002_b', '-- Why this index.\n--herald:no-transaction\n\n-- herald: expand\nCREATE INDEX CONCURRENTLY b ON a (id);'))
      .toEqual({ transaction: false, expand: true });
    expect(migrationDirectives('0003_c', 'SELECT 1;\n-- herald:no-transaction\n')).toEqual({ transaction: true, expand: false });
  });

  it('refuses an unknown directive, naming the file', () => {
    expect(() => migrationDirectives('0004_d', '-- herald:expnad\nSELECT 1;')).toThrow('Migration 0004_d: unknown directive "herald:expnad"');
  });
});

describe('splitStatements', () => {
  it('splits at the semicolons that end statements', () => {
    expect(splitStatements('DROP INDEX CONCURRENTLY IF EXISTS x;\nCREATE INDEX CONCURRENTLY x ON t (a);\n'))
      .toEqual(['DROP INDEX CONCURRENTLY IF EXISTS x;', 'CREATE INDEX CONCURRENTLY x ON t (a);']);
    expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
  });

  it('leaves semicolons in strings, quoted names, comments and dollar-quoted bodies alone', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s; fine');",
      'CREATE TABLE "odd;name" (id int);',
      '-- a comment; not a statement',
      '/* also; not */ SELECT 2;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN PERFORM 1; RETURN $$x;$$::text::int; END $body$;',
      'DO $$ BEGIN PERFORM 1; END $$;',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine');",
      'CREATE TABLE "odd;name" (id int);',
      '-- a comment; not a statement\n/* also; not */ SELECT 2;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN PERFORM 1; RETURN $$x;$$::text::int; END $body$;',
      'DO $$ BEGIN PERFORM 1; END $$;',
    ]);
  });

  it('drops pieces that are only comments or whitespace', () => {
    expect(splitStatements('-- herald:no-transaction\nSELECT 1;\n\n-- trailing note\n')).toEqual(['-- herald:no-transaction\nSELECT 1;']);
  });
});

describe('splitStatements, PostgreSQL lexing corners', () => {
  // Each of these split inside a literal or comment: the first piece was sent alone and failed
  // ("unterminated quoted string"), or a commented-out statement ran.
  it("keeps a backslash-escaped quote of an E'' string inside the string", () => {
    expect(splitStatements("INSERT INTO t VALUES (E'it\\'s; fine');\nSELECT 2;")).toEqual(["INSERT INTO t VALUES (E'it\\'s; fine');", 'SELECT 2;']);
    expect(splitStatements("SELECT e'a\\\\';\nSELECT 2;")).toEqual(["SELECT e'a\\\\';", 'SELECT 2;']);
    // Not an E string: a name ending in e, and a standard string whose backslash is a character.
    expect(splitStatements("SELECT name'x\\';\nSELECT 2;")).toEqual(["SELECT name'x\\';", 'SELECT 2;']);
  });

  it('reads nested block comments to their last */', () => {
    expect(splitStatements('/* outer /* inner */ DROP TABLE t; */ SELECT 1;\nSELECT 2;')).toEqual(['/* outer /* inner */ DROP TABLE t; */ SELECT 1;', 'SELECT 2;']);
  });

  it('takes a $ inside a name for part of the name, not a dollar quote', () => {
    expect(splitStatements('CREATE TABLE a$b$ (id int);\nSELECT 2;')).toEqual(['CREATE TABLE a$b$ (id int);', 'SELECT 2;']);
  });
});
