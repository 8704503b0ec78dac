const LABELS: Readonly<Record<string, string>> = {
  LICENSE: 'Licenses', PAYOUT: 'Payouts', ROYALTY: 'Royalties', PROJECT: 'Projects', SYSTEM: 'System', MESSAGE: 'Messages',
  POST_ASSIGNED: 'Posts assigned to me', POST_STATUS_CHANGED: 'Post status changes', BLOG: 'Blog',
  LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', URGENT: 'Urgent',
  IMMEDIATE: 'Immediate (real-time)', DAILY: 'Daily digest (9 AM)', WEEKLY: 'Weekly digest (Monday 9 AM)', NEVER: 'In-app only',
};

/** Words for the API's enum values. */
export const labelOf = (value: string): string => LABELS[value] ?? value;
