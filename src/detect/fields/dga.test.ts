import { describe, it, expect } from 'vitest';
import { dgaScore } from './dga.js';
import { dgaLabel, seededRandom } from './dga-samples.js';

/**
 * Held-out measure of the DGA model: real, popular registered-domain labels (none used to fit it) and
 * DGA-like labels from a seed the builder never used. scripts/build-dga-model.ts reports the same
 * figures on held-out dictionary words.
 */
const REAL = (
  'google facebook amazon microsoft netflix wikipedia github stackoverflow youtube linkedin twitter ' +
  'instagram reddit yahoo bing apple adobe salesforce zoom slack dropbox spotify paypal ebay cnn bbc nytimes ' +
  'imdb twitch pinterest tumblr wordpress shopify cloudflare akamai fastly datadoghq sentry segment stripe ' +
  'twilio okta atlassian jetbrains npmjs pypi docker kubernetes ubuntu debian mozilla office365 live outlook ' +
  'msftncsi gstatic googleapis doubleclick amazonaws cloudfront akamaiedge akadns grafana elastic hashicorp ' +
  'terraform snowflakecomputing mongodb redislabs digicert letsencrypt godaddy newrelic pagerduty zendesk ' +
  'hubspot mailchimp sendgrid mailgun intercom gravatar jsdelivr unpkg bootstrapcdn fontawesome typekit vimeo ' +
  'soundcloud whatsapp telegram signal protonmail tiktok bytedance baidu qq 163 360 yandex vk xkcd'
).split(' ');

describe('dgaScore', () => {
  it('separates held-out DGA-like labels from real domain labels', () => {
    const rand = seededRandom(424242);
    const dga = Array.from({ length: 2000 }, () => dgaLabel(rand));
    const threshold = 0.9;
    const truePositives = dga.filter((l) => dgaScore(l) >= threshold).length;
    const falsePositives = REAL.filter((l) => dgaScore(l) >= threshold);
    const recall = truePositives / dga.length;
    const precision = truePositives / (truePositives + falsePositives.length);
    expect(falsePositives).toEqual([]);
    expect(precision).toBe(1);
    expect(recall).toBeGreaterThan(0.8);
  });

  it('scores hashes and random strings high and internationalized labels 0', () => {
    expect(dgaScore('a005b1478bdafb5927bf808b472206c9')).toBeGreaterThan(0.9);
    expect(dgaScore('kqzvbwxplmtr')).toBeGreaterThan(0.9);
    expect(dgaScore('xn--bcher-kva')).toBe(0);
    expect(dgaScore('')).toBe(0);
  });
});
