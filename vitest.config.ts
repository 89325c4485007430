import { defineConfig } from 'vitest/config';

// Unit tests (*.test.ts) run anywhere. Integration tests (*.int.test.ts) talk to
// real Apache Kafka brokers that the global setup starts with scripts/local-kafka/
// (both KRaft and ZooKeeper mode) and real ffmpeg.
export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'scripts/**/*.test.ts', 'renderer/**/*.test.ts'],
    globalSetup: ['./scripts/test-support/global-kafka.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
