import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAllowedExternal, isAppUrl, secureWebPreferences } from './security.js';

describe('desktop shell security settings', () => {
  it('isolates the page from Node', () => {
    const p = secureWebPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(p.nodeIntegrationInWorker).toBe(false);
    expect(p.nodeIntegrationInSubFrames).toBe(false);
    expect(p.allowRunningInsecureContent).toBe(false);
  });

  it('has a CSP without inline or remote scripts', () => {
    const script = CONTENT_SECURITY_POLICY.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(script?.trim()).toBe("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/object-src 'none'/);
  });

  it('trusts only the app page as an IPC sender', () => {
    const app = 'file:///opt/Kafka%20Video%20Studio/resources/app.asar/out/renderer/index.html';
    expect(isAppUrl(app, app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://evil.example/', app)).toBe(false);
    expect(isAppUrl('not a url', app)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/x.ts', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it('opens only https links on an allowlist, never file: or javascript:', () => {
    expect(isAllowedExternal('https://kafka.apache.org/documentation/')).toBe(true);
    for (const bad of ['http://kafka.apache.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://evil.example/', 'https://user:pw@kafka.apache.org/', 'nonsense'])
      expect(isAllowedExternal(bad), bad).toBe(false);
  });
});
