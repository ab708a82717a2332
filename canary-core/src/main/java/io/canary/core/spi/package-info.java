/**
 * The extension points of the SDK. Adapters (canary-istio, canary-kubernetes, canary-hpa) and users
 * implement these; {@link io.canary.core.CanaryRunner} calls them. In-memory implementations live in
 * {@link io.canary.core.memory}.
 */
@io.canary.core.CanaryStyle
package io.canary.core.spi;
