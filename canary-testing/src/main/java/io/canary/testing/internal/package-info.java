/** How the simulation works inside: the observing dispatcher, the object cache and the controllers. */
@io.canary.core.CanaryStyle
package io.canary.testing.internal;
