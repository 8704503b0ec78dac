import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { snsUrlAllowed } from '../../src/email-events/sns.rules.js';

// R1 (review of issue 18): the default EMAIL_SNS_CERT_HOSTS is sns.*.amazonaws.com with `*` any one
// DNS label. S3 serves every bucket at <bucket>.s3.amazonaws.com (also s3-external-1, s3-accelerate,
// the legacy s3-<region> endpoints) under Amazon's own wildcard TLS certificate, so whoever owns the
// bucket named "sns" serves https://sns.s3.amazonaws.com/anything.pem: a certificate herald
// trusted to verify SNS signatures. With it, a Notification naming our TopicArn (not a secret) and
// signed with that bucket owner's key passes verifySns: fake bounces and complaints suppress any
// address and turn users' email off. AWS's own validators refuse these hosts. `*` is an AWS
// region label (us-east-1, us-gov-west-1, cn-north-1), which no S3 endpoint is.

const AWS = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://x@127.0.0.1/x' }).emailEvents.sns.certHosts;

describe('SNS signing certificate hosts', () => {
  it('the default patterns refuse S3 endpoints, where a bucket named "sns" is anyone\'s', () => {
    for (const bad of [
      'https://sns.s3.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.s3-external-1.amazonaws.com/x.pem',
      'https://sns.s3-accelerate.amazonaws.com/x.pem',
      'https://sns.s3-us-west-2.amazonaws.com/x.pem',
      'https://sns.s3-website-us-east-1.amazonaws.com/x.pem',
      'https://sns.execute-api.amazonaws.com/x.pem',
      'https://sns.s3.amazonaws.com.cn/x.pem',
    ]) expect([bad, snsUrlAllowed(bad, AWS)]).toEqual([bad, false]);
  });

  it('still allows every SNS region', () => {
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'eu-central-2', 'il-central-1', 'me-south-1', 'ca-west-1']) {
      expect(snsUrlAllowed(`https://sns.${region}.amazonaws.com/SimpleNotificationService-x.pem`, AWS)).toBe(true);
    }
    expect(snsUrlAllowed('https://sns.cn-northwest-1.amazonaws.com.cn/x.pem', AWS)).toBe(true);
  });
});
