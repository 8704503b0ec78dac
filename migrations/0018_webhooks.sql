-- herald:expand
-- Outbound webhooks (issue 18): endpoints an admin registers, one delivery per event per
-- subscribed endpoint (written in the event's own transaction), and every HTTP attempt of it.
-- Expand-only: older code never reads these tables.

CREATE TABLE webhook_endpoints (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url         text NOT NULL,
  -- The event types it subscribes to; emission joins on `type = ANY(events)`.
  events      text[] NOT NULL CHECK (cardinality(events) > 0),
  -- The HMAC-SHA256 key of X-Herald-Signature (kept readable: every delivery is signed with it).
  secret      text NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Emission reads the enabled endpoints on every event: a tiny partial index keeps it one probe.
CREATE INDEX webhook_endpoints_enabled_idx ON webhook_endpoints (id) WHERE enabled;

-- One event for one endpoint. `id` (bigserial) is the order: an event emitted after another of the
-- same ordering key (a notification's created, then its read) always gets a larger id, because the
-- later one can only be written once the earlier one's transaction committed.
CREATE TABLE webhook_deliveries (
  id            bigserial PRIMARY KEY,
  -- X-Herald-Delivery: the same across retries and replays, for the receiver's dedupe.
  delivery_id   uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_type    text NOT NULL,
  ordering_key  text NOT NULL,
  payload       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts      integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  last_error    text
);
-- The ordering check: is an older delivery of this key still pending for this endpoint?
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, ordering_key, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

-- Every HTTP attempt: what the receiver answered (or why nothing was answered) and how long it took.
CREATE TABLE webhook_attempts (
  id                bigserial PRIMARY KEY,
  delivery_id       bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempted_at      timestamptz NOT NULL DEFAULT now(),
  status_code       integer,
  duration_ms       integer NOT NULL,
  error             text,
  response_snippet  text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
