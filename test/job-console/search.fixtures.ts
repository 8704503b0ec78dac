import { randomBytes } from 'node:crypto';

/** A word of letters only (a full-text word in job_search), unique to its test. */
export const word = () => `zq${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
