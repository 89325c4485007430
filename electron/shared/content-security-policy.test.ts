import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy } from './content-security-policy.js';

function directive(csp: string, name: string): string[] | undefined {
  for (const d of csp.split(';')) {
    const [n, ...sources] = d.trim().split(/\s+/);
    if (n === name) return sources;
  }
  return undefined;
}

describe('the page’s Content-Security-Policy', () => {
  it("starts workers only from the page's origin or a blob: the page made (the drawing worker) — no data:, no other host", () => {
    for (const csp of [CONTENT_SECURITY_POLICY, contentSecurityPolicy("'none'")]) {
      expect(directive(csp, 'worker-src')).toEqual(["'self'", 'blob:']);
      // workers are not inline scripts: script-src stays 'self' alone
      expect(directive(csp, 'script-src')).toEqual(["'self'"]);
      expect(directive(csp, 'child-src')).toBeUndefined();
    }
  });

  it('only connect-src differs between the places the page runs', () => {
    expect(contentSecurityPolicy("'self'")).toBe(CONTENT_SECURITY_POLICY);
    expect(directive(contentSecurityPolicy("'none'"), 'connect-src')).toEqual(["'none'"]);
  });
});
