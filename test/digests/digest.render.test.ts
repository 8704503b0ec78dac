import { describe, expect, it } from 'vitest';
import { groupByType, renderDigestEmail, type DigestEntry } from '../../src/digests/digest.render.js';

// A digest email as the renderer writes it, without the app (digests.test.ts sends one).

const at = (h: number) => new Date(Date.UTC(2025, 9, 18, h));
const entry = (e: Partial<DigestEntry>): DigestEntry => ({ type: 'LICENSE', title: 't', message: 'Details', actionUrl: null, priority: 'MEDIUM', createdAt: at(8), ...e });
// Newest first, as the repository lists them.
const entries = [
  entry({ type: 'PAYOUT', title: 'Newer payout', actionUrl: '/payouts/2', createdAt: at(8) }),
  entry({ type: 'LICENSE', title: 'A license <b>', createdAt: at(7) }),
  entry({ type: 'PAYOUT', title: 'Older payout', actionUrl: '/payouts/1', createdAt: at(6) }),
];
const ctx = { publicUrl: 'https://app.example.com', recipientName: 'Ada', unsubscribeUrl: 'https://app.example.com/api/notifications/unsubscribe?token=x' };

describe('what a digest says', () => {
  it('groups by type, newest first, links each item and the inbox, escapes user text and carries the unsubscribe link', () => {
    const mail = renderDigestEmail('DAILY', entries, 3, ctx);
    expect(mail.subject).toBe('Your daily digest: 3 new notifications');
    const { html } = mail;
    // Both present and in this order (an indexOf comparison passed with the first one missing).
    expect(html).toMatch(/Payout \(2\)[\s\S]*License \(1\)/);
    expect(html).toMatch(/Newer payout[\s\S]*Older payout/);
    expect(html).toContain('href="https://app.example.com/payouts/2"');
    expect(html).toContain('A license &lt;b&gt;');
    expect(html).not.toContain('A license <b>');
    expect(html).toContain('Open your inbox');
    expect(html).toContain('Unsubscribe from emails');
    expect(mail.text).toContain(`Unsubscribe from emails: ${ctx.unsubscribeUrl}`);
  });

  it('counts one notification in the singular, names the weekly period, and says how many more were left out', () => {
    expect(renderDigestEmail('WEEKLY', entries.slice(0, 1), 1, ctx).subject).toBe('Your weekly digest: 1 new notification');
    expect(renderDigestEmail('DAILY', entries, 5, ctx).text).toContain('…and 2 more.');
  });

  it('keeps the groups in first-seen order', () => {
    expect(groupByType(entries).map(([type, items]) => [type, items.length])).toEqual([['PAYOUT', 2], ['LICENSE', 1]]);
  });
});
