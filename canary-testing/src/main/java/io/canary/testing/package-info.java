/**
 * Test rollouts in milliseconds before they touch a cluster: {@link io.canary.testing.SimulatedCluster}
 * (fabric8's in-process API server with a Deployment and an HPA controller on virtual time), {@link
 * io.canary.testing.TrafficSimulator} (users, routing through the VirtualServices as written, per-revision
 * behaviour and metrics), {@link io.canary.testing.Timeline}, the JUnit 5 extension {@link
 * io.canary.testing.CanarySimulation} and the assertions in {@link io.canary.testing.CanaryAssertions}.
 */
@io.canary.core.CanaryStyle
package io.canary.testing;
