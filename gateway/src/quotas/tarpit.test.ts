import { Tarpit } from './tarpit';

describe('Tarpit', () => {
  it('holds a refusal for its Retry-After, at most maxMs, and lets it go when the client leaves', async () => {
    const tarpit = new Tarpit(200);
    let started = performance.now();
    await tarpit.hold(5);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(1_000);

    let leave: (() => void) | undefined;
    started = performance.now();
    const held = tarpit.hold(5, (listener) => ((leave = listener), () => (leave = undefined)));
    setTimeout(() => leave?.(), 20);
    await held;
    expect(performance.now() - started).toBeLessThan(150);
    expect(leave).toBeUndefined(); // it stopped listening
  });

  it('holds nothing with maxMs 0, and no more than maxHeld at once', async () => {
    let started = performance.now();
    await new Tarpit(0).hold(5);
    expect(performance.now() - started).toBeLessThan(50);
    const tarpit = new Tarpit(300, 1);
    const first = tarpit.hold(1);
    started = performance.now();
    await tarpit.hold(1); // over maxHeld: at once
    expect(performance.now() - started).toBeLessThan(50);
    await first;
  });
});
