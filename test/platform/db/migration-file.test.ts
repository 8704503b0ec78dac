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
