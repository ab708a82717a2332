/** Implementation of the autoscaler-aware scaling policy; not a public API. */
@io.canary.core.CanaryStyle
package io.canary.hpa.internal;
