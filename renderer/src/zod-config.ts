/**
 * Imported first by main.tsx. zod 4 probes `new Function` to speed up parsing; the page's
 * CSP (no 'unsafe-eval') forbids that and would report a violation on every load.
 */
import { z } from 'zod';

z.config({ jitless: true });
