import os from 'node:os';

/**
 * libuv's thread pool, which checks the sign-in signatures (verifyAssertionOffThread), sized to
 * the cores the event loop leaves free: Node's default of 4 threads on a 2-core machine makes
 * them and the event loop preempt one another (the bench measured the route about 15 % slower
 * with 4 than with 1 there). UV_THREADPOOL_SIZE set by the person wins. It takes effect only
 * before the pool's first use, so the process that serves calls it first: the command line does
 * for `serve`; a program that embeds the server calls it itself, or sets UV_THREADPOOL_SIZE.
 */
export function sizeThreadPool(env: NodeJS.ProcessEnv = process.env): void {
  env.UV_THREADPOOL_SIZE ??= String(Math.max(1, os.availableParallelism() - 1));
}

