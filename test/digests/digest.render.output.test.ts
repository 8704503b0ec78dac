import { describe, expect, it } from 'vitest';
import { renderDigestEmail, type DigestEntry } from '../../src/digests/digest.render.js';

// The whole of a digest email, line by line: what digest.render.test.ts checks in parts.

const at = (h: number) => new Date(Date.UTC(2025, 9, 18, h));
const entry = (e: Partial<DigestEntry>): DigestEntry => ({ type: 'LICENSE', title: 't', message: 'Details', actionUrl: null, priority: 'MEDIUM', createdAt: at(8), ...e });
const entries = [
  entry({ type: 'PAYOUT', title: 'Newer payout', message: 'You were paid.', actionUrl: '/payouts/2', priority: 'HIGH', createdAt: at(8) }),
  entry({ type: 'LICENSE', title: 'A license <b>', message: 'Approved <now>', createdAt: at(7) }),
  entry({ type: 'PAYOUT', title: 'Older payout', actionUrl: 'javascript:alert(1)', priority: 'URGENT', createdAt: at(6) }),
];
const unsubscribeUrl = 'https://app.example.com/api/notifications/unsubscribe?token=x';
const ctx = { publicUrl: 'https://app.example.com', recipientName: 'Ada', unsubscribeUrl };

describe('a digest email, whole', () => {
  it('lists every item under its group in the text, with its link, then the inbox and the unsubscribe link', () => {
    expect(renderDigestEmail('DAILY', entries, 3, ctx).text).toBe([
      'Your daily digest: 3 new notifications',
      '',
      'Payout (2)',
      '- Newer payout: https://app.example.com/payouts/2',
      '- Older payout: ',
      '',
      'License (1)',
      '- A license <b>: https://app.example.com/',
      '',
      'Open your inbox: https://app.example.com/',
      '',
      `Unsubscribe from emails: ${unsubscribeUrl}`,
    ].join('\n'));
  });

  it('says how many were left out, in the text and the HTML, and only when some were', () => {
    const mail = renderDigestEmail('WEEKLY', entries.slice(1, 2), 4, ctx);
    expect(mail.text).toBe([
      'Your weekly digest: 4 new notifications', '', 'License (1)', '- A license <b>: https://app.example.com/', '',
      '…and 3 more.', 'Open your inbox: https://app.example.com/', '', `Unsubscribe from emails: ${unsubscribeUrl}`,
    ].join('\n'));
    expect(mail.html).toContain('<p>…and 3 more.</p>');
    const all = renderDigestEmail('WEEKLY', entries.slice(1, 2), 1, ctx);
    expect(all.text).not.toContain('more.');
    expect(all.html).not.toContain('more.</p>');
  });

  it('writes each group as a heading and a list, items linked when they can be, flagged when high or urgent', () => {
    const { html } = renderDigestEmail('DAILY', entries, 3, ctx);
    const body = html.slice(html.indexOf('<tr><td>') + '<tr><td>'.length, html.indexOf('</td></tr>'));
    expect(body.replace(/ style="[^"]*"/g, '')).toBe(
      '<h1>Your daily digest: 3 new notifications</h1>'
      + '<p>Hi Ada, here is what arrived since your last digest.</p>'
      + '<h2>Payout (2)</h2><ul>'
      + '<li><a href="https://app.example.com/payouts/2">Newer payout</a> <strong>HIGH</strong><br><span>You were paid.</span></li>'
      + '<li>Older payout <strong>URGENT</strong><br><span>Details</span></li>'
      + '</ul>'
      + '<h2>License (1)</h2><ul>'
      + '<li><a href="https://app.example.com/">A license &lt;b&gt;</a><br><span>Approved &lt;now&gt;</span></li>'
      + '</ul>'
      + '<p><a href="https://app.example.com/">Open your inbox</a></p>',
    );
  });

  it('flags neither medium nor low items', () => {
    const { html } = renderDigestEmail('DAILY', [entry({ priority: 'LOW' }), entry({ priority: 'MEDIUM' })], 2, ctx);
    expect(html).not.toContain('<strong');
  });

  it('greets without a name when there is none', () => {
    expect(renderDigestEmail('DAILY', entries, 3, { ...ctx, recipientName: null }).html).toContain('>Hi, here is what arrived since your last digest.</p>');
  });

  it('cuts an item\'s message at 280 characters', () => {
    const { html } = renderDigestEmail('DAILY', [entry({ message: `${'m'.repeat(280)}TAIL` })], 1, ctx);
    expect(html).toContain(`>${'m'.repeat(280)}</span></li>`);
  });

  it('titles the email with its subject, previews the newest item, and says why it came with the unsubscribe link', () => {
    const { html } = renderDigestEmail('WEEKLY', entries, 3, ctx);
    expect(html).toContain('<title>Your weekly digest: 3 new notifications</title>');
    expect(html).toContain('overflow:hidden">Newer payout</span>');
    expect(html).toContain(`>You receive a weekly digest because of your notification settings. <a href="${unsubscribeUrl}">Unsubscribe from emails</a>.</td>`);
  });

  it('resolves the inbox and an item without a link at the root of the public URL\'s host, as every action path is', () => {
    const mail = renderDigestEmail('DAILY', [entry({ title: 'No link' }), entry({ title: 'Linked', actionUrl: '/payouts/2' })], 2, { ...ctx, publicUrl: 'https://example.com/herald' });
    expect(mail.text).toContain('- No link: https://example.com/\n- Linked: https://example.com/payouts/2\n');
    expect(mail.text).toContain('Open your inbox: https://example.com/\n');
    expect(mail.html).toContain('<a href="https://example.com/">No link</a>');
    expect(mail.html).toContain('<a href="https://example.com/" style=');
  });

  it('previews the subject when there are no items to show', () => {
    expect(renderDigestEmail('DAILY', [], 2, ctx).html).toContain('overflow:hidden">Your daily digest: 2 new notifications</span>');
  });
});
