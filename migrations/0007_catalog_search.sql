-- The platform's entities (creators, brands, projects, IP assets, licenses, blog posts) and the
-- full-text search index kept fresh from them by jobs.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TYPE asset_type AS ENUM ('IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'THREE_D', 'OTHER');
CREATE TYPE asset_status AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED');
CREATE TYPE scan_status AS ENUM ('PENDING', 'SCANNING', 'CLEAN', 'INFECTED', 'ERROR');
CREATE TYPE project_status AS ENUM ('DRAFT', 'ACTIVE', 'COMPLETED', 'ARCHIVED');
CREATE TYPE license_status AS ENUM ('PENDING', 'ACTIVE', 'EXPIRED', 'TERMINATED');
CREATE TYPE blog_status AS ENUM ('DRAFT', 'SCHEDULED', 'PUBLISHED', 'ARCHIVED');

-- `version` goes up by one with every update (under the row lock, so it is monotonic where
-- timestamps of concurrent transactions are not); the index never replaces a newer version.
CREATE TABLE creators (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  stage_name  text NOT NULL,
  bio         text NOT NULL DEFAULT '',
  specialties text[] NOT NULL DEFAULT '{}',
  version     bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX creators_user_key ON creators (user_id);

CREATE TABLE brands (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  company_name text NOT NULL,
  version      bigint NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX brands_user_key ON brands (user_id);

CREATE TABLE projects (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id    uuid NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  status      project_status NOT NULL DEFAULT 'DRAFT',
  version     bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_brand_idx ON projects (brand_id, created_at DESC);

CREATE TABLE ip_assets (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  creator_id    uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
  project_id    uuid REFERENCES projects (id) ON DELETE SET NULL,
  title         text NOT NULL,
  description   text NOT NULL DEFAULT '',
  type          asset_type NOT NULL,
  tags          text[] NOT NULL DEFAULT '{}',
  status        asset_status NOT NULL DEFAULT 'DRAFT',
  storage_key   text,
  mime_type     text,
  file_size     bigint,
  scan_status   scan_status NOT NULL DEFAULT 'PENDING',
  thumbnail_url text,
  preview_url   text,
  metadata      jsonb,
  version       bigint NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ip_assets_creator_idx ON ip_assets (creator_id, created_at DESC);
CREATE INDEX ip_assets_project_idx ON ip_assets (project_id) WHERE project_id IS NOT NULL;

CREATE TABLE licenses (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  asset_id   uuid NOT NULL REFERENCES ip_assets (id) ON DELETE CASCADE,
  brand_id   uuid NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
  status     license_status NOT NULL DEFAULT 'PENDING',
  terms      text NOT NULL DEFAULT '',
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz,
  version    bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX licenses_asset_idx ON licenses (asset_id);
CREATE INDEX licenses_brand_idx ON licenses (brand_id, created_at DESC);

CREATE TABLE blog_posts (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  author_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assignee_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  title        text NOT NULL,
  excerpt      text NOT NULL DEFAULT '',
  content      text NOT NULL DEFAULT '',
  status       blog_status NOT NULL DEFAULT 'DRAFT',
  announcement boolean NOT NULL DEFAULT false,
  publish_at   timestamptz,
  published_at timestamptz,
  version      bigint NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blog_posts_author_idx ON blog_posts (author_id, created_at DESC);
CREATE INDEX blog_posts_published_idx ON blog_posts (published_at DESC) WHERE status = 'PUBLISHED';
CREATE INDEX blog_posts_scheduled_idx ON blog_posts (publish_at) WHERE status = 'SCHEDULED';

-- The index: one row per searchable entity. `document` weighs title A, tags/specialties/excerpt B,
-- description/bio/content C. Visibility: public rows for everyone, the rest for `viewer_ids`
-- (owner, or a license's parties) and admins. `parent_ids` are the entities a row is built from
-- (its creator, project, brand, asset): a change to one of them refreshes the row.
CREATE TABLE search_documents (
  entity_type    text NOT NULL CHECK (entity_type IN ('asset', 'creator', 'project', 'license', 'blog_post')),
  entity_id      uuid NOT NULL,
  title          text NOT NULL,
  body           text NOT NULL,
  document       tsvector NOT NULL,
  title_document tsvector NOT NULL,
  metadata       jsonb NOT NULL,
  is_public      boolean NOT NULL,
  viewer_ids     uuid[] NOT NULL,
  parent_ids     uuid[] NOT NULL,
  status         text NOT NULL,
  asset_type     asset_type,
  tags           text[] NOT NULL,
  creator_id     uuid,
  project_id     uuid,
  brand_id       uuid,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  source_version bigint NOT NULL,
  indexed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id)
);
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);
-- Title matches rank first; a broad query gathers its candidates here before the bodies.
CREATE INDEX search_documents_title_document_idx ON search_documents USING gin (title_document);
CREATE INDEX search_documents_title_trgm_idx ON search_documents USING gin (title gin_trgm_ops);
CREATE INDEX search_documents_tags_idx ON search_documents USING gin (tags);
CREATE INDEX search_documents_parents_idx ON search_documents USING gin (parent_ids);

-- What the index should hold, computed from the entities. Realtime updates, bulk imports and the
-- full reindex all read this one definition; the planner prunes the branches a query's
-- entity_type excludes and pushes id conditions into the rest.
CREATE VIEW search_source AS
SELECT 'asset'::text AS entity_type, a.id AS entity_id, a.title, left(a.description, 10000) AS body,
  setweight(to_tsvector('english', a.title), 'A') || setweight(to_tsvector('english', array_to_string(a.tags, ' ')), 'B')
    || setweight(to_tsvector('english', a.description), 'C') AS document,
  to_tsvector('english', a.title) AS title_document,
  jsonb_build_object('assetType', a.type, 'tags', to_jsonb(a.tags), 'status', a.status, 'creatorId', a.creator_id,
    'creatorName', c.stage_name, 'projectId', a.project_id, 'thumbnailUrl', a.thumbnail_url, 'previewUrl', a.preview_url) AS metadata,
  a.status = 'PUBLISHED' AS is_public, ARRAY[c.user_id] AS viewer_ids,
  array_remove(ARRAY[a.creator_id, a.project_id], NULL) AS parent_ids,
  a.status::text AS status, a.type AS asset_type, a.tags, a.creator_id, a.project_id, p.brand_id,
  a.created_at, a.updated_at, a.version AS source_version
FROM ip_assets a JOIN creators c ON c.id = a.creator_id LEFT JOIN projects p ON p.id = a.project_id
UNION ALL
SELECT 'creator', c.id, c.stage_name, left(c.bio, 10000),
  setweight(to_tsvector('english', c.stage_name), 'A') || setweight(to_tsvector('english', array_to_string(c.specialties, ' ')), 'B')
    || setweight(to_tsvector('english', c.bio), 'C'),
  to_tsvector('english', c.stage_name),
  jsonb_build_object('specialties', to_jsonb(c.specialties), 'userId', c.user_id),
  true, ARRAY[c.user_id], '{}'::uuid[], 'ACTIVE', NULL::asset_type, c.specialties, c.id, NULL::uuid, NULL::uuid,
  c.created_at, c.updated_at, c.version
FROM creators c
UNION ALL
SELECT 'project', p.id, p.title, left(p.description, 10000),
  setweight(to_tsvector('english', p.title), 'A') || setweight(to_tsvector('english', b.company_name), 'B')
    || setweight(to_tsvector('english', p.description), 'C'),
  to_tsvector('english', p.title),
  jsonb_build_object('status', p.status, 'brandId', p.brand_id, 'brandName', b.company_name),
  p.status IN ('ACTIVE', 'COMPLETED'), ARRAY[b.user_id], ARRAY[p.brand_id], p.status::text, NULL::asset_type, '{}'::text[],
  NULL::uuid, p.id, p.brand_id, p.created_at, p.updated_at, p.version
FROM projects p JOIN brands b ON b.id = p.brand_id
UNION ALL
SELECT 'license', l.id, a.title || ' — ' || b.company_name, left(l.terms, 10000),
  setweight(to_tsvector('english', a.title), 'A') || setweight(to_tsvector('english', b.company_name), 'B')
    || setweight(to_tsvector('english', l.terms), 'C'),
  to_tsvector('english', a.title || ' ' || b.company_name),
  jsonb_build_object('status', l.status, 'assetId', l.asset_id, 'brandId', l.brand_id, 'brandName', b.company_name,
    'startsAt', l.starts_at, 'endsAt', l.ends_at),
  false, ARRAY[c.user_id, b.user_id], array_remove(ARRAY[l.asset_id, l.brand_id, a.creator_id, a.project_id], NULL), l.status::text, NULL::asset_type, '{}'::text[],
  a.creator_id, a.project_id, l.brand_id, l.created_at, l.updated_at, l.version
FROM licenses l JOIN ip_assets a ON a.id = l.asset_id JOIN creators c ON c.id = a.creator_id JOIN brands b ON b.id = l.brand_id
UNION ALL
SELECT 'blog_post', bp.id, bp.title, left(bp.content, 10000),
  setweight(to_tsvector('english', bp.title), 'A') || setweight(to_tsvector('english', bp.excerpt), 'B')
    || setweight(to_tsvector('english', bp.content), 'C'),
  to_tsvector('english', bp.title),
  jsonb_build_object('status', bp.status, 'authorId', bp.author_id, 'excerpt', bp.excerpt, 'publishedAt', bp.published_at),
  bp.status = 'PUBLISHED', array_remove(ARRAY[bp.author_id, bp.assignee_id], NULL), '{}'::uuid[], bp.status::text,
  NULL::asset_type, '{}'::text[], NULL::uuid, NULL::uuid, NULL::uuid, bp.created_at, bp.updated_at, bp.version
FROM blog_posts bp;

-- Each full reindex, with the drift it found and repaired.
CREATE TABLE search_reindex_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trigger      text NOT NULL,
  status       text NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
  documents    integer NOT NULL DEFAULT 0,
  added        integer NOT NULL DEFAULT 0,
  fixed        integer NOT NULL DEFAULT 0,
  removed      integer NOT NULL DEFAULT 0,
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX search_reindex_runs_started_idx ON search_reindex_runs (started_at DESC);

-- Work deduplicated while it waits: jobs of one key collapse into one (BullMQ deduplication);
-- the job that runs completes every row of its key that was committed before it read.
ALTER TABLE outbox ADD COLUMN dedupe_key text;
CREATE INDEX outbox_dedupe_idx ON outbox (dedupe_key) WHERE dedupe_key IS NOT NULL AND completed_at IS NULL;
