/**
 * @module kube/throttle
 *
 * client-go's client-side rate limiter (flowcontrol's token bucket): `qps` tokens a second, at most `burst`
 * saved, a full bucket at start. Takes a clock so tests need no real time. Imports nothing.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * werf throttles to 30 requests a second (burst 100) by default, which alone makes a no-op converge of 300 resources
 * take seconds. slipway throttles only when --kube-qps-limit is given; the burst then defaults to werf's 100.
 */
export const DEFAULT_BURST = 100;

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  /** Waiters are served in order, so a burst of callers cannot starve an early one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(qps: number, burst: number, private readonly clock: Clock = realClock) {
    this.qps = qps > 0 ? qps : Infinity;
    this.burst = burst > 0 ? burst : DEFAULT_BURST;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    if (this.qps === Infinity) return Promise.resolve();
    const turn = this.queue.then(() => this.takeOne());
    this.queue = turn;
    return turn;
  }

  private async takeOne(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.qps) * 1000));
    }
  }
}
