/**
 * What the specs that talk to the test broker share: its address (e2e/global-setup.ts starts it),
 * connecting the page to it, and one small H.264 clip made once per worker.
 */
import type { Page } from '@playwright/test';
import { makeH264Clip, type H264Clip } from '../scripts/test-support/h264-topic.js';
import { expect } from './fixtures.js';

export function e2eBootstrap(): string {
  const b = process.env.KVS_E2E_BOOTSTRAP;
  if (!b) throw new Error('KVS_E2E_BOOTSTRAP is not set (e2e/global-setup.ts starts a broker)');
  return b;
}

/** Type the test broker's address in the broker form and connect. */
export async function connectToBroker(page: Page): Promise<void> {
  await page.getByTestId('bootstrap-input').fill(e2eBootstrap());
  await page.getByTestId('connect-button').click();
  await expect(page.getByTestId('connection-status')).toContainText('Connected');
}

let clip: Promise<H264Clip> | null = null;
/** 3 s of 640×360 at 30 fps, a keyframe every 30 frames (0, 30, 60). */
export function testClip(): Promise<H264Clip> {
  clip ??= makeH264Clip({ seconds: 3, width: 640, height: 360, fps: 30, gop: 30 });
  return clip;
}
