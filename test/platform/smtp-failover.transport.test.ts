import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FailoverTransport, TransportsOpenError } from '../../src/platform/email/failover.transport.js';
import { PermanentEmailError, type OutgoingMail } from '../../src/platform/email/transport.js';
import { SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Issue 18: the failover transport against two real SMTP servers (in-process sinks), with an
 * injected clock for the cool-down. Each case fails on a transport without failover (the primary's
 * failure would be thrown) or without a breaker (the primary would be tried, and used, again).
 */

let primary: SmtpSink;
let secondary: SmtpSink;
let transport: FailoverTransport | null = null;
let clock = 1_000_000;
let n = 0;

const mail = (to = `r${++n}@mail.test`): OutgoingMail => ({
  from: 'Herald <no-reply@herald.test>', to, subject: `s${n}`, html: '<p>h</p>', text: 'h', headers: {}, messageId: `<m${n}-${Date.now()}@herald.test>`,
});
const settings = { maxConnections: 2, timeoutMs: 300, cooldownMs: 10_000, maxCooldownMs: 25_000, max4xx: 3, now: () => clock };
const open = (options: Partial<typeof settings> = {}) => (transport = new FailoverTransport([primary.url, secondary.url], { ...settings, ...options }));
const view = (name: string) => transport!.views().find((v) => v.name === name)!;

beforeEach(async () => {
  primary = await new SmtpSink().start();
  secondary = await new SmtpSink().start();
});
afterEach(async () => {
  await transport?.close();
  transport = null;
  await primary.stop();
  await secondary.stop();
});

describe('SMTP failover', () => {
  it('names the transports in SMTP_URL order and shows host:port, never credentials', () => {
    transport = new FailoverTransport([`smtp://user:secret@127.0.0.1:${primary.port}`, secondary.url], settings);
    expect(transport.views().map((v) => [v.name, v.address, v.state])).toEqual([['smtp-1', `127.0.0.1:${primary.port}`, 'closed'], ['smtp-2', `127.0.0.1:${secondary.port}`, 'closed']]);
    expect(JSON.stringify(transport.views())).not.toContain('secret');
  });

  it('a refusing primary: the message goes to the second under the same Message-ID, and the breaker opens', async () => {
    await primary.stop();
    open();
    const m = mail();
    const handOff = await transport!.send(m);
    expect(handOff).toMatchObject({ transport: 'smtp-2' });
    expect(handOff.response).toMatch(/^250 /);
    expect(secondary.received.map((r) => r.messageId)).toEqual([m.messageId]);
    expect(view('smtp-1')).toMatchObject({ state: 'open', trips: 1, consecutiveFailures: 1, openUntil: new Date(clock + 10_000).toISOString() });
    expect(view('smtp-1').lastError).toMatch(/ECONNREFUSED|connect/i);
    // Back up, but the breaker holds it off until the cool-down ends: the second keeps the mail.
    await primary.start();
    expect((await transport!.send(mail())).transport).toBe('smtp-2');
    expect(primary.received).toHaveLength(0);
    expect(view('smtp-2')).toMatchObject({ state: 'closed', sent: 2 });
  });

  it('a stalled primary (accepts, never greets): its timeout trips the breaker and mail moves on', async () => {
    await primary.stall();
    open();
    const first = mail();
    expect((await transport!.send(first)).transport).toBe('smtp-2');
    expect(view('smtp-1')).toMatchObject({ state: 'open', trips: 1 });
    expect(view('smtp-1').lastError).toMatch(/greeting|timeout/i);
    // Open: the next message is not made to wait for another timeout there.
    expect((await transport!.send(mail())).transport).toBe('smtp-2');
    expect(view('smtp-1').consecutiveFailures).toBe(1);
    expect(secondary.received).toHaveLength(2);
  });

  it('a run of 4xx: each message fails over at once, the max4xx-th opens the breaker', async () => {
    open();
    primary.failNext(3, 451);
    for (let i = 1; i <= 3; i++) {
      expect((await transport!.send(mail())).transport).toBe('smtp-2');
      expect(view('smtp-1')).toMatchObject({ state: i < 3 ? 'closed' : 'open', consecutiveFailures: i });
    }
    expect(view('smtp-1').lastError).toMatch(/451/);
    // The primary would accept now; the open breaker still sends the mail to the second.
    expect((await transport!.send(mail())).transport).toBe('smtp-2');
    expect(primary.received).toHaveLength(0);
    expect(secondary.received).toHaveLength(4);
  });

  it('after the cool-down one trial goes to the primary; success closes it, a failed trial doubles the cool-down (capped)', async () => {
    await primary.stop();
    open();
    await transport!.send(mail());
    await primary.start();
    clock += 9_999;
    expect((await transport!.send(mail())).transport).toBe('smtp-2');
    clock += 1;
    expect((await transport!.send(mail())).transport).toBe('smtp-1');
    expect(view('smtp-1')).toMatchObject({ state: 'closed', consecutiveFailures: 0, sent: 1 });
    expect((await transport!.send(mail())).transport).toBe('smtp-1');
    // Down again: open for 10 s; the trial fails: 20 s; again: capped at 25 s.
    await primary.stop();
    await transport!.send(mail());
    const cooldowns: number[] = [];
    for (let i = 0; i < 2; i++) {
      clock = Date.parse(view('smtp-1').openUntil!);
      expect((await transport!.send(mail())).transport).toBe('smtp-2');
      cooldowns.push(Date.parse(view('smtp-1').openUntil!) - clock);
    }
    expect(cooldowns).toEqual([20_000, 25_000]);
    expect(view('smtp-1').trips).toBe(4);
  });

  it('a 550 from the primary is the recipient\'s problem: thrown at once, not tried on the second, breaker untouched', async () => {
    open();
    await expect(transport!.send(mail('nobody@reject.test'))).rejects.toBeInstanceOf(PermanentEmailError);
    expect(primary.offered).toEqual(['nobody@reject.test']);
    expect(secondary.offered).toEqual([]);
    expect(view('smtp-1')).toMatchObject({ state: 'closed', consecutiveFailures: 0, trips: 0 });
    expect((await transport!.send(mail())).transport).toBe('smtp-1');
  });

  it('a connection cut after DATA, before the answer (ambiguous): resent through the second with the same Message-ID', async () => {
    open();
    primary.dropAfterData(1);
    const m = mail();
    expect((await transport!.send(m)).transport).toBe('smtp-2');
    // The documented caveat: both servers have it, under one Message-ID (receivers collapse it).
    expect(primary.received.map((r) => r.messageId)).toEqual([m.messageId]);
    expect(secondary.received.map((r) => r.messageId)).toEqual([m.messageId]);
    expect(view('smtp-1')).toMatchObject({ state: 'open', trips: 1 });
  });

  it('every transport down: the message that opened the last breaker and those after it wait for the next trial', async () => {
    await primary.stop();
    await secondary.stop();
    open();
    // Both tried, both refused: every breaker is open now, so this one waits for the trial too.
    const err = await transport!.send(mail()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportsOpenError);
    expect((err as TransportsOpenError).until.getTime()).toBe(clock + 10_000);
    expect((err as Error).message).toMatch(/last error: .*ECONNREFUSED/);
    expect(transport!.views().map((v) => v.trips)).toEqual([1, 1]);
    const held = await transport!.send(mail()).catch((e: unknown) => e);
    expect(held).toBeInstanceOf(TransportsOpenError);
    expect((held as TransportsOpenError).until.getTime()).toBe(clock + 10_000);
    expect(transport!.views().map((v) => v.consecutiveFailures)).toEqual([1, 1]);
    // The second comes back; after the cool-down the primary's trial fails and the second's carries the mail.
    await secondary.start();
    clock += 10_000;
    const m = mail();
    expect((await transport!.send(m)).transport).toBe('smtp-2');
    expect(view('smtp-1')).toMatchObject({ state: 'open', openUntil: new Date(clock + 20_000).toISOString() });
    expect(secondary.received.map((r) => r.messageId)).toEqual([m.messageId]);
  });

  it('with one server there is nothing to fail over to: it is tried every time, open or not', async () => {
    await primary.stop();
    transport = new FailoverTransport([primary.url], settings);
    const err = await transport.send(mail()).catch((e: unknown) => e);
    // An ordinary failure (the job retries on its backoff), as without failover.
    expect(err).not.toBeInstanceOf(TransportsOpenError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(view('smtp-1').state).toBe('open');
    await expect(transport.send(mail())).rejects.toThrow(/ECONNREFUSED/);
    await primary.start();
    expect((await transport.send(mail())).transport).toBe('smtp-1');
    expect(view('smtp-1').state).toBe('closed');
  });
});
