import { describe, expect, it } from 'vitest';
import { webhookVerdict, type WebhookHit } from '../../drill/webhooks.js';

/** The webhooks drill's verdict (pure): lost, duplicated and out-of-order deliveries told apart. */
describe('webhooks drill verdict', () => {
  const hit = (delivery: string, event: string, notificationId: string | null, accepted = true): WebhookHit => ({ delivery, event, notificationId, accepted });

  it('passes every delivery accepted once, created first per notification', () => {
    const hits = [hit('c1', 'notification.created', 'n1'), hit('c2', 'notification.created', 'n2'), hit('e1', 'email.sent', 'n1'), hit('r2', 'notification.read', 'n2'), hit('r1', 'notification.read', 'n1')];
    expect(webhookVerdict(['c1', 'c2', 'e1', 'r1', 'r2'], hits)).toEqual({ expected: 5, accepted: 5, lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('counts a delivery never accepted as lost, one accepted twice as duplicated', () => {
    const hits = [hit('c1', 'notification.created', 'n1'), hit('c1', 'notification.created', 'n1'), hit('r1', 'notification.read', 'n1', false)];
    expect(webhookVerdict(['c1', 'r1'], hits)).toMatchObject({ lost: 1, duplicated: 1, accepted: 2 });
  });

  it('counts a read or an email accepted before its notification was created as out of order', () => {
    const hits = [hit('r1', 'notification.read', 'n1'), hit('e1', 'email.sent', 'n1'), hit('c1', 'notification.created', 'n1'), hit('x', 'digest.sent', null)];
    expect(webhookVerdict(['r1', 'e1', 'c1', 'x'], hits).outOfOrder).toBe(2);
  });
});
