/**
 * kafkajs is CommonJS and Node's ESM loader cannot see most of its named
 * exports, so values are taken from the default export here, once. Types are
 * imported from 'kafkajs' directly (`import type`).
 */
import kafkajs from 'kafkajs';

export const { Kafka, logLevel, ConfigResourceTypes, CompressionTypes, Partitioners } = kafkajs;
