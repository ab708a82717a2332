/**
 * In-memory implementations of every SPI: the defaults of a runner (state store, lock) and stand-ins
 * for the cluster (router, workloads, metrics) that make a user's own unit tests of rollout plans
 * run in microseconds on a virtual clock.
 */
package io.canary.core.memory;
