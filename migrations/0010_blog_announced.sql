-- A post announces (BLOG to every user) at most once in its life: the fan-out sets this in its own
-- transaction, only where it is still null, so a re-publication (DRAFT, then scheduled again) or
-- two publishers at once find it set and send nothing.
ALTER TABLE blog_posts ADD COLUMN announced_at timestamptz;
