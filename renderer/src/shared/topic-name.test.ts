import { describe, expect, it } from 'vitest';
import { topicNameError } from './topic-name.js';

describe('topicNameError', () => {
  it('accepts legal names', () => {
    expect(topicNameError('distributed-video1')).toBeNull();
    expect(topicNameError(' a.b_c-1 ')).toBeNull();
  });
  it('explains illegal names', () => {
    expect(topicNameError('')).toBe('Enter a topic name.');
    expect(topicNameError('..')).toContain('not allowed');
    expect(topicNameError('my topic/x')).toBe(
      'A topic name may use only letters, digits, ".", "_" and "-" (not space, "/").',
    );
    expect(topicNameError('x'.repeat(250))).toContain('at most 249');
  });
});
