import { SentinelConnector, type SentinelConnectionOptions } from 'ioredis';

type Stream = Awaited<ReturnType<SentinelConnector['connect']>>;

/**
 * ioredis's Sentinel connector with the failover detector of a closed connection stopped. ioredis
 * leaves it subscribed to the sentinels' +switch-master after its connection died (the master was
 * killed); when the promotion is announced while the client is already reconnecting, that stale
 * detector aborts the reconnection and the client ends for good: "Connection is closed." on every
 * command, the API answering 503 until a restart (2 runs in 3 of test/platform/redis-sentinel.test.ts).
 * A detector only ever has to drop a live connection, so it goes with its connection.
 */
export class SentinelConnectorKeepingUp extends SentinelConnector {
  // ioredis hands a `Connector` the client's whole options (typed unknown in its constructor type).
  constructor(options: unknown) {
    super(options as SentinelConnectionOptions);
  }

  override async connect(eventEmitter: Parameters<SentinelConnector['connect']>[0]): Promise<Stream> {
    const stream = await super.connect(eventEmitter);
    stream.once('close', () => (this as unknown as { failoverDetector: { cleanup(): void } | null }).failoverDetector?.cleanup());
    return stream;
  }
}
