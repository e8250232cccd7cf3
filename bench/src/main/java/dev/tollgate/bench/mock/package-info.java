/** A fast mock model provider (OpenAI chat and Anthropic messages, JSON and SSE) that the bench measures against. */
package dev.tollgate.bench.mock;
