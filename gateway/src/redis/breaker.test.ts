import { CircuitBreaker, type BreakerState } from './breaker';

describe('CircuitBreaker', () => {
  it('opens after the failures in a row, refuses while open, lets one call through after openMs, and closes on its success', () => {
    const states: BreakerState[] = [];
    const breaker = new CircuitBreaker({ failures: 3, openMs: 1000, onChange: (state) => states.push(state) });
    breaker.failed(0);
    breaker.succeeded();
    breaker.failed(0);
    breaker.failed(0);
    expect(breaker.allows(0)).toBe(true); // two in a row: still closed
    breaker.failed(0);
    expect(breaker.current).toBe('open');
    expect(breaker.allows(999)).toBe(false);
    expect(breaker.allows(1000)).toBe(true); // half-open: one trial
    breaker.succeeded();
    expect(breaker.current).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the trial call fails', () => {
    const breaker = new CircuitBreaker({ failures: 1, openMs: 10 });
    breaker.failed(0);
    expect(breaker.allows(10)).toBe(true);
    breaker.failed(10);
    expect(breaker.current).toBe('open');
    expect(breaker.allows(15)).toBe(false);
  });
});
